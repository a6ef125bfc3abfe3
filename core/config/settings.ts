import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type Endpoint, parseEndpoint } from '../endpoint.js';
import { FerryError } from '../errors.js';
import { registerSecret, Secret } from '../secret.js';
import type { WriteMode } from '../types.js';
import type { ConfigPath } from './config-path.js';
import type { SettingsFlags } from './env-twins.js';
import { type EnvLike, readEnv } from './interpolate.js';
import { describeIssues, problemsToError } from './issues.js';
import { interpolateFileValues, overlayEnvAndFlags } from './layers-apply.js';
import { Origins } from './origins.js';
import { generateRunId } from './run-id.js';
import { ConfigSchema, type ConfigFile, type LogLevel, type OnError } from './schema.js';
import { checkPrivateFile, readSecretFile } from './secret-file.js';
import { type ConfigLayers, loadConfigLayers } from './yaml-layers.js';

/** One table to migrate, with the top-level settings filled in where it does not override them. */
export interface TableSettings {
  /** Source table, `name` or `schema.name`. */
  readonly name: string;
  /** Target table name when it differs from the source's. */
  readonly targetName?: string;
  /** Split-key columns overriding the primary key. */
  readonly key?: readonly string[];
  readonly mode: WriteMode;
  /** Rows per partition. */
  readonly partitionRows: number;
  /**
   * Bytes per partition, when the table (or the top level, if the table sets no `partition_rows`) asks for a
   * byte target: it decides, and `partitionRows` stands only for a table without a size estimate.
   */
  readonly partitionBytes?: number;
  /**
   * The table's mapping keys as written (`columns`, `unmapped`, `rules`, `dedupe`), when any is given; checked
   * against the source table by transform/ `parseTableMapping` when the plan is made.
   */
  readonly mapping?: Readonly<Record<string, unknown>>;
  /** Where the table sits in the config (`tables[2]`), for mapping errors. */
  readonly configPath?: string;
  /** Likely-PII columns acknowledged to reach the target unmasked (`pii_ok`), by target or source name. */
  readonly piiOk?: readonly string[];
}

/** The NATS JetStream connection for distributed runs. */
export interface NatsSettings {
  readonly url: string;
  /** Absolute path of a 0600 credentials file. */
  readonly credsFile?: string;
  /** Absolute path of a CA certificate. */
  readonly tlsCaFile?: string;
}

/** Everything a command needs, resolved from flags, environment, config file and defaults; frozen. */
export interface SettingsBase {
  /** Config files read (absolute), the main file last; empty when none. */
  readonly configFiles: readonly string[];
  readonly sourceOptions: Readonly<Record<string, string | number | boolean>>;
  /** `target.schema`, else the target URL's `?schema=`. */
  readonly targetSchema?: string;
  readonly targetOptions: Readonly<Record<string, string | number | boolean>>;
  /** Empty: every source table. */
  readonly tables: readonly TableSettings[];
  readonly mode: WriteMode;
  /** Partitions loaded at the same time. */
  readonly workers: number;
  /** Rows per partition. */
  readonly partitionRows: number;
  /** Bytes per partition instead of `partitionRows` (see `TableSettings.partitionBytes`). */
  readonly partitionBytes?: number;
  /** Rows per Arrow batch. */
  readonly batchRows: number;
  /** Absolute directory of run state. */
  readonly stateDir: string;
  /** Absolute directory of reports. */
  readonly reportsDir: string;
  readonly runId: string;
  readonly verify: boolean;
  /** Compare rules per `table.column`, as written. */
  readonly compare: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly logLevel: LogLevel;
  readonly nats?: NatsSettings;
  readonly onError: OnError;
  /** A table whose rejected share of source rows (percent) is above this fails the run; absent: no limit. */
  readonly maxRejectPercent?: number;
  /**
   * The salt of `mask: hash` (HMAC key): FERRY_TRANSFORM_SALT, FERRY_TRANSFORM_SALT_FILE, else the config's
   * `transform_salt_file`. Registered for log scrubbing; never printed.
   */
  readonly transformSalt?: Secret;
  /**
   * Where each setting came from, by config key: `flag --workers`, `environment variable FERRY_MODE`,
   * `config/settings.yaml line 12` or `default`. For `--print-config`.
   */
  readonly origins: Readonly<Record<string, string>>;
}

/** Settings of a command that moves data: source and target known. */
export interface Settings extends SettingsBase {
  readonly source: Endpoint;
  readonly target: Endpoint;
}

/** Settings of a command that may run without a source or target (`status`, `report`, `worker`). */
export interface PartialSettings extends SettingsBase {
  readonly source?: Endpoint;
  readonly target?: Endpoint;
}

export interface ResolveOptions {
  /** Flags the user gave (see `SettingsFlags`). */
  flags?: SettingsFlags;
  /** Default `process.env`. */
  env?: EnvLike;
  /**
   * The config file (relative to `cwd`); beats `flags.config` and `FERRY_CONFIG`. When none of them names one,
   * `config/settings.yaml` is used if it exists. `false`: no config file at all.
   */
  configFile?: string | false;
  /**
   * Working directory: relative paths from flags, the environment and defaults resolve against it (those in
   * a config file against that file's directory). Default `process.cwd()`.
   */
  cwd?: string;
  /** `optional` lets source and target be absent. Default `required`. */
  endpoints?: 'required' | 'optional';
}

/** The keys `Settings.origins` reports on (passwords and `nats.url` only when set). */
const ORIGIN_KEYS: readonly ConfigPath[] = [
  ['source', 'url'],
  ['target', 'url'],
  ['target', 'schema'],
  ...Object.keys(ConfigSchema.shape)
    .filter((k) => !['include', 'source', 'target', 'nats'].includes(k))
    .map((k) => [k]),
];

/** Where each setting came from; a password from a URL reports the URL's origin. */
function settingOrigins(s: Omit<PartialSettings, 'origins'>, origins: Origins): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of ORIGIN_KEYS) out[path.join('.')] = origins.where(path);
  for (const side of ['source', 'target'] as const) {
    if (!s[side]?.password) continue;
    const from = (['password', 'password_file', 'url'] as const)
      .map((key) => origins.where([side, key]))
      .find((w) => w !== 'default');
    out[`${side}.password`] = from ?? 'default';
  }
  if (s.nats) out['nats.url'] = origins.where(['nats', 'url']);
  return out;
}

/**
 * Resolves the settings of one command: flag > environment (`FERRY_…`, each also as `…_FILE`) > config file
 * (with its includes) > default. Reads password files, makes passwords `Secret`s (registered for log scrubbing)
 * and parses the endpoints. Throws FerryError CONFIG naming the key, file and line (or variable, or flag).
 */
export function resolveSettings(options: ResolveOptions & { endpoints: 'optional' }): PartialSettings;
export function resolveSettings(options: ResolveOptions): Settings;
export function resolveSettings(options: ResolveOptions): Settings | PartialSettings {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const flags = options.flags ?? {};
  const configFile = pickConfigFile(options, env, cwd);
  const layers: ConfigLayers = configFile
    ? loadConfigLayers(configFile, cwd)
    : { data: {}, origins: new Origins(), files: [] };
  overlayEnvAndFlags(layers, env, flags, cwd);
  interpolateFileValues(layers, env, cwd);
  const parsed = ConfigSchema.safeParse(layers.data);
  if (!parsed.success) {
    throw problemsToError(describeIssues(parsed.error.issues, ConfigSchema, layers.data, layers.origins));
  }
  const settings = build(parsed.data, layers, cwd, options.endpoints ?? 'required');
  const salt = transformSalt(parsed.data, layers, env, cwd);
  return deepFreeze(salt ? { ...settings, transformSalt: salt } : settings);
}

function pickConfigFile(options: ResolveOptions, env: EnvLike, cwd: string): string | undefined {
  if (options.configFile === false) return undefined;
  const named = options.configFile ?? options.flags?.config ?? readEnv(env, 'FERRY_CONFIG', cwd, true);
  if (named !== undefined) return named;
  const conventional = resolve(cwd, 'config', 'settings.yaml');
  return existsSync(conventional) ? conventional : undefined;
}

function build(
  c: ConfigFile,
  layers: ConfigLayers,
  cwd: string,
  endpoints: 'required' | 'optional',
): Settings | PartialSettings {
  const where = (path: ConfigPath) => layers.origins.where(path);
  const abs = (path: ConfigPath, p: string) => absolutePath(layers, cwd, path, p);
  checkOneOf(c.partition_bytes !== undefined && where(['partition_rows']) !== 'default', [], where);
  const tables = c.tables.map((t, i): TableSettings => {
    const mapping = mappingOf(t);
    checkOneOf(t.partition_rows !== undefined && t.partition_bytes !== undefined, ['tables', i], where);
    const partitionBytes = t.partition_bytes ?? (t.partition_rows === undefined ? c.partition_bytes : undefined);
    return {
      name: t.name,
      ...(t.target_name ? { targetName: t.target_name } : {}),
      ...(t.key ? { key: t.key } : {}),
      mode: t.mode ?? c.mode,
      partitionRows: t.partition_rows ?? c.partition_rows,
      ...(partitionBytes !== undefined ? { partitionBytes } : {}),
      ...(mapping ? { mapping, configPath: `tables[${i}]` } : {}),
      ...(t.pii_ok ? { piiOk: t.pii_ok } : {}),
    };
  });
  checkUnique(
    tables.map((t) => t.name),
    'name',
    'source table',
    where,
  );
  checkUnique(
    tables.map((t) => t.targetName ?? t.name),
    'target_name',
    'target table',
    where,
  );
  const settings: Omit<PartialSettings, 'origins'> = {
    configFiles: layers.files.map((f) => f.path),
    sourceOptions: c.source?.options ?? {},
    targetOptions: c.target?.options ?? {},
    tables,
    mode: c.mode,
    workers: c.workers,
    partitionRows: c.partition_rows,
    ...(c.partition_bytes !== undefined ? { partitionBytes: c.partition_bytes } : {}),
    batchRows: c.batch_rows,
    stateDir: abs(['state_dir'], c.state_dir),
    reportsDir: abs(['reports_dir'], c.reports_dir),
    runId: c.run_id ?? generateRunId(),
    verify: c.verify,
    compare: c.compare,
    logLevel: c.log_level,
    onError: c.on_error,
    ...(c.max_reject_percent !== undefined ? { maxRejectPercent: c.max_reject_percent } : {}),
  };
  const source = endpoint('source', c.source, layers, cwd, endpoints);
  const target = endpoint('target', c.target, layers, cwd, endpoints);
  const targetSchema = c.target?.schema ?? target?.params.schema;
  const nats = c.nats ? natsSettings(c.nats, layers, cwd) : undefined;
  const resolved = {
    ...settings,
    ...(source ? { source } : {}),
    ...(target ? { target } : {}),
    ...(targetSchema ? { targetSchema } : {}),
    ...(nats ? { nats } : {}),
  };
  return { ...resolved, origins: settingOrigins(resolved, layers.origins) };
}

/** The mapping keys of a table entry, when it has any. */
function mappingOf(t: ConfigFile['tables'][number]): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const key of ['columns', 'unmapped', 'rules', 'dedupe'] as const)
    if (t[key] !== undefined) out[key] = t[key];
  return Object.keys(out).length ? out : undefined;
}

/** The salt of `mask: hash`: FERRY_TRANSFORM_SALT(_FILE) > `transform_salt_file` > none. */
function transformSalt(c: ConfigFile, layers: ConfigLayers, env: EnvLike, cwd: string): Secret | undefined {
  const fromEnv = readEnv(env, 'FERRY_TRANSFORM_SALT', cwd, true);
  let value = fromEnv;
  if (value === undefined && c.transform_salt_file !== undefined) {
    const file = absolutePath(layers, cwd, ['transform_salt_file'], c.transform_salt_file);
    value = readSecretFile({
      file,
      namedBy: `transform_salt_file (${layers.origins.where(['transform_salt_file'])})`,
      configPath: 'transform_salt_file',
    });
  }
  if (value === undefined) return undefined;
  // A salt an attacker can guess lets them hash guesses: refuse the obviously short ones.
  if (value.length < 16) {
    throw new FerryError(
      'CONFIG',
      `the transform salt has ${value.length} characters; at least 16 are needed`,
      {
        configPath: fromEnv !== undefined ? undefined : 'transform_salt_file',
        hint: 'generate one: openssl rand -hex 32 > salt && chmod 600 salt',
      },
    );
  }
  registerSecret(value);
  return new Secret(value);
}

function natsSettings(n: NonNullable<ConfigFile['nats']>, layers: ConfigLayers, cwd: string): NatsSettings {
  let credsFile: string | undefined;
  if (n.creds_file) {
    credsFile = absolutePath(layers, cwd, ['nats', 'creds_file'], n.creds_file);
    // A creds file holds a private seed: it gets the same 0600 rule as a password file.
    checkPrivateFile({
      file: credsFile,
      namedBy: `nats.creds_file (${layers.origins.where(['nats', 'creds_file'])})`,
      configPath: 'nats.creds_file',
    });
  }
  return {
    url: n.url,
    ...(credsFile ? { credsFile } : {}),
    ...(n.tls_ca_file
      ? { tlsCaFile: absolutePath(layers, cwd, ['nats', 'tls_ca_file'], n.tls_ca_file) }
      : {}),
  };
}

function endpoint(
  side: 'source' | 'target',
  section: ConfigFile['source'] | ConfigFile['target'],
  layers: ConfigLayers,
  cwd: string,
  endpoints: 'required' | 'optional',
): Endpoint | undefined {
  const where = (key: string) => layers.origins.where([side, key]);
  const flag = side === 'source' ? '--from' : '--to';
  const envName = side === 'source' ? 'FERRY_FROM' : 'FERRY_TO';
  if (!section?.url) {
    if (endpoints === 'optional') return undefined;
    throw new FerryError('CONFIG', `no ${side} given`, {
      configPath: `${side}.url`,
      hint: `set ${side}.url in the config file, ${flag} URL or ${envName}`,
    });
  }
  let password: Secret | undefined;
  if (section.password !== undefined && section.password_file !== undefined) {
    throw new FerryError('CONFIG', `${where('password_file')}: ${side} has both password and password_file`, {
      configPath: `${side}.password_file`,
      hint: 'keep one of them',
    });
  }
  if (section.password !== undefined) {
    if (section.password === '') {
      throw new FerryError('CONFIG', `${where('password')}: ${side}.password is empty`, {
        configPath: `${side}.password`,
        hint: `set the variable it names, or remove ${side}.password`,
      });
    }
    password = new Secret(section.password);
  } else if (section.password_file !== undefined) {
    const file = absolutePath(layers, cwd, [side, 'password_file'], section.password_file);
    password = new Secret(
      readSecretFile({
        file,
        namedBy: `${side}.password_file (${where('password_file')})`,
        configPath: `${side}.password_file`,
      }),
    );
  }
  if (password) registerSecret(password.reveal());
  try {
    const parsed = parseEndpoint(section.url, password);
    const origin = layers.origins.of([side, 'url']);
    if (origin?.kind === 'file' && parsed.path && parsed.path !== ':memory:' && !isAbsolute(parsed.path)) {
      const path = resolve(dirname(origin.file.path), parsed.path);
      return { ...parsed, path, display: `${parsed.connector}:${path}` };
    }
    return parsed;
  } catch (e) {
    if (!(e instanceof FerryError)) throw e;
    throw new FerryError('CONFIG', `${where('url')}: ${side}.url: ${e.message}`, {
      configPath: `${side}.url`,
      cause: e,
      ...(e.context.hint ? { hint: e.context.hint } : {}),
    });
  }
}

/** The directory a relative path at `path` is relative to: its config file's, else the working directory. */
function baseDir(layers: ConfigLayers, cwd: string, path: ConfigPath): string {
  const origin = layers.origins.of(path);
  return origin?.kind === 'file' ? dirname(origin.file.path) : cwd;
}

function absolutePath(layers: ConfigLayers, cwd: string, path: ConfigPath, value: string): string {
  return isAbsolute(value) ? value : resolve(baseDir(layers, cwd, path), value);
}

/** `partition_rows` and `partition_bytes` both set at one level (`at`: the top level or `tables[i]`). */
function checkOneOf(both: boolean, at: ConfigPath, where: (path: ConfigPath) => string): void {
  if (!both) return;
  const prefix = at.length ? `tables[${at[1]}].` : '';
  throw new FerryError(
    'CONFIG',
    `${prefix}partition_rows (${where([...at, 'partition_rows'])}) and ${prefix}partition_bytes (${where([...at, 'partition_bytes'])}) are both set`,
    {
      configPath: `${prefix}partition_bytes`,
      hint: 'a partition is sized by rows or by bytes: set one of them',
    },
  );
}

function checkUnique(
  names: readonly string[],
  key: string,
  what: string,
  where: (path: ConfigPath) => string,
): void {
  const seen = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    const first = seen.get(name);
    if (first !== undefined) {
      throw new FerryError(
        'CONFIG',
        `${where(['tables', i])}: ${what} ${name} is listed twice (tables[${first}] and tables[${i}])`,
        {
          configPath: `tables[${i}].${key}`,
          hint: 'list each table once',
        },
      );
    }
    seen.set(name, i);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof Secret) && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
