import { getConnector } from '../../connectors/index.js';
import { TempDirs, duckdbFixture, parquetTarget } from './harness.js';
import { runSourceTargetConformance } from './suite.js';

const dirs = new TempDirs();

runSourceTargetConformance('duckdb → parquet', {
  source: await getConnector('duckdb'),
  target: await getConnector('parquet'),
  sourceEndpoint: (tables) => duckdbFixture(dirs, tables),
  targetEndpoint: async () => parquetTarget(dirs),
  cleanup: () => dirs.cleanup(),
});
