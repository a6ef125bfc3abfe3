// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config values hold literal ${VAR} references
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { parseByteSize } from '../byte-size.js';
import type { WriteMode } from '../types.js';

/**
 * The config file's schema. Every key is strict (a misspelt key is an error), and every description states
 * the default and the unit: `docs/config.md`, `--help` and the `ferry init` comments are built from them.
 * Numbers and booleans also accept their text form ("8", "true") so `${VAR}` and `FERRY_…` values work.
 */

/** Documentation that zod cannot express: the default as a person reads it, a friendlier type name. */
export interface ConfigDocMeta {
  /** Shown instead of the zod default (e.g. "number of CPU cores" rather than this machine's count). */
  default?: string;
  /** Shown instead of the type derived from the schema. */
  type?: string;
}

/** Registry of `ConfigDocMeta` for schemas whose default or type needs words. */
export const configDoc = z.registry<ConfigDocMeta>();

/** What a run does to a target table that exists. */
export const WRITE_MODES = [
  'create',
  'truncate',
  'append',
  'replace',
] as const satisfies readonly WriteMode[];
/** Logger levels, `silent` for none. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** What a failed partition does to the rest of the run. */
export const ON_ERROR = ['fail', 'continue'] as const;
export type OnError = (typeof ON_ERROR)[number];

/** Run ids name directories, NATS subjects and ledger rows: letters, digits, `_` and `-` only. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const DIGITS = /^\s*[+-]?\d+\s*$/;
const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/** An integer ≥ `min`, also given as digits in text. */
function integer(min: number) {
  return z.preprocess(
    (v) => (typeof v === 'string' && DIGITS.test(v) ? Number(v) : v),
    z.number().int().min(min),
  );
}

/** A number between `min` and `max`, also given as text ("2.5"). */
function bounded(min: number, max: number) {
  return z.preprocess(
    (v) => (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v),
    z.number().min(min).max(max),
  );
}

/** A size in bytes ≥ `min`: a number of bytes, or text with a unit (`256MB`, `1GiB`; binary units). */
function byteSize(min: number) {
  return z
    .preprocess((v) => (typeof v === 'string' ? (parseByteSize(v) ?? v) : v), z.number().int().min(min))
    .register(configDoc, { type: 'size (`256MB`, `1GiB` or bytes)' });
}

/** A boolean, also given as true/false, yes/no, on/off, 1/0. */
function boolean() {
  return z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    const s = v.trim().toLowerCase();
    return TRUE.has(s) ? true : FALSE.has(s) ? false : v;
  }, z.boolean());
}

const connectorOptions = () =>
  z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .default({})
    .describe('Connector-specific options, passed to the connector as given. Default: none.');

/** `source:` — where rows come from. */
export const SourceSchema = z.strictObject({
  url: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Where rows come from: `postgres://USER@HOST:PORT/DB`, `mysql://…`, `duckdb:PATH`, `parquet:DIR`, `csv:PATH`. ' +
        'Required. A password written in this URL in a config file is refused: use `password_file` or `${VAR}`.',
    ),
  password: z
    .string()
    .optional()
    .describe(
      'The source password, only as a variable reference (`${SOURCE_PASSWORD}`) in a config file. Default: none.',
    ),
  password_file: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A file holding the source password (mode 0600; one trailing newline dropped), relative to the config file. Default: none.',
    ),
  options: connectorOptions(),
});

/** `target:` — where rows go. */
export const TargetSchema = z.strictObject({
  url: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Where rows go, in the same URL forms as `source.url`. Required. A password written in it in a config file is refused.',
    ),
  password: z
    .string()
    .optional()
    .describe('The target password, only as a variable reference (`${TARGET_PASSWORD}`). Default: none.'),
  password_file: z
    .string()
    .min(1)
    .optional()
    .describe('A file holding the target password (mode 0600), relative to the config file. Default: none.'),
  schema: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Schema (namespace) to create target tables in. Default: the URL's `?schema=`, else the connector's default.",
    ),
  options: connectorOptions(),
});

/** One entry of `tables:` written as an object. */
export const TableObjectSchema = z.strictObject({
  name: z.string().min(1).describe('Source table, `name` or `schema.name`. Required.'),
  target_name: z
    .string()
    .min(1)
    .optional()
    .describe('Name of the table in the target. Default: the source name.'),
  key: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe(
      'Columns whose ranges split the table into partitions, overriding the primary key. Default: the primary key.',
    ),
  mode: z.enum(WRITE_MODES).optional().describe("This table's write mode. Default: the top-level `mode`."),
  partition_rows: integer(1)
    .optional()
    .describe("This table's rows per partition. Default: the top-level `partition_rows` (rows)."),
  partition_bytes: byteSize(1)
    .optional()
    .describe(
      "This table's bytes per partition, instead of `partition_rows` (set one of them). Default: the top-level `partition_bytes` when this table sets no `partition_rows`.",
    ),
  // The mapping keys are checked against the source table when the plan is made (transform/, docs/transform.md):
  // here they are only carried, since their meaning depends on the source's columns and types.
  columns: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'Target columns in target order, each a source column, a rename, or a map of rules (docs/transform.md). Default: every source column as is.',
    )
    .register(configDoc, { type: 'map of column rules' }),
  unmapped: z
    .enum(['drop', 'keep'])
    .optional()
    .describe(
      'Source columns not used by `columns`: left out (`drop`) or appended unchanged (`keep`). Default: drop.',
    ),
  rules: z
    .array(z.unknown())
    .optional()
    .describe(
      'Business rules (not_null, unique, range, regex, allowed, references); failing rows go to the reject store. Default: none.',
    )
    .register(configDoc, { type: 'list of rules' }),
  dedupe: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Keep one row per key: `{ key, keep: first|last, by }`. Default: none.')
    .register(configDoc, { type: 'dedupe rule' }),
  pii_ok: z
    .array(z.string().min(1))
    .optional()
    .describe(
      "Columns (target or source names) whose names look like personal data but may reach the target unmasked: acknowledges `ferry plan`'s PII warning for them (docs/security.md). Default: none.",
    ),
});

/** One entry of `tables:`: a name, or an object. */
export const TableEntrySchema = z
  .preprocess((v) => (typeof v === 'string' ? { name: v } : v), TableObjectSchema)
  .register(configDoc, { type: 'table name or table object' });

/** `nats:` — the JetStream server for distributed runs. */
export const NatsSchema = z.strictObject({
  url: z
    .string()
    .min(1)
    .describe('NATS server URL(s), comma-separated, e.g. `nats://nats:4222`. Required when `nats` is given.'),
  creds_file: z
    .string()
    .min(1)
    .optional()
    .describe('NATS credentials file (JWT and seed; mode 0600), relative to the config file. Default: none.'),
  tls_ca_file: z
    .string()
    .min(1)
    .optional()
    .describe("CA certificate to verify the NATS server's TLS certificate. Default: the system's CAs."),
});

/** The whole config file. */
export const ConfigSchema = z.strictObject({
  include: z
    .array(z.string().min(1))
    .optional()
    .describe(
      "Other YAML files merged in, in order, before this file's own keys (which win); paths relative to this file. Default: none.",
    ),
  source: SourceSchema.optional().describe('The source system. Required (here, `--from` or `FERRY_FROM`).'),
  target: TargetSchema.optional().describe('The target system. Required (here, `--to` or `FERRY_TO`).'),
  tables: z
    .array(TableEntrySchema)
    .default([])
    .describe(
      'Tables to migrate, by name or as objects with per-table settings. Default: every source table.',
    ),
  mode: z
    .enum(WRITE_MODES)
    .default('create')
    .describe(
      'What to do with a target table: `create` (must not exist), `truncate` (empty it first), `append` (add rows), ' +
        '`replace` (drop and create). Default: create.',
    ),
  workers: integer(1)
    .default(() => availableParallelism())
    .describe(
      'Partitions loaded at the same time; their per-batch CPU work (checksums, transforms) runs in a thread pool of one thread per partition, at most the cores but one. Default: the number of CPU cores.',
    )
    .register(configDoc, { default: 'CPU cores' }),
  partition_rows: integer(1)
    .default(250_000)
    .describe(
      'Target rows per partition, the unit of parallelism, retry and verification. Default: 250000 rows.',
    ),
  partition_bytes: byteSize(1)
    .optional()
    .describe(
      "Target bytes per partition instead of `partition_rows` (set one of them): each table's partitions get as many rows as fill this at the table's average row size in the source's own size estimate (PostgreSQL: table size with TOAST; MySQL: data length; Parquet: compressed file size; CSV: file size; DuckDB: column widths). A table without a size estimate keeps `partition_rows`. Default: none (rows).",
    ),
  batch_rows: integer(1)
    .default(10_000)
    .describe('Rows per Arrow batch read and written; a batch also ends at 1 MiB of values, so memory per worker stays bounded for wide rows. Default: 10000 rows.'),
  state_dir: z
    .string()
    .min(1)
    .default('results/runs')
    .describe(
      'Directory of run state (event log, plan, log file), one subdirectory per run. Default: results/runs.',
    ),
  reports_dir: z
    .string()
    .min(1)
    .default('results/reports')
    .describe('Directory reports are written to. Default: results/reports.'),
  run_id: z
    .string()
    .regex(RUN_ID_PATTERN, 'letters, digits, _ and - only, at most 64')
    .optional()
    .describe(
      'Name of this run (letters, digits, `_`, `-`). Default: generated from the UTC time, e.g. 20250301T101500Z-3fa9c1.',
    )
    .register(configDoc, { default: 'generated' }),
  verify: boolean()
    .default(true)
    .describe('Read every partition back from the target and compare checksums. Default: true.'),
  compare: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .default({})
    .describe(
      'Compare rules per `table.column`, read by verification. Default: none (values compared exactly).',
    ),
  log_level: z
    .enum(LOG_LEVELS)
    .default('warn')
    .describe(
      'Least severe level shown on the terminal; the run log file always has debug. Default: warn (progress bars and the summary show the rest).',
    ),
  nats: NatsSchema.optional().describe(
    'JetStream for distributed runs. Default: none (one process runs everything).',
  ),
  on_error: z
    .enum(ON_ERROR)
    .default('continue')
    .describe(
      'When a partition fails: `continue` (other partitions go on; the run ends failed) or `fail` (stop the run). Default: continue.',
    ),
  max_reject_percent: bounded(0, 100)
    .optional()
    .describe(
      'The run fails when a table rejects more than this share of its source rows (percent, 0–100), checked when ' +
        'the table is loaded. Default: no limit (every reject is kept in the reject store and counted in the report).',
    )
    .register(configDoc, { default: 'no limit' }),
  transform_salt_file: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A file holding the secret salt of `mask: hash` (mode 0600), relative to the config file. ' +
        'FERRY_TRANSFORM_SALT or FERRY_TRANSFORM_SALT_FILE win over it. Default: none (a mapping with `mask: hash` is refused).',
    ),
});

/** A config file after parsing: every defaulted key present. */
export type ConfigFile = z.output<typeof ConfigSchema>;
/** A config file as written. */
export type ConfigFileInput = z.input<typeof ConfigSchema>;
/** One `tables:` entry after parsing. */
export type TableObject = z.output<typeof TableObjectSchema>;
