import { getConnector } from '../../connectors/index.js';
import { TempDirs, duckdbTarget, parquetFixture, parquetFixtureSupports } from './harness.js';
import { runSourceTargetConformance } from './suite.js';

const dirs = new TempDirs();

runSourceTargetConformance('parquet → duckdb', {
  source: await getConnector('parquet'),
  target: await getConnector('duckdb'),
  sourceEndpoint: (tables) => parquetFixture(dirs, tables),
  targetEndpoint: async () => duckdbTarget(dirs),
  supports: parquetFixtureSupports,
  cleanup: () => dirs.cleanup(),
});
