/**
 * Memory and throughput of the demo migration at growing sizes. For each N it generates the demo source
 * (N orders, N/10 customers) in one child process, then runs `ferry run` DuckDB → DuckDB with verification in
 * another and reports rows/s, MB/s and that process's peak RSS (main thread, pool threads and DuckDB's native
 * memory). Peak RSS must not grow with the row count: memory is bounded by batch size × workers.
 *
 *   npm run build && node dist/bench/demo-memory.js [rows …]      (default: 1000000 10000000)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(1_000_000, 10_000_000);

interface Sample {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  mbPerSecond: number;
  peakRssMb: number;
  verified: boolean;
}

function node(args: string[], stdout: 'pipe' | 'ignore'): Promise<string> {
  return new Promise<string>((res, rej) => {
    // The end-of-run quality checks re-read both sides: left out, as the memory of the migration is measured.
    const child = spawn(process.execPath, args, { stdio: ['ignore', stdout, 'inherit'], env: { ...process.env, FERRY_QUALITY_CHECKS: 'off' } });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => (code === 0 ? res(out) : rej(new Error(`node ${args.join(' ')} exited ${code}`))));
  });
}

async function runDemo(rows: number, dir: string): Promise<Sample> {
  // Record the process's peak RSS at exit (covers every thread and native allocations).
  const hook = join(dir, 'rss-hook.mjs');
  const rssFile = join(dir, 'rss.txt');
  writeFileSync(hook, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
  const source = join(dir, 'source.duckdb');
  const generator = `import { generateDemoSource } from ${JSON.stringify(join(root, 'dist/cli/demo-data.js'))};\nawait generateDemoSource(${JSON.stringify(source)}, ${rows});\n`;
  await node(['--input-type=module', '-e', generator], 'ignore');
  const out = await node(
    ['--import', hook, join(root, 'bin/ferry.js'), 'run', '--from', `duckdb:${source}`, '--to', `duckdb:${join(dir, 'target.duckdb')}`,
      '--partition-rows', '100000', '--state-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports'), '--json'],
    'pipe',
  );
  const report = JSON.parse(out).report;
  return {
    rows: Number(report.rows),
    seconds: report.seconds,
    rowsPerSecond: report.rowsPerSecond,
    mbPerSecond: report.mbPerSecond,
    peakRssMb: Math.round(Number(readFileSync(rssFile, 'utf8')) / 1024),
    verified: report.verified,
  };
}

const results: Sample[] = [];
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-'));
  try {
    const s = await runDemo(n, dir);
    results.push(s);
    process.stdout.write(
      `orders=${n.toLocaleString('en-US')} rows=${s.rows.toLocaleString('en-US')} time=${s.seconds}s ` +
        `${s.rowsPerSecond.toLocaleString('en-US')} rows/s ${s.mbPerSecond} MB/s peakRSS=${s.peakRssMb} MB verified=${s.verified}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (results.length > 1) {
  const first = results[0]!;
  const last = results[results.length - 1]!;
  process.stdout.write(`peak RSS ratio ${last.rows / first.rows}× rows: ${(last.peakRssMb / first.peakRssMb).toFixed(2)}×\n`);
}
