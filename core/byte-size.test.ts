import { describe, expect, it } from 'vitest';
import { formatBytes, parseByteSize } from './byte-size.js';

describe('byte sizes', () => {
  it('reads bytes and binary units as PostgreSQL writes them', () => {
    expect(parseByteSize('4096')).toBe(4096);
    expect(parseByteSize('512B')).toBe(512);
    expect(parseByteSize('256MB')).toBe(256 * 1024 ** 2);
    expect(parseByteSize(' 1 GiB ')).toBe(1024 ** 3);
    expect(parseByteSize('8kB')).toBe(8192);
    expect(parseByteSize('2TB')).toBe(2 * 1024 ** 4);
  });

  it('refuses what is not a whole size', () => {
    for (const bad of ['', 'MB', '1.5GB', '-1MB', '12XB', '1 2MB', '99999999999TB'])
      expect(parseByteSize(bad)).toBeUndefined();
  });

  it('formats sizes for people', () => {
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(256 * 1024)).toBe('256.0 KiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB');
  });
});
