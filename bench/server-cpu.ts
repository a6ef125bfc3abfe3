/**
 * CPU time used by the local database servers during a benchmark run, read from /proc (Linux), so a benchmark
 * can say where a run's CPU went. On a machine whose cores are all busy a run lasts at least
 * (its client's CPU + the servers' CPU) / cores, whatever the client does: this is the floor the benchmarks
 * print next to the measured times. The servers are those scripts/services.sh started (pids in its directory).
 *
 *   const before = serverCpu(dir);  …run…  const used = await serverCpuSince(before, dir);  // { pg, mariadb } core-s
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/** Clock ticks per second of /proc's times (USER_HZ). */
const HZ = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Stat {
  ppid: number;
  /** utime + stime + cutime + cstime: the process and its children it has reaped, in ticks. */
  ticks: number;
}

function stat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces, hence the last ')'): rest[i] is field i + 3.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (field: number) => Number(rest[field - 3]);
  return { ppid: n(4), ticks: n(14) + n(15) + n(16) + n(17) };
}

/**
 * CPU seconds a server has used since it started: its own, its exited children's (PostgreSQL's backends, reaped
 * by the postmaster) and its live children's (background processes, open connections).
 */
function processTreeSeconds(pid: number): number | undefined {
  const root = stat(pid);
  if (!root) return undefined;
  let ticks = root.ticks;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s?.ppid === pid) ticks += s.ticks;
  }
  return ticks / HZ;
}

export interface ServerCpu {
  pg?: number;
  mariadb?: number;
}

/** Cumulative CPU seconds of the PostgreSQL and MariaDB that scripts/services.sh started in `dir`. */
export function serverCpu(dir: string): ServerCpu {
  const out: ServerCpu = {};
  for (const name of ['pg', 'mariadb'] as const) {
    const file = join(dir, `${name}.pid`);
    if (!existsSync(file)) continue;
    const seconds = processTreeSeconds(Number(readFileSync(file, 'utf8').trim()));
    if (seconds !== undefined) out[name] = seconds;
  }
  return out;
}

/**
 * CPU seconds each server used since `before`. Waits `settleMs` first: a backend whose client just left is
 * still exiting, and until its parent has reaped it its time is in neither the parent's nor a live child's
 * count (measured at once, a 1.3 core-s `COPY … TO` showed as 0.0).
 */
export async function serverCpuSince(before: ServerCpu, dir: string, settleMs = 500): Promise<ServerCpu> {
  await new Promise((r) => setTimeout(r, settleMs));
  const now = serverCpu(dir);
  const out: ServerCpu = {};
  for (const name of ['pg', 'mariadb'] as const) {
    const a = before[name];
    const b = now[name];
    if (a !== undefined && b !== undefined) out[name] = b - a;
  }
  return out;
}

/** The median of each part over runs (parts missing from a run are left out of it). */
export function medianParts(runs: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of new Set(runs.flatMap((r) => Object.keys(r)))) {
    const xs = runs.flatMap((r) => (r[name] === undefined ? [] : [r[name]!])).sort((a, b) => a - b);
    out[name] = xs[Math.floor(xs.length / 2)]!;
  }
  return out;
}

/**
 * A run's CPU by process, and the wall time it cannot beat on this machine's cores:
 * `ferry CPU (core-s): ferry 4.5 + PostgreSQL 16.6 = 21.1 → at least 10.6 s on 2 cores`.
 */
export function cpuLine(name: string, parts: Record<string, number>, cores = availableParallelism()): string {
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  const list = Object.entries(parts)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(' + ');
  return `${name} CPU (core-s): ${list} = ${total.toFixed(1)} → at least ${(total / cores).toFixed(1)} s on ${cores} cores`;
}
