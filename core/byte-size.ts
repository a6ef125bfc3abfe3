/**
 * Sizes as people write them in config and flags ("256MB", "1GiB", 1048576) and as reports show them. Units
 * are binary as in PostgreSQL's settings: kB = KiB = 1024 bytes, MB = MiB = 1024², and so on.
 */

const UNITS: Record<string, number> = {
  B: 1,
  kB: 1024,
  KB: 1024,
  KiB: 1024,
  MB: 1024 ** 2,
  MiB: 1024 ** 2,
  GB: 1024 ** 3,
  GiB: 1024 ** 3,
  TB: 1024 ** 4,
  TiB: 1024 ** 4,
};

const SIZE = /^\s*(\d+)\s*([A-Za-z]*)\s*$/;

/** Bytes of a size such as `256MB`, `1 GiB` or `4096`; undefined when it is not one. */
export function parseByteSize(text: string): number | undefined {
  const m = SIZE.exec(text);
  if (!m) return undefined;
  const unit = m[2] ? UNITS[m[2]] : 1;
  if (unit === undefined) return undefined;
  const bytes = Number(m[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Bytes as people read them (KiB, MiB, GiB). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}
