import { getConnector } from '../../connectors/index.js';
import { TempDirs, duckdbFixture, duckdbTarget } from './harness.js';
import { runSourceTargetConformance } from './suite.js';

const dirs = new TempDirs();
const duckdb = await getConnector('duckdb');

runSourceTargetConformance('duckdb (file) → duckdb', {
  source: duckdb,
  target: duckdb,
  sourceEndpoint: (tables) => duckdbFixture(dirs, tables),
  targetEndpoint: async () => duckdbTarget(dirs),
  cleanup: () => dirs.cleanup(),
});
