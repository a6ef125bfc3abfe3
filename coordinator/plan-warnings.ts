import type { Endpoint, Plan, TablePlan, TableSettings } from '../core/index.js';
import { tableName } from '../core/index.js';
import { type PiiCategory, type PiiConfidence, piiByName } from '../profiling/index.js';
import type { TableTransform, TargetColumnRule } from '../transform/index.js';

/**
 * What `ferry plan` warns about before any data moves (issue 7):
 *  - a server connection that does not verify the server's certificate and host name (`sslmode` other than
 *    verify-full on a non-loopback host; a plain `nats://` URL to a non-loopback server);
 *  - a column whose name marks it as likely personal data (profiling's `piiByName`) that reaches the target
 *    unmasked, unless the table's `pii_ok` lists it (by target or source column name).
 * Loopback hosts are exempt from the TLS warning: their traffic does not leave the machine.
 */

/** One warning, with what it concerns. */
export interface PlanWarning {
  kind: 'tls' | 'pii';
  message: string;
  table?: string;
  column?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/** TLS warnings for server endpoints (those with a host) and NATS URLs. */
export function tlsWarnings(
  endpoints: readonly { side: string; endpoint: Endpoint }[],
  natsUrl?: string,
): PlanWarning[] {
  const out: PlanWarning[] = [];
  for (const { side, endpoint } of endpoints) {
    const host = endpoint.host;
    if (!host || LOOPBACK.has(host)) continue;
    const mode = endpoint.params.sslmode ?? 'verify-full';
    if (mode === 'verify-full') continue;
    out.push({
      kind: 'tls',
      message: `the ${side} connection (${endpoint.display}) uses sslmode=${mode}: ${
        mode === 'disable'
          ? 'not encrypted, and the server is not verified'
          : mode === 'verify-ca'
            ? "the server's host name is not checked"
            : 'the server is not verified'
      } — use sslmode=verify-full with sslrootcert=CA_FILE`,
    });
  }
  for (const server of (natsUrl ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z]+):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(server);
    if (!m || m[1]!.toLowerCase() !== 'nats' || LOOPBACK.has(m[2]!)) continue;
    out.push({
      kind: 'tls',
      message: `the NATS server ${m[2]} is reached over plain nats:// — use tls://HOST:PORT with nats.tls_ca_file`,
    });
  }
  return out;
}

/** The source columns a target column rule reads, and whether it masks them. */
function ruleSources(rule: TargetColumnRule): { columns: string[]; masked: boolean } {
  const s = rule.source;
  const columns = s.kind === 'from' || s.kind === 'split' ? [s.column] : s.kind === 'concat' ? s.columns : [];
  // A v5 UUID of the key is a pseudonym, not the value.
  return { columns, masked: rule.mask !== undefined || s.kind === 'uuid_v5' };
}

/** The table's settings entry (`people` or `public.people`), if any. */
function settingsOf(t: TablePlan, tables: readonly TableSettings[]): TableSettings | undefined {
  const full = tableName(t.source);
  return tables.find((s) => s.name === full || s.name === t.source.name);
}

/** PII warnings: likely-personal columns that reach the target unmasked and are not in `pii_ok`. */
export function piiWarnings(plan: Plan, tables: readonly TableSettings[]): PlanWarning[] {
  const out: PlanWarning[] = [];
  for (const t of plan.tables) {
    const ok = new Set(settingsOf(t, tables)?.piiOk ?? []);
    const transform = t.transform as TableTransform | undefined;
    const targets = transform
      ? transform.columns.map((r) => ({ target: r.name, ...ruleSources(r) }))
      : t.columns.map((m) => ({
          target: m.source === m.target ? m.target : m.target,
          columns: [m.source],
          masked: false,
        }));
    for (const c of targets) {
      if (c.masked || ok.has(c.target) || c.columns.some((s) => ok.has(s))) continue;
      const flags = [c.target, ...c.columns]
        .map((name) => ({ name, flag: piiByName(name) }))
        .filter(
          (x): x is { name: string; flag: { category: PiiCategory; confidence: PiiConfidence } } => !!x.flag,
        );
      const first = flags[0];
      if (!first) continue;
      const table = tableName(t.source);
      out.push({
        kind: 'pii',
        table,
        column: c.target,
        message: `${table}.${c.target} looks like personal data (${first.flag.category.replace('_', ' ')}, ${first.flag.confidence} confidence, by the name ${first.name}) and goes to the target unmasked — mask it (columns: {${c.target}: {mask: hash}}) or acknowledge it with pii_ok: [${c.target}] on the table`,
      });
    }
  }
  return out;
}

/** Every warning of a plan made with these settings. */
export function planWarnings(
  plan: Plan,
  settings: {
    source: Endpoint;
    target: Endpoint;
    tables: readonly TableSettings[];
    nats?: { url: string } | undefined;
  },
): PlanWarning[] {
  return [
    ...tlsWarnings(
      [
        { side: 'source', endpoint: settings.source },
        { side: 'target', endpoint: settings.target },
      ],
      settings.nats?.url,
    ),
    ...piiWarnings(plan, settings.tables),
  ];
}
