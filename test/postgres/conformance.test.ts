import { getConnector } from '../../connectors/index.js';
import { postgresConnector } from '../../connectors/postgres/index.js';
import { type Endpoint, parseEndpoint, silentLogger } from '../../core/index.js';
import {
  duckdbFixture,
  duckdbTarget,
  type FixtureTable,
  parquetTarget,
  runSourceTargetConformance,
  TempDirs,
} from '../conformance/index.js';
import { createTestDatabase, requireServices, type TestDatabase } from '../helpers/services.js';

/**
 * The shared conformance suite with PostgreSQL as target (from DuckDB), as source and target, and as source
 * (into DuckDB). PostgreSQL fixtures are built from the DuckDB fixture through the connectors themselves:
 * DuckDB source → PostgreSQL target, one partition per table.
 */

const svc = await requireServices(['pg']);
const dirs = new TempDirs();
const databases: TestDatabase[] = [];
const logger = silentLogger();

async function freshDatabase(prefix: string): Promise<Endpoint> {
  const db = await createTestDatabase('pg', svc.urls.pg!, prefix);
  databases.push(db);
  return parseEndpoint(db.url);
}

async function pgFixture(tables: FixtureTable[]): Promise<Endpoint> {
  const duckdb = await getConnector('duckdb');
  const source = await duckdb.openSource(await duckdbFixture(dirs, tables), { logger });
  const endpoint = await freshDatabase('conf_src');
  const target = await postgresConnector.openTarget(endpoint, { logger });
  try {
    for (const t of tables) {
      const spec = await source.describe({ name: t.name });
      const tspec = target.mapTable(spec, { name: t.name });
      await target.prepareTable(tspec, 'create', { runId: 'fixture', resuming: false });
      const partition = {
        id: `${t.name}#0`,
        table: t.name,
        index: 0,
        range: { columns: [], whole: true },
        estimatedRows: 0,
      };
      const w = await target.openPartition({
        runId: 'fixture',
        planHash: 'f',
        table: tspec,
        partition,
        attempt: 1,
        clearRange: false,
      });
      let rows = 0;
      for await (const b of source.read(spec, partition.range, { batchRows: 1000 })) {
        rows += b.numRows;
        await w.write(b);
      }
      await w.commit({
        runId: 'fixture',
        partitionId: partition.id,
        table: t.name,
        planHash: 'f',
        attempt: 1,
        rows: String(rows),
        checksum: '0',
      });
      await target.finishTable(tspec);
    }
  } finally {
    await source.close();
    await target.close();
  }
  return endpoint;
}

const cleanup = async () => {
  await Promise.all(databases.splice(0).map((d) => d.drop()));
  await dirs.cleanup();
};

if (svc.available) {
  const duckdb = await getConnector('duckdb');
  runSourceTargetConformance('duckdb → postgres', {
    source: duckdb,
    target: postgresConnector,
    sourceEndpoint: (tables) => duckdbFixture(dirs, tables),
    targetEndpoint: () => freshDatabase('conf_dst'),
    cleanup,
  });
  runSourceTargetConformance('postgres → postgres', {
    source: postgresConnector,
    target: postgresConnector,
    sourceEndpoint: pgFixture,
    targetEndpoint: () => freshDatabase('conf_dst'),
    cleanup,
  });
  runSourceTargetConformance('postgres → duckdb', {
    source: postgresConnector,
    target: duckdb,
    sourceEndpoint: pgFixture,
    targetEndpoint: async () => duckdbTarget(dirs),
    cleanup,
  });
  runSourceTargetConformance('postgres → parquet', {
    source: postgresConnector,
    target: await getConnector('parquet'),
    sourceEndpoint: pgFixture,
    targetEndpoint: async () => parquetTarget(dirs),
    cleanup,
  });
}
