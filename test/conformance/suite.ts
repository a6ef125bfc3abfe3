import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Connector,
  type Endpoint,
  type KeyRange,
  type LogicalType,
  type Source,
  type TableSpec,
  type Target,
  silentLogger,
} from '../../core/index.js';
import { batchRows } from '../../formats/index.js';
import { type FixtureTable, KEYS_TABLE, TYPES_TABLE, expectedRows, fixtureTables } from './fixture.js';
import {
  type Row,
  compareKey,
  loadPartition,
  partitionsFrom,
  readBack,
  readRange,
  sortRows,
} from './helpers.js';

/**
 * The shared conformance suite of the Source and Target contracts. A connector (or a pair) is done when it
 * passes: exact values of every logical type it supports, key sampling, range reads covering every row exactly
 * once, and the target's exactly-once guarantees (fencing, abort, clearRange, concurrent loads, ledger).
 */
export interface ConformanceHarness {
  source: Connector;
  target: Connector;
  /** A fresh source holding the fixture tables (build them however the system needs). */
  sourceEndpoint(tables: FixtureTable[]): Promise<Endpoint>;
  /** A fresh, empty target; called once per test. */
  targetEndpoint(): Promise<Endpoint>;
  /** The logical types the pair carries; default all. Key columns are always kept. */
  supports?(type: LogicalType): boolean;
  /** Releases temp dirs; called once at the end. */
  cleanup?(): Promise<void>;
}

const logger = silentLogger();

/** The target may describe a column wider than mapped (a decimal(39,0) held in an unbounded integer type). */
function holdsAtLeast(have: LogicalType, want: LogicalType): boolean {
  if (have.kind === 'decimal' && want.kind === 'decimal' && have.precision === undefined) {
    return (have.scale ?? 0) === (want.scale ?? 0);
  }
  if (have.kind === 'list' && want.kind === 'list') return holdsAtLeast(have.element, want.element);
  return JSON.stringify(have) === JSON.stringify(want);
}

/**
 * Registers the conformance tests (vitest describe blocks) for a source connector reading the fixture and a
 * target connector loading it. Run it from a test file of the integration project, once per pair.
 */
export function runSourceTargetConformance(name: string, harness: ConformanceHarness): void {
  const tables = fixtureTables(harness.supports ?? (() => true));
  const types = tables.find((t) => t.name === TYPES_TABLE.name)!;
  const keyed = tables.find((t) => t.name === KEYS_TABLE.name)!;
  const expectedTypes = expectedRows(types);

  describe(`${name}: source and target conformance`, () => {
    let source: Source;
    let typesSpec: TableSpec;
    let keyedSpec: TableSpec;
    const targets: Target[] = [];

    const openTarget = async (): Promise<Target> => {
      const target = await harness.target.openTarget(await harness.targetEndpoint(), { logger });
      targets.push(target);
      return target;
    };

    /** A fresh target with the all-types table prepared, and its partitions over `id`. */
    const preparedTypes = async (runId = 'run-1') => {
      const target = await openTarget();
      const spec = target.mapTable(typesSpec, { name: 'all_types_copy' });
      await target.prepareTable(spec, 'create', { runId, resuming: false });
      const stats = await source.sampleKeys(typesSpec, ['id'], 10);
      const partitions = partitionsFrom('all_types', ['id'], stats, 3);
      return { target, spec, partitions };
    };

    beforeAll(async () => {
      source = await harness.source.openSource(await harness.sourceEndpoint(tables), {
        logger,
        readOnly: true,
      });
      typesSpec = await source.describe({ name: types.name });
      keyedSpec = await source.describe({ name: keyed.name });
    });

    afterAll(async () => {
      for (const t of targets) await t.close();
      await source?.close();
      await harness.cleanup?.();
    });

    describe('source', () => {
      it('lists the fixture tables', async () => {
        const names = (await source.listTables()).map((t) => t.name);
        expect(names).toEqual(expect.arrayContaining([types.name, keyed.name]));
      });

      it('describes every column with its exact logical type', () => {
        expect(typesSpec.columns.map((c) => [c.name, c.type])).toEqual(
          types.columns.map((c) => [c.name, c.type]),
        );
        expect(keyedSpec.columns.map((c) => c.name)).toEqual(['n', 'k1', 'k2', 'v']);
      });

      it('reads every value exactly, in batches of at most batchRows', async () => {
        const { rows, batches } = await readRange(source, typesSpec, { columns: [], whole: true }, 3);
        expect(batches.length).toBeGreaterThanOrEqual(3);
        expect(sortRows(rows)).toEqual(expectedTypes);
      });

      it('reads a chosen subset of columns in the order asked', async () => {
        const rows: Row[] = [];
        const range = { columns: ['id'], lo: ['5'], hi: ['6'] };
        for await (const b of source.read(typesSpec, range, { batchRows: 10, columns: ['txt', 'id'] })) {
          rows.push(...batchRows(b));
        }
        expect(rows).toEqual([[expectedTypes[4]![types.columns.findIndex((c) => c.name === 'txt')]!, 5n]]);
      });

      it('samples keys: exact counts, NULL keys counted apart, samples in key order, deterministic', async () => {
        const stats = await source.sampleKeys(keyedSpec, ['k1', 'k2'], 50);
        const nullKeys = Array.from({ length: 3000 }, (_, i) => i).filter(
          (i) => i % 100 === 7 || i % 150 === 11,
        );
        expect(stats.rows).toBe(3000);
        expect(stats.exact).toBe(true);
        expect(stats.nullKeyRows).toBe(nullKeys.length);
        expect(stats.samples).toHaveLength(50);
        for (let i = 1; i < stats.samples.length; i++) {
          expect(
            compareKey([Number(stats.samples[i]![0]), stats.samples[i]![1]!], stats.samples[i - 1]!),
          ).toBeGreaterThanOrEqual(0);
        }
        expect(stats.samples.every((s) => /^\d+$/.test(s[0]!) && /^k\d{3}ä$/.test(s[1]!))).toBe(true);
        expect(await source.sampleKeys(keyedSpec, ['k1', 'k2'], 50)).toEqual(stats);
      });

      it('range reads cover every row exactly once, each within its typed range', async () => {
        const stats = await source.sampleKeys(keyedSpec, ['k1', 'k2'], 60);
        const partitions = partitionsFrom('keyed', ['k1', 'k2'], stats, 10);
        expect(partitions.length).toBeGreaterThan(4);
        const seen = new Map<bigint, number>();
        for (const p of partitions) {
          const { rows } = await readRange(source, keyedSpec, p.range, 7);
          for (const [n, k1, k2] of rows) {
            seen.set(n as bigint, (seen.get(n as bigint) ?? 0) + 1);
            if (p.range.nullKey) expect(k1 === null || k2 === null).toBe(true);
            else {
              expect(k1 !== null && k2 !== null).toBe(true);
              if (p.range.lo) expect(compareKey([k1!, k2!], p.range.lo)).toBeGreaterThanOrEqual(0);
              if (p.range.hi) expect(compareKey([k1!, k2!], p.range.hi)).toBeLessThan(0);
            }
          }
        }
        expect(seen.size).toBe(3000);
        expect([...seen.values()].every((c) => c === 1)).toBe(true);
      });
    });

    describe('target', () => {
      it('round-trips every type and edge value through partitions, ledger and read-back', async () => {
        const { target, spec, partitions } = await preparedTypes();
        let total = 0;
        for (const p of partitions)
          total += await loadPartition(source, typesSpec, target, spec, p, { runId: 'run-1' });
        await target.finishTable(spec);
        expect(total).toBe(types.rows);
        expect(await readBack(target, spec)).toEqual(expectedTypes);
        const described = await target.describe(spec);
        expect(described?.columns.map((c) => c.name)).toEqual(spec.columns.map((c) => c.name));
        expect(described?.columns.every((c, i) => holdsAtLeast(c.type, spec.columns[i]!.type))).toBe(true);
        const ledger = await target.readLedger('run-1');
        expect(ledger.map((e) => e.partitionId)).toEqual(partitions.map((p) => p.id).sort());
      });

      it('refuses a commit with a lower attempt than the recorded one (fenced), leaving the newer data', async () => {
        const { target, spec, partitions } = await preparedTypes();
        const p = partitions[0]!;
        // The stale writer opened before the newer attempt committed, and commits after it.
        const stale = await target.openPartition({
          runId: 'run-1',
          planHash: 'h',
          table: spec,
          partition: p,
          attempt: 1,
          clearRange: false,
        });
        const rows = await loadPartition(source, typesSpec, target, spec, p, { runId: 'run-1', attempt: 2 });
        for await (const b of source.read(typesSpec, p.range, { batchRows: 100 })) await stale.write(b);
        const entry = {
          runId: 'run-1',
          partitionId: p.id,
          table: spec.name,
          planHash: 'h',
          attempt: 1,
          rows: '1',
          checksum: 'x',
        };
        await expect(stale.commit(entry)).rejects.toMatchObject({
          code: 'DATA',
          message: expect.stringMatching(/fenced/),
        });
        await stale.abort();
        // A writer opened after the newer commit is refused the same way.
        await expect(
          loadPartition(source, typesSpec, target, spec, p, { runId: 'run-1', attempt: 1 }),
        ).rejects.toMatchObject({ code: 'DATA', message: expect.stringMatching(/fenced/) });
        expect(await readBack(target, spec)).toHaveLength(rows);
        const ledger = await target.readLedger('run-1');
        expect(ledger).toHaveLength(1);
        expect(ledger[0]).toMatchObject({ partitionId: p.id, attempt: 2, rows: String(rows) });
      });

      it('abort leaves nothing: no rows, no ledger entry', async () => {
        const { target, spec, partitions } = await preparedTypes();
        const writer = await target.openPartition({
          runId: 'run-1',
          planHash: 'h',
          table: spec,
          partition: partitions[0]!,
          attempt: 1,
          clearRange: false,
        });
        for await (const b of source.read(typesSpec, { columns: [], whole: true }, { batchRows: 2 }))
          await writer.write(b);
        await writer.abort();
        await writer.abort();
        expect(await readBack(target, spec)).toEqual([]);
        expect(await target.readLedger('run-1')).toEqual([]);
      });

      it('clearRange replaces what an earlier commit left in the range, and nothing else', async () => {
        const { target, spec, partitions } = await preparedTypes();
        for (const p of partitions)
          await loadPartition(source, typesSpec, target, spec, p, { runId: 'run-1' });
        const p = partitions.find((x) => x.range.lo && x.range.hi)!;
        const lo = p.range.lo![0]!;
        // Re-run the partition, this time writing only its first key.
        const only: KeyRange = { columns: ['id'], lo: [lo], hi: [String(BigInt(lo) + 1n)] };
        const written = await loadPartition(source, typesSpec, target, spec, p, {
          runId: 'run-1',
          attempt: 2,
          clearRange: true,
          readRange: only,
        });
        expect(written).toBe(1);
        const ids = (await readBack(target, spec)).map((r) => r[0]);
        const inRange = (id: bigint) => id >= BigInt(lo) && id < BigInt(p.range.hi![0]!);
        expect(ids.filter((id) => inRange(id as bigint))).toEqual([BigInt(lo)]);
        expect(ids.filter((id) => !inRange(id as bigint))).toEqual(
          expectedTypes.map((r) => r[0]).filter((id) => !inRange(id as bigint)),
        );
        expect((await target.readLedger('run-1')).find((e) => e.partitionId === p.id)?.attempt).toBe(2);
      });

      it('loads partitions of one table concurrently, each in its own transaction; an aborted one leaves nothing', async () => {
        const target = await openTarget();
        const spec = target.mapTable(keyedSpec, { name: 'keyed_copy' });
        await target.prepareTable(spec, 'create', { runId: 'run-c', resuming: false });
        const stats = await source.sampleKeys(keyedSpec, ['k1', 'k2'], 40);
        const partitions = partitionsFrom('keyed', ['k1', 'k2'], stats, 8);
        const writers = await Promise.all(
          partitions.map((p) =>
            target.openPartition({
              runId: 'run-c',
              planHash: 'h',
              table: spec,
              partition: p,
              attempt: 1,
              clearRange: true,
            }),
          ),
        );
        const batches = await Promise.all(
          partitions.map(async (p) => (await readRange(source, keyedSpec, p.range, 50)).batches),
        );
        // Interleave: one batch of each partition in turn.
        for (let i = 0; batches.some((b) => i < b.length); i++) {
          await Promise.all(batches.map((b, w) => (i < b.length ? writers[w]!.write(b[i]!) : undefined)));
        }
        const aborted = 1;
        await Promise.all(
          writers.map((w, i) =>
            i === aborted
              ? w.abort()
              : w.commit({
                  runId: 'run-c',
                  partitionId: partitions[i]!.id,
                  table: spec.name,
                  planHash: 'h',
                  attempt: 1,
                  rows: String(batches[i]!.reduce((s, b) => s + b.numRows, 0)),
                  checksum: 'c',
                }),
          ),
        );
        const missing = new Set(batches[aborted]!.flatMap((b) => batchRows(b).map((r) => r[0])));
        expect(missing.size).toBeGreaterThan(0);
        const all = Array.from({ length: 3000 }, (_, i) => BigInt(i));
        expect((await readBack(target, spec)).map((r) => r[0])).toEqual(all.filter((n) => !missing.has(n)));
        expect((await target.readLedger('run-c')).map((e) => e.partitionId)).not.toContain(
          partitions[aborted]!.id,
        );
        await loadPartition(source, keyedSpec, target, spec, partitions[aborted]!, {
          runId: 'run-c',
          attempt: 2,
        });
        await target.finishTable(spec);
        const rows = await readBack(target, spec);
        expect(rows.map((r) => r[0])).toEqual(all);
        expect(rows[8]).toEqual([
          8n,
          (8 * 7919) % 500,
          `k${String((8 * 31) % 97).padStart(3, '0')}ä`,
          '1.0000',
        ]);
        expect(await target.readLedger('run-c')).toHaveLength(partitions.length);
      });

      it('keeps a ledger per run: entries read back exactly', async () => {
        const { target, spec, partitions } = await preparedTypes('run-a');
        await loadPartition(source, typesSpec, target, spec, partitions[0]!, { runId: 'run-a', attempt: 3 });
        await loadPartition(source, typesSpec, target, spec, partitions[1]!, { runId: 'run-a' });
        await loadPartition(source, typesSpec, target, spec, partitions[2]!, { runId: 'run-b' });
        const a = await target.readLedger('run-a');
        expect(a.map(({ committedAt, ...rest }) => rest)).toEqual(
          [partitions[0]!, partitions[1]!]
            .map((p, i) => ({
              runId: 'run-a',
              partitionId: p.id,
              table: spec.name,
              planHash: 'plan-hash',
              attempt: i === 0 ? 3 : 1,
              checksum: `sum-${p.id}-${i === 0 ? 3 : 1}`,
            }))
            .map((e) => expect.objectContaining(e)),
        );
        for (const e of a) {
          expect(Number.isNaN(Date.parse(e.committedAt))).toBe(false);
          expect(e.rows).toMatch(/^\d+$/);
        }
        expect(await target.readLedger()).toHaveLength(3);
        expect(await target.readLedger('run-none')).toEqual([]);
      });

      it('prepares tables per mode: create refuses an existing table, resuming keeps rows, append checks shape, replace empties', async () => {
        const { target, spec, partitions } = await preparedTypes();
        await loadPartition(source, typesSpec, target, spec, partitions[0]!, { runId: 'run-1' });
        const loaded = (await readBack(target, spec)).length;
        expect(loaded).toBeGreaterThan(0);
        await expect(
          target.prepareTable(spec, 'create', { runId: 'run-2', resuming: false }),
        ).rejects.toMatchObject({
          code: 'SCHEMA_MISMATCH',
          context: { table: 'all_types_copy' },
        });
        await target.prepareTable(spec, 'replace', { runId: 'run-1', resuming: true });
        await target.prepareTable(spec, 'truncate', { runId: 'run-1', resuming: true });
        expect(await readBack(target, spec)).toHaveLength(loaded);
        const wider: TableSpec = {
          ...spec,
          columns: [...spec.columns, { ...spec.columns[1]!, name: 'extra' }],
        };
        await expect(
          target.prepareTable(wider, 'append', { runId: 'run-2', resuming: false }),
        ).rejects.toMatchObject({
          code: 'SCHEMA_MISMATCH',
          context: { column: 'extra' },
        });
        const narrowed: TableSpec = {
          ...spec,
          columns: spec.columns.map((c) =>
            c.name === 'd12' ? { ...c, type: { kind: 'decimal', precision: 30, scale: 6 } } : c,
          ),
        };
        narrowed.columns = target.mapTable(narrowed, spec).columns;
        await expect(
          target.prepareTable(narrowed, 'append', { runId: 'run-2', resuming: false }),
        ).rejects.toMatchObject({
          code: 'SCHEMA_MISMATCH',
          context: { column: 'd12' },
        });
        await target.prepareTable(spec, 'append', { runId: 'run-2', resuming: false });
        expect(await readBack(target, spec)).toHaveLength(loaded);
        await target.prepareTable(spec, 'replace', { runId: 'run-3', resuming: false });
        expect(await readBack(target, spec)).toEqual([]);
      });
    });
  });
}
