import type pg from 'pg';
import { FerryError, type KeyStats, type KeyTuple, tableName } from '../../core/index.js';
import { batchReaders, keyText } from '../../formats/index.js';
import { query } from './connection.js';
import type { PgTable } from './introspect.js';
import { copyOut } from './read-copy.js';
import { ident, qualified } from './sql-text.js';

/**
 * Key statistics for partitioning.
 *
 * Keys are sampled with `TABLESAMPLE BERNOULLI … REPEATABLE (1)` (SYSTEM beyond 10 M rows: it reads pages,
 * not rows) and read in the source's `ORDER BY` (the key columns' collations), so boundaries and the range
 * predicates that later read them agree. Small tables (≤ 100 000 estimated rows) are read whole, exactly.
 * Values come through the binary COPY decoder and formats/ `keyText`, so they are canonical key text.
 *
 * A large table keyed by one integer column is split at the column's `pg_stats` histogram bounds instead, without
 * reading it, when those describe it: fresh (at most 10 % of the rows changed since ANALYZE), no most common
 * values (the histogram leaves them out, so a skewed key is sampled), and enough bounds for the partitions
 * wanted (one bucket or more each; the planner takes ~64 samples per partition, so `maxSamples / 64`).
 *
 * A table without a usable key can be split on the pseudo key `ctid`: samples are evenly spaced block
 * numbers `(b,0)` up to the table's current size, and ranges read with TID range scans (PostgreSQL ≥ 14).
 */

const EXACT_LIMIT = 100_000;
const KEY_KINDS = new Set(['bool', 'int', 'decimal', 'text', 'float', 'uuid', 'date', 'time', 'timestamp']);
const SYSTEM_LIMIT = 10_000_000;
const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);
/** Statistics older than this share of the rows changed are not trusted for splitting. */
const STALE_SHARE = 0.1;

export async function sampleKeys(
  client: pg.Client,
  table: PgTable,
  keyColumns: string[],
  maxSamples: number,
): Promise<KeyStats> {
  const spec = table.spec;
  const name = tableName(spec);
  if (keyColumns.length === 1 && keyColumns[0] === 'ctid') return ctidSamples(client, table, maxSamples);
  const idx = keyColumns.map((k) => {
    const i = spec.columns.findIndex((c) => c.name === k);
    if (i < 0)
      throw new FerryError('CONFIG', `key column ${k} is not a column of ${name}`, {
        table: name,
        column: k,
      });
    return i;
  });
  const keyCols = idx.map((i) => spec.columns[i]!);
  for (const c of keyCols)
    if (!KEY_KINDS.has(c.type.kind))
      throw new FerryError(
        'TYPE',
        `a ${c.type.kind} column (${c.name}) of ${name} cannot be a partitioning key`,
        {
          table: name,
          column: c.name,
          hint: 'choose another key column, or let the table load as one partition',
        },
      );
  const cols = keyColumns.map(ident).join(', ');
  let estimate = spec.estimatedRows;
  let exact = false;
  if (estimate <= 0) {
    const rows = await query<{ n: string }>(
      client,
      `SELECT count(*)::text AS n FROM ${qualified(spec)}`,
      [],
      `cannot count ${name}`,
      {
        table: name,
      },
    );
    estimate = Number(rows[0]!.n);
    exact = true;
  }
  if (estimate > EXACT_LIMIT && keyCols.length === 1 && INTEGER_TYPES.has(keyCols[0]!.nativeType)) {
    const stats = await histogramStats(client, table, keyCols[0]!.name, estimate, maxSamples);
    if (stats) return stats;
  }
  let sample = '';
  let fraction = 1;
  if (estimate > EXACT_LIMIT) {
    const pct = Math.min(100, (100 * Math.max(maxSamples * 20, 20_000)) / estimate);
    fraction = pct / 100;
    sample = ` TABLESAMPLE ${estimate > SYSTEM_LIMIT ? 'SYSTEM' : 'BERNOULLI'} (${pct.toFixed(6)}) REPEATABLE (1)`;
    exact = false;
  } else exact = true;
  const sql = `SELECT ${cols} FROM ${qualified(spec)}${sample} ORDER BY ${cols}`;
  const samples: KeyTuple[] = [];
  let total = 0;
  let nulls = 0;
  const keySpec = { ...table, spec: { ...spec, columns: keyCols }, codecs: idx.map((i) => table.codecs[i]!) };
  for await (const batch of copyOut(client, sql, keySpec, { batchRows: 10_000 })) {
    const readers = batchReaders(batch);
    for (let r = 0; r < batch.numRows; r++) {
      total++;
      if (readers.some((rd) => rd.isNull(r))) {
        nulls++;
        continue;
      }
      samples.push(readers.map((rd, k) => keyText(rd.get(r)!, keyCols[k]!.type, keyCols[k]!.name)));
    }
  }
  const rows = exact ? total : Math.max(estimate, Math.round(total / fraction));
  return {
    rows,
    exact,
    nullKeyRows: exact ? nulls : Math.round(nulls / fraction),
    samples: thin(samples, maxSamples),
  };
}

/** Key statistics from the integer column's histogram bounds, when they describe the table (module comment). */
async function histogramStats(
  client: pg.Client,
  table: PgTable,
  column: string,
  estimate: number,
  maxSamples: number,
): Promise<KeyStats | undefined> {
  const spec = table.spec;
  const rows = await query<{ bounds: string | null; null_frac: number; mcv: boolean; modified: number }>(
    client,
    `SELECT s.histogram_bounds::text AS bounds, s.null_frac::float8 AS null_frac,
            s.most_common_vals IS NOT NULL AS mcv, coalesce(u.n_mod_since_analyze, 0)::float8 AS modified
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND NOT s.inherited
       LEFT JOIN pg_stat_all_tables u ON u.relid = c.oid
      WHERE c.oid = $1::oid AND s.attname = $2`,
    [table.oid, column],
    `cannot read the statistics of ${tableName(spec)}`,
    { table: tableName(spec), column },
  );
  const r = rows[0];
  if (!r?.bounds || r.mcv || r.modified > STALE_SHARE * estimate) return undefined;
  const bounds = r.bounds.replace(/^\{|\}$/g, '').split(',');
  if (bounds.length - 1 < Math.ceil(maxSamples / 64) || !bounds.every((b) => /^-?\d+$/.test(b)))
    return undefined;
  return {
    rows: estimate,
    exact: false,
    nullKeyRows: Math.round(estimate * r.null_frac),
    samples: bounds.map((b) => [BigInt(b).toString()]),
    samplesFrom: 'histogram bounds of pg_stats',
  };
}

/** At most `max` samples at evenly spaced ranks (sample i ≈ quantile i/max, as KeyStats says), order kept. */
function thin(samples: KeyTuple[], max: number): KeyTuple[] {
  if (samples.length <= max) return samples;
  const out: KeyTuple[] = [];
  for (let i = 0; i < max; i++) out.push(samples[Math.floor((i * samples.length) / max)]!);
  return out;
}

async function ctidSamples(client: pg.Client, table: PgTable, maxSamples: number): Promise<KeyStats> {
  const name = tableName(table.spec);
  const rows = await query<{ blocks: string; kind: string; v: number }>(
    client,
    `SELECT (pg_relation_size($1::oid) / current_setting('block_size')::int)::text AS blocks,
            (SELECT relkind::text FROM pg_class WHERE oid = $1::oid) AS kind,
            current_setting('server_version_num')::int AS v`,
    [table.oid],
    `cannot size ${name}`,
    { table: name },
  );
  const r = rows[0]!;
  if (r.kind !== 'r')
    throw new FerryError(
      'CONFIG',
      `${name} is partitioned or not a plain table: it cannot be split by ctid`,
      {
        table: name,
        hint: 'migrate its partitions as tables, or give it a key',
      },
    );
  if (r.v < 140000)
    throw new FerryError(
      'CONFIG',
      `splitting ${name} by ctid needs PostgreSQL 14 or later (TID range scans)`,
      {
        table: name,
      },
    );
  const blocks = Number(r.blocks);
  const n = Math.min(maxSamples, blocks);
  const samples: KeyTuple[] = [];
  for (let i = 0; i < n; i++) samples.push([`(${Math.floor((i * blocks) / n)},0)`]);
  return { rows: Math.max(table.spec.estimatedRows, 0), exact: false, nullKeyRows: 0, samples };
}
