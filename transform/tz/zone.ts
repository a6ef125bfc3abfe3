import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../../core/index.js';
import { daysFromCivil } from '../values/datetime-text.js';
import { parsePosixTz, yearTransitions } from './posix-tz.js';
import { parseTzif } from './tzif.js';

/** Seconds in 400 Gregorian years: the POSIX rules repeat exactly with this period (146097 days = 20871 weeks). */
const CYCLE = 146_097 * 86_400;
const DAY = 86_400;

/** How a local wall time maps to instants: one, two (a DST overlap) or none (a DST gap). */
export type LocalResolution =
  | { kind: 'unique'; offset: number }
  /** Both readings are valid; `earliest` uses the larger offset. */
  | { kind: 'overlap'; earliest: number; latest: number }
  /** No reading is valid; the offsets in effect just before and after the skipped hour. */
  | { kind: 'gap'; before: number; after: number };

/**
 * One IANA time zone as exact arithmetic on seconds: the UTC offset at an instant, and the instants of a
 * local wall time. Transitions come from the TZif file; after the last one, from its footer rule, expanded
 * for one 400-year cycle and repeated (exact, because the Gregorian calendar repeats every 400 years).
 */
export class Zone {
  readonly #times: Float64Array;
  readonly #offsets: Int32Array;
  readonly #initial: number;
  /** Instants at or after `#cycleEnd` are reduced by whole cycles before the lookup; Infinity when none. */
  readonly #cycleStart: number;
  readonly #cycleEnd: number;
  // The interval of the last lookup: data is usually clustered in time, so most lookups hit it.
  #lo = 0;
  #hi = -1;
  #off = 0;

  constructor(
    readonly name: string,
    times: number[],
    offsets: number[],
    initial: number,
    cycleStart = Number.POSITIVE_INFINITY,
  ) {
    this.#times = Float64Array.from(times);
    this.#offsets = Int32Array.from(offsets);
    this.#initial = initial;
    this.#cycleStart = cycleStart;
    this.#cycleEnd = cycleStart + CYCLE;
  }

  /** The UTC offset (seconds, east positive) in effect at `t` (seconds since 1970-01-01 UTC). */
  offsetAt(t: number): number {
    if (t >= this.#lo && t < this.#hi) return this.#off;
    let shift = 0;
    let x = t;
    if (x >= this.#cycleEnd) {
      shift = Math.floor((x - this.#cycleStart) / CYCLE) * CYCLE;
      x -= shift;
    }
    const times = this.#times;
    let a = 0;
    let b = times.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (times[m]! <= x) a = m + 1;
      else b = m;
    }
    const i = a - 1;
    this.#lo = i < 0 ? Number.NEGATIVE_INFINITY : times[i]! + shift;
    this.#hi = i + 1 < times.length ? times[i + 1]! + shift : Number.POSITIVE_INFINITY;
    this.#off = i < 0 ? this.#initial : this.#offsets[i]!;
    return this.#off;
  }

  /** The instants whose local time is `local` (seconds of a wall time read as if UTC). */
  resolveLocal(local: number): LocalResolution {
    // Transitions are months apart, so within a day either side there are at most two offsets.
    const before = this.offsetAt(local - DAY);
    const after = this.offsetAt(local + DAY);
    const here = this.offsetAt(local);
    let best: number | undefined;
    let other: number | undefined;
    for (const o of [before, here, after]) {
      if (this.offsetAt(local - o) !== o || o === best || o === other) continue;
      if (best === undefined) best = o;
      else other = o;
    }
    if (best === undefined) return { kind: 'gap', before, after };
    if (other === undefined) return { kind: 'unique', offset: best };
    return { kind: 'overlap', earliest: Math.max(best, other), latest: Math.min(best, other) };
  }
}

function yearOf(t: number): number {
  // Civil year of a UTC instant; only needs to be right within a year for choosing footer years.
  return Math.floor(t / (365.2425 * DAY)) + 1970;
}

/** Builds a zone from TZif data (exported for tests with hand-made data). */
export function zoneFromTzif(name: string, data: ReturnType<typeof parseTzif>): Zone {
  const times = [...data.times];
  const offsets = [...data.offsets];
  if (!data.footer) return new Zone(name, times, offsets, data.initialOffset);
  const rule = parsePosixTz(data.footer);
  const last = times.length ? times[times.length - 1]! : Number.NEGATIVE_INFINITY;
  // Without daylight time the footer only restates the last offset, which the transitions already give.
  if (rule.dstOffset === undefined) return new Zone(name, times, offsets, data.initialOffset);
  // yearOf is approximate within a year: start two years on so the cycle is surely all footer transitions.
  const first = Number.isFinite(last) ? yearOf(last) : 1800;
  const cycleYear = first + 2;
  for (let y = first; y <= cycleYear + 401; y++) {
    for (const tr of yearTransitions(rule, y)) {
      if (tr.time > last) {
        times.push(tr.time);
        offsets.push(tr.offset);
      }
    }
  }
  const cycleStart = daysFromCivil(cycleYear, 1, 1) * DAY - 2 * DAY;
  return new Zone(name, times, offsets, data.initialOffset, cycleStart);
}

const UTC = new Zone('UTC', [], [], 0);
const cache = new Map<string, Zone>();
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** True for the names ferry treats as UTC without reading a file. */
export function isUtcName(name: string): boolean {
  return /^(UTC|Etc\/UTC|Z|Zulu|Etc\/Zulu|UCT|Etc\/UCT|GMT|Etc\/GMT)$/i.test(name);
}

/**
 * The named IANA zone, read from the time zone database in `$TZDIR` (default `/usr/share/zoneinfo`, the
 * `tzdata` package) and cached per process. Throws CONFIG naming the zone when it is unknown.
 */
export function loadZone(name: string): Zone {
  if (isUtcName(name)) return UTC;
  const hit = cache.get(name);
  if (hit) return hit;
  const dir = process.env['TZDIR'] || '/usr/share/zoneinfo';
  if (!ZONE_NAME.test(name) || name.split('/').some((s) => s === '..'))
    throw new FerryError('CONFIG', `"${name}" is not an IANA time zone name`, {
      value: name,
      hint: 'write a zone such as Europe/Berlin or America/New_York',
    });
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(join(dir, name));
  } catch (e) {
    throw new FerryError('CONFIG', `unknown time zone "${name}" (not in ${dir})`, {
      value: name,
      cause: e,
      hint: `check the spelling (e.g. Europe/Berlin); ferry reads zones from the tzdata package in ${dir} (or $TZDIR)`,
    });
  }
  let zone: Zone;
  try {
    zone = zoneFromTzif(name, parseTzif(bytes));
  } catch (e) {
    throw new FerryError(
      'CONFIG',
      `time zone file ${join(dir, name)} cannot be read: ${(e as Error).message}`,
      {
        value: name,
        cause: e,
      },
    );
  }
  cache.set(name, zone);
  return zone;
}
