import { describe, expect, it } from 'vitest';
import { parsePosixTz, yearTransitions } from './tz/posix-tz.js';
import { loadZone, Zone, zoneFromTzif } from './tz/zone.js';

const at = (iso: string) => Date.parse(iso) / 1000;

/** The offset Intl reports (used only here, as an independent oracle). */
function intlOffset(zone: string, t: number): number {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(t * 1000)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) / 1000 - t;
}

describe('POSIX TZ rules', () => {
  it('parses footers of northern, southern and negative-DST zones', () => {
    expect(parsePosixTz('CET-1CEST,M3.5.0,M10.5.0/3')).toEqual({
      stdOffset: 3600,
      dstOffset: 7200,
      start: { kind: 'month', month: 3, week: 5, weekday: 0, time: 7200 },
      end: { kind: 'month', month: 10, week: 5, weekday: 0, time: 10800 },
    });
    expect(parsePosixTz('<-03>3')).toEqual({ stdOffset: -10800 });
    expect(parsePosixTz('<+0545>-5:45')).toEqual({ stdOffset: 20700 });
    const dublin = parsePosixTz('IST-1GMT0,M10.5.0,M3.5.0/1');
    expect(dublin.stdOffset).toBe(3600);
    expect(dublin.dstOffset).toBe(0);
    expect(() => parsePosixTz('CET-1CEST,M13.5.0,M10.5.0')).toThrow(/bad rule/);
  });

  it('computes a year’s transitions at the right instants', () => {
    const berlin = parsePosixTz('CET-1CEST,M3.5.0,M10.5.0/3');
    expect(yearTransitions(berlin, 2024)).toEqual([
      { time: at('2024-03-31T01:00:00Z'), offset: 7200 },
      { time: at('2024-10-27T01:00:00Z'), offset: 3600 },
    ]);
    const sydney = parsePosixTz('AEST-10AEDT,M10.1.0,M4.1.0/3');
    expect(yearTransitions(sydney, 2024)).toEqual([
      { time: at('2024-04-06T16:00:00Z'), offset: 36000 },
      { time: at('2024-10-05T16:00:00Z'), offset: 39600 },
    ]);
    // J60 is 1 March in every year (February 29 is never counted).
    const j = parsePosixTz('XXX0YYY,J60/0,J300/0');
    expect(yearTransitions(j, 2024)[0]!.time).toBe(at('2024-03-01T00:00:00Z'));
  });
});

describe('Zone', () => {
  it('gives the offsets of Europe/Berlin, including LMT and far beyond the file', () => {
    const z = loadZone('Europe/Berlin');
    expect(z.offsetAt(at('2024-03-31T00:59:59Z'))).toBe(3600);
    expect(z.offsetAt(at('2024-03-31T01:00:00Z'))).toBe(7200);
    expect(z.offsetAt(at('2024-10-27T00:59:59Z'))).toBe(7200);
    expect(z.offsetAt(at('2024-10-27T01:00:00Z'))).toBe(3600);
    expect(z.offsetAt(at('1890-01-01T00:00:00Z'))).toBe(3208);
    // Past the 400-year expansion of the footer rule the cycle repeats exactly.
    expect(z.offsetAt(at('2824-03-31T01:00:00Z'))).toBe(7200);
    expect(z.offsetAt(at('2824-03-31T00:59:59Z'))).toBe(3600);
    expect(z.offsetAt(at('9999-07-01T00:00:00Z'))).toBe(7200);
  });

  it('agrees with Intl on zones with unusual rules, 1900–2100', () => {
    for (const name of [
      'America/New_York',
      'Australia/Lord_Howe',
      'Europe/Dublin',
      'America/Sao_Paulo',
      'Asia/Kathmandu',
    ]) {
      const z = loadZone(name);
      for (let t = at('1900-01-01T00:00:00Z'); t < at('2100-01-01T00:00:00Z'); t += 86_400 * 9 + 3_607)
        expect(z.offsetAt(t), `${name} at ${new Date(t * 1000).toISOString()}`).toBe(intlOffset(name, t));
    }
  });

  it('resolves local times in gaps and overlaps explicitly', () => {
    const z = loadZone('Europe/Berlin');
    expect(z.resolveLocal(at('2024-03-31T02:30:00Z'))).toEqual({ kind: 'gap', before: 3600, after: 7200 });
    expect(z.resolveLocal(at('2024-10-27T02:30:00Z'))).toEqual({
      kind: 'overlap',
      earliest: 7200,
      latest: 3600,
    });
    expect(z.resolveLocal(at('2024-10-27T03:00:00Z'))).toEqual({ kind: 'unique', offset: 3600 });
    expect(z.resolveLocal(at('2024-03-31T03:00:00Z'))).toEqual({ kind: 'unique', offset: 7200 });
    expect(z.resolveLocal(at('2024-03-31T01:59:59Z'))).toEqual({ kind: 'unique', offset: 3600 });
  });

  it('refuses unknown and unsafe zone names', () => {
    expect(() => loadZone('Europe/Berlim')).toThrow(/unknown time zone "Europe\/Berlim"/);
    expect(() => loadZone('../etc/passwd')).toThrow(/not an IANA time zone name/);
    expect(loadZone('UTC').offsetAt(0)).toBe(0);
  });

  it('works from hand-made TZif data without a footer', () => {
    const z = zoneFromTzif('X', { times: [100], offsets: [3600], initialOffset: 0, footer: '' });
    expect(z).toBeInstanceOf(Zone);
    expect(z.offsetAt(99)).toBe(0);
    expect(z.offsetAt(100)).toBe(3600);
    expect(z.offsetAt(1e12)).toBe(3600);
  });
});
