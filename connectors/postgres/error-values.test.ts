import { describe, expect, it } from 'vitest';
import { redactPgDetail, redactPgMessage } from './error-values.js';

describe('PostgreSQL error texts without row values', () => {
  it('keeps column and constraint names, drops the values', () => {
    expect(redactPgDetail('Key (email)=(ana@example.com) already exists.')).toBe(
      'Key (email)=(…) already exists.',
    );
    expect(redactPgDetail('Key (a, b)=(1, x)y) is not present in table "parent".')).toBe(
      'Key (a, b)=(…) is not present in table "parent".',
    );
    expect(redactPgDetail('Key (email)=(odd tail')).toBe('Key (email)=(…)');
    expect(redactPgDetail('Failing row contains (15, ana@example.com, Ana).')).toBe(
      'Failing row contains (…).',
    );
    expect(redactPgMessage('invalid input syntax for type integer: "ana@example.com"')).toBe(
      'invalid input syntax for type integer: "…"',
    );
    expect(redactPgMessage('value "99999999999" is out of range for type integer')).toBe(
      'value "…" is out of range for type integer',
    );
    expect(
      redactPgMessage('new row for relation "people" violates check constraint "people_email_check"'),
    ).toBe('new row for relation "people" violates check constraint "people_email_check"');
  });
});
