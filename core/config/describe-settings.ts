import type { Endpoint } from '../endpoint.js';
import { redact } from '../secret.js';
import type { PartialSettings, Settings } from './settings.js';

const SECRET_NAME = /pass|pwd|secret|token/i;

function redactRecord(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k] = SECRET_NAME.test(k) ? '***' : v;
  return out;
}

function describeEndpoint(
  e: Endpoint | undefined,
  extra: Record<string, unknown>,
): Record<string, unknown> | undefined {
  if (!e) return undefined;
  const out: Record<string, unknown> = { url: redact(e.display), connector: e.connector };
  if (e.password) out.password = '***';
  if (Object.keys(e.params).length) out.params = redactRecord(e.params);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * The effective settings as plain data in the config file's shape (snake_case keys), for `--print-config`:
 * passwords as `***`, URLs without credentials, secret-looking parameters and options masked. Safe to print,
 * log or write into a report.
 */
export function describeSettings(settings: Settings | PartialSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (settings.configFiles.length) out.config_files = [...settings.configFiles];
  const source = describeEndpoint(settings.source, {
    options: Object.keys(settings.sourceOptions).length ? redactRecord(settings.sourceOptions) : undefined,
  });
  if (source) out.source = source;
  const target = describeEndpoint(settings.target, {
    schema: settings.targetSchema,
    options: Object.keys(settings.targetOptions).length ? redactRecord(settings.targetOptions) : undefined,
  });
  if (target) out.target = target;
  out.tables = settings.tables.map((t) => {
    const entry: Record<string, unknown> = { name: t.name };
    if (t.targetName) entry.target_name = t.targetName;
    if (t.key) entry.key = [...t.key];
    entry.mode = t.mode;
    entry.partition_rows = t.partitionRows;
    if (t.partitionBytes !== undefined) entry.partition_bytes = t.partitionBytes;
    return entry;
  });
  out.mode = settings.mode;
  out.workers = settings.workers;
  out.partition_rows = settings.partitionRows;
  if (settings.partitionBytes !== undefined) out.partition_bytes = settings.partitionBytes;
  out.batch_rows = settings.batchRows;
  out.state_dir = settings.stateDir;
  out.reports_dir = settings.reportsDir;
  out.run_id = settings.runId;
  out.verify = settings.verify;
  out.compare = structuredClone(settings.compare);
  out.log_level = settings.logLevel;
  if (settings.nats) {
    const nats: Record<string, unknown> = { url: redact(settings.nats.url) };
    if (settings.nats.credsFile) nats.creds_file = settings.nats.credsFile;
    if (settings.nats.tlsCaFile) nats.tls_ca_file = settings.nats.tlsCaFile;
    out.nats = nats;
  }
  out.on_error = settings.onError;
  return out;
}
