import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planHash } from '../../coordinator/index.js';
import { getConnector } from '../../connectors/index.js';
import {
  type Column,
  type KeyStats,
  type Plan,
  type Source,
  type TableSpec,
  type Target,
  parseEndpoint,
  silentLogger,
} from '../../core/index.js';
import { BatchBuilder } from '../../formats/index.js';
import { TASK_SCHEMA } from '../../transport/index.js';
import { BatchPool, type PartitionRunnerDeps, runPartition } from '../../worker/index.js';

const columns: Column[] = [
  { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'BIGINT' },
  { name: 'payload', type: { kind: 'text' }, nullable: true, nativeType: 'VARCHAR' },
];
const spec: TableSpec = { name: 'events', columns, primaryKey: ['id'], estimatedRows: 0, estimatedBytes: 0 };

/**
 * A source that makes batches on demand and records how many it has produced, and whether its generator was
 * finished (the place a real connector releases its cursor and connection).
 */
class CountingSource implements Source {
  produced = 0;
  released = 0;
  constructor(
    readonly batches: number,
    readonly rowsPerBatch: number,
  ) {}
  async listTables() {
    return [spec];
  }
  async describe() {
    return spec;
  }
  async sampleKeys(): Promise<KeyStats> {
    return { rows: 0, exact: true, nullKeyRows: 0, samples: [] };
  }
  async *read(): AsyncIterable<RecordBatch> {
    try {
      for (let b = 0; b < this.batches; b++) {
        const builder = new BatchBuilder(columns, this.rowsPerBatch);
        for (let i = 0; i < this.rowsPerBatch; i++) builder.appendRow([BigInt(b * this.rowsPerBatch + i), 'x'.repeat(100)]);
        this.produced++;
        yield builder.finish();
      }
    } finally {
      this.released++;
    }
  }
  async close() {}
}

/** Wraps a real target so each write is slow, and records the source's lead over the writes. */
function slowTarget(target: Target, source: CountingSource, delayMs: number, leads: number[], onWrite?: (n: number) => void): Target {
  return Object.assign(Object.create(target), {
    openPartition: async (...args: Parameters<Target['openPartition']>) => {
      const writer = await target.openPartition(...args);
      let written = 0;
      return {
        write: async (batch: RecordBatch) => {
          await new Promise((r) => setTimeout(r, delayMs));
          await writer.write(batch);
          written++;
          leads.push(source.produced - written);
          onWrite?.(written);
        },
        commit: writer.commit.bind(writer),
        abort: writer.abort.bind(writer),
      };
    },
  }) as Target;
}

function planFor(rowsPerBatch: number): Plan {
  const body: Omit<Plan, 'hash'> = {
    version: 1,
    source: { connector: 'test', display: 'test:' },
    target: { connector: 'duckdb', display: 'duckdb:' },
    mode: 'create',
    options: { partitionRows: 1_000_000, batchRows: rowsPerBatch },
    tables: [
      {
        source: spec,
        target: spec,
        columns: columns.map((c) => ({ source: c.name, target: c.name })),
        keyColumns: ['id'],
        mode: 'create',
        partitioning: { strategy: 'range', reason: 'test' },
        partitions: [{ id: 'events#0', table: 'events', index: 0, range: { columns: ['id'] }, estimatedRows: 0 }],
      },
    ],
  };
  return { ...body, hash: planHash(body) };
}

describe('partition pipeline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-pipeline-'));
  const pool = new BatchPool(2);
  let target: Target;
  beforeAll(async () => {
    target = await (await getConnector('duckdb')).openTarget(parseEndpoint(`duckdb:${join(dir, 't.duckdb')}`), { logger: silentLogger() });
  });
  afterAll(async () => {
    await target.close();
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const deps = async (source: Source, t: Target, plan: Plan): Promise<PartitionRunnerDeps> => ({
    source,
    target: t,
    verifier: await target.reader(),
    pool,
    logger: silentLogger(),
    getPlan: async () => plan,
    verify: true,
  });

  it('back-pressure: a slow target keeps the source at most two batches ahead (memory flat)', async () => {
    const plan = planFor(1000);
    await target.prepareTable(spec, 'replace', { runId: 'bp', resuming: false });
    const source = new CountingSource(40, 1000);
    const leads: number[] = [];
    const result = await runPartition(
      await deps(source, slowTarget(target, source, 5, leads), plan),
      { schema: TASK_SCHEMA, runId: 'bp', partitionId: 'events#0', attempt: 1 },
      { signal: new AbortController().signal, heartbeat: () => {}, deliveries: 1 },
    );
    expect(result.status).toBe('done');
    expect(result.verified).toBe(true);
    expect(result.written?.rows).toBe('40000');
    expect(leads).toHaveLength(40);
    expect(Math.max(...leads)).toBeLessThanOrEqual(2);
    expect(source.released).toBe(1);
  });

  it('cleanup: an abort mid-partition rolls the load back and releases the source', async () => {
    const plan = planFor(500);
    await target.prepareTable(spec, 'replace', { runId: 'abort', resuming: false });
    const source = new CountingSource(1000, 500);
    const controller = new AbortController();
    const leads: number[] = [];
    const result = await runPartition(
      await deps(source, slowTarget(target, source, 1, leads, (n) => n === 5 && controller.abort(new Error('shutting down'))), plan),
      { schema: TASK_SCHEMA, runId: 'abort', partitionId: 'events#0', attempt: 1 },
      { signal: controller.signal, heartbeat: () => {}, deliveries: 1 },
    );
    expect(result.status).toBe('failed');
    expect(source.produced).toBeLessThan(20);
    expect(source.released).toBe(1);
    const reader = await target.reader();
    let rows = 0;
    for await (const b of reader.read(spec, { columns: ['id'], whole: true }, { batchRows: 1000 })) rows += b.numRows;
    await reader.close();
    expect(rows).toBe(0);
    expect(await target.readLedger('abort')).toEqual([]);
  });
});
