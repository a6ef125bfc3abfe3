import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runNode } from '../cli/cli-harness.js';
import { requireServices } from '../helpers/services.js';

/**
 * Every benchmark in bench/ at a tiny size: it runs, its ferry runs verify, and it prints the lines
 * docs/benchmarks.md describes. Speed is never asserted here (bench/ measures it); this keeps the benchmarks
 * from rotting between the times someone measures with them.
 */
await requireServices(['pg', 'mysql', 'nats']);

/** Runs a compiled benchmark with this environment (its services' env file, FERRY_SERVICES_DIR). */
async function bench(script: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runNode(resolve(ROOT, 'dist/bench', script), args);
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited ${code}:\n${stderr.slice(-4000)}`);
  return stdout;
}

describe('benchmarks at a tiny size', () => {
  it('pg-to-pg: ferry verified, the pipes and the same-work baseline measured', async () => {
    const out = await bench('pg-to-pg.js', ['--scale', '1', '--mixed', '2000', '--rounds', '1']);
    expect(out).toMatch(/^ferry .* verified=true$/m);
    for (const line of ['1 pipe', '2 pipes', 'same work'])
      expect(out).toMatch(new RegExp(`^${line} +[0-9.]+ s +[0-9,]+ rows/s`, 'm'));
    expect(out).toMatch(/^ratio \(best pipe time \/ ferry time\): [0-9.]+/m);
    expect(out).toMatch(/^ratio \(same work time \/ ferry time\): [0-9.]+/m);
    expect(out).toMatch(/^same work CPU \(core-s\): psql\/md5sum [0-9.]+ \+ PostgreSQL [0-9.]+/m);
  });

  it('mysql-to-pg: ferry and pgloader both move every row', async () => {
    const out = await bench('mysql-to-pg.js', ['--tables', '1', '--table-size', '2000', '--rounds', '1']);
    expect(out).toMatch(/^ferry .*rows ok=true +verified=true$/m);
    expect(out).toMatch(/^pgloader .*rows ok=true$/m);
    expect(out).toMatch(/^ratio \(pgloader time \/ ferry time\): [0-9.]+×/m);
  });

  it('checksums, demo-memory and control-plane', async () => {
    expect(await bench('checksums.js', ['20000'])).toMatch(/^best: [0-9,]+ rows\/s/m);
    const demo = await bench('demo-memory.js', ['2000', '4000']);
    expect(demo.match(/^orders=\S+ rows=\S+ .* peakRSS=\d+ MB verified=true$/gm)).toHaveLength(2);
    expect(await bench('control-plane.js', ['--processes', '1', '--concurrency', '4', '50'])).toMatch(
      /^\| 50 \| 4 \|/m,
    );
  });
});
