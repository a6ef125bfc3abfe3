import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/ferry.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a ferry process in tests: this one's without FERRY_* variables, CI=1, then `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('FERRY_')) env[k] = v;
  return Object.assign(env, { CI: '1' }, extra);
}

/** Runs `node SCRIPT ARGS` as a subprocess and collects its output; `env` defaults to this process's own. */
export function runNode(script: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> & { child: ChildProcess } {
  const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<CliResult>((res) => {
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr }));
  });
  return Object.assign(done, { child });
}

/** Runs the compiled `ferry` CLI as a subprocess (as a user would), with a clean FERRY_* environment. */
export function ferry(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> & { child: ChildProcess } {
  return runNode(BIN, args, { env: cleanEnv(options.env), cwd: options.cwd });
}

/** A temp dir removed after the test file. */
export function tempDir(prefix: string): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), `ferry-${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs SQL against a DuckDB file and returns the rows (values as DuckDB's JS values). */
export async function duckdbQuery(path: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  try {
    const r = await c.runAndReadAll(sql);
    return r.getRows() as unknown[][];
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}
