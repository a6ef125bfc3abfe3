import type { ConfigPath } from './config-path.js';
import { ConfigSchema } from './schema.js';
import { schemaAt, unwrap } from './schema-walk.js';

/**
 * Command-line flags that settings come from, as commander names them (camelCase of the long flag).
 * Pass only the flags the user actually gave (commander: `getOptionValueSource(name) === 'cli'`); a flag
 * carrying its default would hide the environment and the config file.
 */
export interface SettingsFlags {
  config?: string;
  from?: string;
  to?: string;
  targetSchema?: string;
  /** Comma-separated, or already a list. */
  tables?: string | readonly string[];
  mode?: string;
  workers?: string | number;
  partitionRows?: string | number;
  partitionBytes?: string | number;
  batchRows?: string | number;
  stateDir?: string;
  reportsDir?: string;
  runId?: string;
  /** `--no-verify` gives false. */
  verify?: string | boolean;
  logLevel?: string;
  natsUrl?: string;
  onError?: string;
}

/** A setting that can be given as a flag and/or an environment variable, and the config key it overrides. */
export interface SettingTwin {
  /** The config key it overrides, e.g. `partition_rows`, `source.url`; absent for `FERRY_CONFIG`. */
  key?: string;
  /** The key as a path. */
  path?: ConfigPath;
  /** Long flag as typed, e.g. `--partition-rows`; absent for secrets, which never go on a command line. */
  flag?: string;
  /** The flag's property in `SettingsFlags`. */
  option?: keyof SettingsFlags;
  /** Environment variable; `NAME_FILE` naming a 0600 file works for each one too. */
  env: string;
  /** Placeholder for help text, e.g. `N`, `URL`. */
  arg?: string;
  /** The value is a credential: never shown, only accepted from the environment or a file. */
  secret: boolean;
  /** A comma-separated list. */
  list: boolean;
  /** From the config schema's description (or its own, for `FERRY_CONFIG`). */
  description: string;
}

type TwinSpec = Omit<SettingTwin, 'path' | 'description' | 'secret' | 'list'> & {
  secret?: boolean;
  list?: boolean;
  description?: string;
};

const SPECS: TwinSpec[] = [
  {
    flag: '--config',
    option: 'config',
    env: 'FERRY_CONFIG',
    arg: 'FILE',
    description:
      'The YAML config file. Default: config/settings.yaml when it exists in the working directory, else none.',
  },
  { key: 'source.url', flag: '--from', option: 'from', env: 'FERRY_FROM', arg: 'URL' },
  {
    key: 'source.password',
    env: 'FERRY_SOURCE_PASSWORD',
    secret: true,
    description:
      'The source password; prefer FERRY_SOURCE_PASSWORD_FILE naming a chmod 600 file. Default: none.',
  },
  { key: 'target.url', flag: '--to', option: 'to', env: 'FERRY_TO', arg: 'URL' },
  {
    key: 'target.password',
    env: 'FERRY_TARGET_PASSWORD',
    secret: true,
    description:
      'The target password; prefer FERRY_TARGET_PASSWORD_FILE naming a chmod 600 file. Default: none.',
  },
  {
    key: 'target.schema',
    flag: '--target-schema',
    option: 'targetSchema',
    env: 'FERRY_TARGET_SCHEMA',
    arg: 'NAME',
  },
  { key: 'tables', flag: '--tables', option: 'tables', env: 'FERRY_TABLES', arg: 'LIST', list: true },
  { key: 'mode', flag: '--mode', option: 'mode', env: 'FERRY_MODE', arg: 'MODE' },
  { key: 'workers', flag: '--workers', option: 'workers', env: 'FERRY_WORKERS', arg: 'N' },
  {
    key: 'partition_rows',
    flag: '--partition-rows',
    option: 'partitionRows',
    env: 'FERRY_PARTITION_ROWS',
    arg: 'N',
  },
  {
    key: 'partition_bytes',
    flag: '--partition-bytes',
    option: 'partitionBytes',
    env: 'FERRY_PARTITION_BYTES',
    arg: 'SIZE',
  },
  { key: 'batch_rows', flag: '--batch-rows', option: 'batchRows', env: 'FERRY_BATCH_ROWS', arg: 'N' },
  { key: 'state_dir', flag: '--state-dir', option: 'stateDir', env: 'FERRY_STATE_DIR', arg: 'DIR' },
  { key: 'reports_dir', flag: '--reports-dir', option: 'reportsDir', env: 'FERRY_REPORTS_DIR', arg: 'DIR' },
  { key: 'run_id', flag: '--run-id', option: 'runId', env: 'FERRY_RUN_ID', arg: 'ID' },
  { key: 'verify', flag: '--no-verify', option: 'verify', env: 'FERRY_VERIFY' },
  { key: 'log_level', flag: '--log-level', option: 'logLevel', env: 'FERRY_LOG_LEVEL', arg: 'LEVEL' },
  { key: 'nats.url', flag: '--nats-url', option: 'natsUrl', env: 'FERRY_NATS_URL', arg: 'URL' },
  { key: 'on_error', flag: '--on-error', option: 'onError', env: 'FERRY_ON_ERROR', arg: 'fail|continue' },
];

function twin(spec: TwinSpec): SettingTwin {
  const path = spec.key?.split('.');
  const field = path ? schemaAt(ConfigSchema, path) : undefined;
  if (path && !field) throw new Error(`setting twin ${spec.env} names unknown config key ${spec.key}`);
  const description = spec.description ?? (field ? unwrap(field).description : undefined) ?? '';
  return Object.freeze({
    ...spec,
    ...(path ? { path: Object.freeze(path) } : {}),
    secret: spec.secret ?? false,
    list: spec.list ?? false,
    description,
  });
}

/** Every flag ↔ environment variable ↔ config key, in help order. `--help` and docs/config.md are built from it. */
export const SETTING_TWINS: readonly SettingTwin[] = Object.freeze(SPECS.map(twin));
