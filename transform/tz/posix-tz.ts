import { daysFromCivil } from '../values/datetime-text.js';

/**
 * The POSIX TZ rule in a TZif footer (RFC 8536 section 3.3), e.g. `CET-1CEST,M3.5.0,M10.5.0/3`: standard
 * offset, optional daylight offset, and the yearly dates and local times when daylight time starts and ends.
 */
export interface PosixTz {
  /** Standard-time UTC offset in seconds, east positive (POSIX writes it west positive). */
  stdOffset: number;
  /** Daylight-time offset, east positive; absent when the zone has no daylight time. */
  dstOffset?: number;
  start?: DateRule;
  end?: DateRule;
}

/** A yearly date and a local time of day in seconds (may be negative or exceed a day, per RFC 8536). */
export type DateRule =
  | { kind: 'julian1'; day: number; time: number }
  | { kind: 'julian0'; day: number; time: number }
  | { kind: 'month'; month: number; week: number; weekday: number; time: number };

class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  peek(): string {
    return this.s[this.pos] ?? '';
  }
  match(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.s);
    if (!m || m.index !== this.pos) return undefined;
    this.pos += m[0].length;
    return m[0];
  }
}

const NAME = /<[^>]*>|[A-Za-z]{3,}/y;
const HMS = /[+-]?\d{1,3}(?::\d{1,2}(?::\d{1,2})?)?/y;

function seconds(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const [h = 0, m = 0, s = 0] = text.replace(/^[+-]/, '').split(':').map(Number);
  return sign * (h * 3600 + m * 60 + s);
}

function dateRule(c: Cursor): DateRule {
  let rule: DateRule;
  const month = c.match(/M(\d{1,2})\.(\d)\.(\d)/y);
  if (month) {
    const [m, w, d] = month.slice(1).split('.').map(Number) as [number, number, number];
    if (m < 1 || m > 12 || w < 1 || w > 5 || d > 6) throw new Error(`bad rule ${month}`);
    rule = { kind: 'month', month: m, week: w, weekday: d, time: 7200 };
  } else {
    const julian = c.match(/J\d{1,3}/y);
    const plain = julian ? undefined : c.match(/\d{1,3}/y);
    if (julian) rule = { kind: 'julian1', day: Number(julian.slice(1)), time: 7200 };
    else if (plain) rule = { kind: 'julian0', day: Number(plain), time: 7200 };
    else throw new Error(`bad date rule at "${c.s.slice(c.pos)}"`);
  }
  if (c.peek() === '/') {
    c.pos++;
    const t = c.match(HMS);
    if (!t) throw new Error('bad rule time');
    rule.time = seconds(t);
  }
  return rule;
}

/** Parses a POSIX TZ string; throws a plain Error for anything else. */
export function parsePosixTz(text: string): PosixTz {
  const c = new Cursor(text);
  if (!c.match(NAME)) throw new Error(`no zone abbreviation in "${text}"`);
  const std = c.match(HMS);
  if (!std) throw new Error(`no UTC offset in "${text}"`);
  const out: PosixTz = { stdOffset: 0 - seconds(std) };
  if (c.pos === text.length) return out;
  if (!c.match(NAME)) throw new Error(`unexpected "${text.slice(c.pos)}"`);
  const dst = c.match(HMS);
  out.dstOffset = dst ? 0 - seconds(dst) : out.stdOffset + 3600;
  if (c.peek() !== ',') {
    // POSIX leaves the default rule to the implementation; zic always writes one, so this is rare.
    out.start = { kind: 'month', month: 3, week: 2, weekday: 0, time: 7200 };
    out.end = { kind: 'month', month: 11, week: 1, weekday: 0, time: 7200 };
    return out;
  }
  c.pos++;
  out.start = dateRule(c);
  if (c.peek() !== ',') throw new Error(`no end rule in "${text}"`);
  c.pos++;
  out.end = dateRule(c);
  if (c.pos !== text.length) throw new Error(`unexpected "${text.slice(c.pos)}"`);
  return out;
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** Days since 1970-01-01 of the rule's date in `year`. */
function ruleDay(r: DateRule, year: number): number {
  const jan1 = daysFromCivil(year, 1, 1);
  if (r.kind === 'julian1') return jan1 + r.day - 1 + (isLeap(year) && r.day >= 60 ? 1 : 0);
  if (r.kind === 'julian0') return jan1 + r.day;
  const first = daysFromCivil(year, r.month, 1);
  const firstWeekday = (((first + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  let day = first + ((r.weekday - firstWeekday + 7) % 7) + (r.week - 1) * 7;
  const next = r.month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, r.month + 1, 1);
  while (day >= next) day -= 7;
  return day;
}

/**
 * The rule's transitions in `year`, in time order: instants (UTC seconds) and the offset from then on.
 * The start time is local standard time and the end time local daylight time, as POSIX defines.
 */
export function yearTransitions(tz: PosixTz, year: number): { time: number; offset: number }[] {
  if (tz.dstOffset === undefined || !tz.start || !tz.end) return [];
  const start = ruleDay(tz.start, year) * 86_400 + tz.start.time - tz.stdOffset;
  const end = ruleDay(tz.end, year) * 86_400 + tz.end.time - tz.dstOffset;
  const out = [
    { time: start, offset: tz.dstOffset },
    { time: end, offset: tz.stdOffset },
  ];
  return start <= end ? out : [out[1]!, out[0]!];
}
