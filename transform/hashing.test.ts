import { describe, expect, it } from 'vitest';
import { hmacHex, uuidV5 } from './hashing.js';

describe('uuid v5', () => {
  it('matches published vectors', () => {
    // Python's documentation: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org').
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8')('python.org')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
    // RFC 9562 appendix A.4: NAMESPACE_DNS and www.example.com.
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8')('www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('handles long and non-ASCII names, and every variant nibble', () => {
    const make = uuidV5('6ba7b811-9dad-11d1-80b4-00c04fd430c8');
    const long = 'ü'.repeat(1000);
    expect(make(long)).toBe(make(long));
    expect(make(long)).not.toBe(make(`${long}x`));
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const u = make(String(i));
      expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(u[19]!);
    }
    expect([...seen].sort()).toEqual(['8', '9', 'a', 'b']);
  });
});

describe('hmac', () => {
  it('is HMAC-SHA256 in hex', () => {
    expect(hmacHex('key')('The quick brown fox jumps over the lazy dog')).toBe(
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });
});
