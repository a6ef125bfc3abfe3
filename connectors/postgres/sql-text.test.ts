import { describe, expect, it } from 'vitest';
import { type LogicalType, parseEndpoint, Secret } from '../../core/index.js';
import { clientConfig, sslModeOf } from './connection.js';
import { objectName } from './ddl.js';
import { ident, keyLiteral, literal, qualified, rangeSql } from './sql-text.js';

describe('identifiers and literals', () => {
  it('quotes hostile identifiers and refuses ones PostgreSQL would truncate', () => {
    expect(ident('x"; DROP TABLE y; --')).toBe('"x""; DROP TABLE y; --"');
    expect(qualified({ schema: 'Sales', name: 'select' })).toBe('"Sales"."select"');
    expect(ident('a'.repeat(63))).toBe(`"${'a'.repeat(63)}"`);
    expect(() => ident('a'.repeat(64))).toThrow(/63 bytes/);
    // 32 two-byte characters are 64 bytes: counted in bytes, not characters.
    expect(() => ident('é'.repeat(32))).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });

  it('renders literals with doubled quotes and refuses NUL', () => {
    expect(literal("it's")).toBe("'it''s'");
    expect(literal('back\\slash')).toBe("'back\\slash'");
    expect(() => literal('a\u0000b')).toThrow(/NUL/);
  });

  it('renders canonical key text as PostgreSQL literals (BC years, UTC instants)', () => {
    const ts: LogicalType = { kind: 'timestamp', tz: true };
    expect(keyLiteral('-0043-03-15', { kind: 'date' })).toBe("'0044-03-15 BC'");
    expect(keyLiteral('2024-01-01 00:00:00.000001', ts)).toBe("'2024-01-01 00:00:00.000001+00'");
    expect(keyLiteral('infinity', ts)).toBe("'infinity'");
    expect(() => keyLiteral('1; DROP', { kind: 'int', bits: 64 })).toThrow(/not an integer/);
  });

  it('renders key ranges with inline literals, NULL ranges and ctid ranges', () => {
    const types = new Map<string, LogicalType>([
      ['a', { kind: 'text' }],
      ['b', { kind: 'int', bits: 32 }],
    ]);
    expect(rangeSql({ columns: ['a', 'b'], lo: ["o'k", '5'], hi: ['z', '1'] }, types)).toBe(
      `("a", "b") >= ('o''k', '5') AND ("a", "b") < ('z', '1') AND "a" IS NOT NULL AND "b" IS NOT NULL`,
    );
    expect(rangeSql({ columns: ['a', 'b'], nullKey: true }, types)).toBe('("a" IS NULL OR "b" IS NULL)');
    expect(rangeSql({ columns: ['ctid'], lo: ['(10,0)'] }, types)).toBe(`"ctid" >= '(10,0)'::tid`);
    expect(rangeSql({ columns: [], whole: true }, types)).toBe('TRUE');
  });

  it('keeps generated object names within 63 bytes, deterministically', () => {
    const long = `${'t'.repeat(60)}_pkey`;
    expect(Buffer.byteLength(objectName(long))).toBeLessThanOrEqual(63);
    expect(objectName(long)).toBe(objectName(long));
    expect(objectName('short_pkey')).toBe('short_pkey');
  });
});

describe('connection settings', () => {
  it('defaults sslmode to disable on loopback and verify-full elsewhere, and refuses prefer', () => {
    expect(sslModeOf(parseEndpoint('postgres://u@127.0.0.1/db'))).toBe('disable');
    expect(sslModeOf(parseEndpoint('postgres://u@db.example.com/db'))).toBe('verify-full');
    expect(clientConfig(parseEndpoint('postgres://u@db.example.com/db')).ssl).toEqual({
      rejectUnauthorized: true,
    });
    expect(clientConfig(parseEndpoint('postgres://u@h/db?sslmode=require')).ssl).toEqual({
      rejectUnauthorized: false,
    });
    expect(() => sslModeOf(parseEndpoint('postgres://u@h/db?sslmode=prefer'))).toThrow(/not supported/);
  });

  it('hands the password to the driver only as a function of the Secret', () => {
    const cfg = clientConfig(parseEndpoint('postgres://u@127.0.0.1:5433/db', new Secret('s3cret-pw')));
    expect(JSON.stringify(cfg)).not.toContain('s3cret-pw');
    expect((cfg.password as () => string)()).toBe('s3cret-pw');
    expect(cfg).toMatchObject({ host: '127.0.0.1', port: 5433, database: 'db', user: 'u' });
  });
});
