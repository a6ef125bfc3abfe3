/**
 * Memory and throughput of the demo at growing sizes: runs `ferry demo --rows N` in a child process for each
 * N and reports rows/s, MB/s and peak RSS (the whole process: main thread, pool threads, DuckDB's native
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

async function runDemo(rows: number, dir: string): Promise<Sample> {
  // Record the process's peak RSS at exit (covers every thread and native allocations).
  const hook = join(dir, 'rss-hook.mjs');
  const rssFile = join(dir, 'rss.txt');
  writeFileSync(hook, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
  const out = await new Promise<string>((res, rej) => {
    const child = spawn(process.execPath, ['--import', hook, join(root, 'bin/ferry.js'), 'demo', '--rows', String(rows), '--dir', dir, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.on('close', (code) => (code === 0 ? res(stdout) : rej(new Error(`ferry demo exited ${code}`))));
  });
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
