import { describe, expect, it } from 'vitest';
import { ibanValid, luhnValid, matchesPattern, PatternCounter } from './patterns.js';

describe('patterns', () => {
  it('e-mail: needs a local part, an @ and a dotted domain', () => {
    for (const ok of ['user5@example.com', 'a.b+c@sub.example.co.uk', 'josé@exämple.pt'])
      expect(matchesPattern('email', ok)).toBe(true);
    for (const bad of ['user97.example.com', 'user98@', '@example.com', 'a@b', 'a b@example.com', 'a@@b.com'])
      expect(matchesPattern('email', bad)).toBe(false);
  });

  it('phone: 7–15 digits with a + or separators; bare digits and dates are not phones', () => {
    for (const ok of ['+1-555-0123', '(212) 555-0199', '+351 912 345 678', '+4915112345678'])
      expect(matchesPattern('phone', ok)).toBe(true);
    for (const bad of ['5550123456', '2024-01-15', '+1-555', 'call me', '+1 234 567 890 123 456'])
      expect(matchesPattern('phone', bad)).toBe(false);
  });

  it('ISO dates with valid months and days, UUIDs, numbers', () => {
    expect(matchesPattern('iso_date', '2024-02-29')).toBe(true);
    expect(matchesPattern('iso_date', '2024-01-15T10:30:00.123Z')).toBe(true);
    expect(matchesPattern('iso_date', '2024-13-01')).toBe(false);
    expect(matchesPattern('iso_date', '15/01/2024')).toBe(false);
    expect(matchesPattern('uuid', '0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe(true);
    expect(matchesPattern('uuid', '0f8fad5b-d9cb-469f-a165-70867728950')).toBe(false);
    for (const n of ['42', '-3.14', '1e10', ' 7 ', '.5']) expect(matchesPattern('numeric', n)).toBe(true);
    for (const n of ['1,000', '12a', '', '-']) expect(matchesPattern('numeric', n)).toBe(false);
  });

  it('Luhn check of card numbers', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('79927398713')).toBe(true);
    expect(matchesPattern('card', '4111 1111 1111 1111')).toBe(true);
    expect(matchesPattern('card', '5500-0000-0000-0004')).toBe(true);
    expect(matchesPattern('card', '4111 1111 1111 1112')).toBe(false);
    expect(matchesPattern('card', '79927398713')).toBe(false); // too short for a card
  });

  it('IBAN check digits (mod 97)', () => {
    expect(ibanValid('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('de89 3704 0044 0532 0130 00')).toBe(true);
    expect(ibanValid('GB82 WEST 1234 5698 7654 33')).toBe(false);
    expect(ibanValid('DE88370400440532013000')).toBe(false);
    expect(ibanValid('not an iban')).toBe(false);
  });

  it('US social security numbers, excluding impossible areas', () => {
    expect(matchesPattern('ssn', '123-45-6789')).toBe(true);
    expect(matchesPattern('ssn', '000-45-6789')).toBe(false);
    expect(matchesPattern('ssn', '666-45-6789')).toBe(false);
    expect(matchesPattern('ssn', '123-00-6789')).toBe(false);
  });

  it('counts matches with the first examples, and merges in order like one pass', () => {
    const values = ['a@x.io', 'bad', 'b@x.io', '2024-01-01', 'c@x.io', 'also bad', 'd@x.io'];
    const one = new PatternCounter();
    for (const v of values) one.add(v);
    const merged = new PatternCounter();
    for (const part of [values.slice(0, 3), values.slice(3)]) {
      const c = new PatternCounter();
      for (const v of part) c.add(v);
      merged.merge(c.state());
    }
    expect(merged.state()).toEqual(one.state());
    const email = one.state().patterns.email;
    expect(email.matches).toBe(4);
    expect(email.examples).toEqual(['a@x.io', 'b@x.io', 'c@x.io']);
    expect(email.misses).toEqual(['bad', '2024-01-01', 'also bad']);
    expect(one.state().patterns.iso_date.matches).toBe(1);
  });
});
