import { describe, expect, it } from 'vitest';
import { maskText } from './mask.js';
import { PatternCounter } from './patterns.js';
import { detectPii, nameTokens, piiByName } from './pii.js';

function patternsOf(values: string[]) {
  const c = new PatternCounter();
  for (const v of values) c.add(v);
  return c.state();
}

describe('PII by column name', () => {
  it('splits names into words', () => {
    expect(nameTokens('customerEmailAddress')).toEqual(['customer', 'email', 'address']);
    expect(nameTokens('DATE_OF_BIRTH')).toEqual(['date', 'of', 'birth']);
  });

  it.each([
    ['email', 'email', 'high'],
    ['e_mail', 'email', 'high'],
    ['contactEmail', 'email', 'high'],
    ['full_name', 'person_name', 'high'],
    ['first_name', 'person_name', 'high'],
    ['LastName', 'person_name', 'high'],
    ['name', 'person_name', 'medium'],
    ['phone', 'phone', 'high'],
    ['mobile_number', 'phone', 'high'],
    ['ssn', 'national_id', 'high'],
    ['national_id', 'national_id', 'high'],
    ['passport_no', 'national_id', 'high'],
    ['iban', 'bank_account', 'high'],
    ['card_number', 'card_number', 'high'],
    ['credit_card', 'card_number', 'high'],
    ['dob', 'birth_date', 'high'],
    ['date_of_birth', 'birth_date', 'high'],
    ['street_address', 'address', 'high'],
    ['ip_address', 'ip_address', 'medium'],
  ] as const)('%s → %s (%s)', (name, category, confidence) => {
    expect(piiByName(name)).toEqual({ category, confidence });
  });

  it.each([
    'product_name',
    'file_name',
    'credit_limit',
    'customer_id',
    'status',
    'country',
    'ship_date',
    'tracking_id',
    'created_at',
  ])('%s is not flagged', (name) => expect(piiByName(name)).toBeUndefined());
});

describe('PII by content', () => {
  it('flags e-mails, Luhn-valid card numbers and IBANs in columns with innocent names', () => {
    expect(detectPii('contact', patternsOf(['a@x.io', 'b@y.org', 'c@z.com', 'nope']))).toMatchObject({
      category: 'email',
      confidence: 'medium', // 3 of 4 values: at least half, below 80%
    });
    const cards = ['4111 1111 1111 1111', '5500-0000-0000-0004', '4012888888881881', '378282246310005'];
    expect(detectPii('ref', patternsOf(cards))).toMatchObject({
      category: 'card_number',
      confidence: 'high',
    });
    expect(
      detectPii('acct', patternsOf(['GB82 WEST 1234 5698 7654 32', 'DE89370400440532013000'])),
    ).toMatchObject({
      category: 'bank_account',
      confidence: 'high',
    });
  });

  it('does not flag random 16-digit ids (one in ten passes Luhn by chance)', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => String(1_000_000_000_000_000n + BigInt(i) * 7_919n));
    expect(detectPii('ref', patternsOf(ids))).toBeUndefined();
  });

  it('name and content together give high confidence with both reasons', () => {
    const flag = detectPii('email', patternsOf(['a@x.io', 'b@x.io', 'bad']));
    expect(flag?.category).toBe('email');
    expect(flag?.confidence).toBe('high');
    expect(flag?.reasons).toHaveLength(2);
  });
});

describe('maskText', () => {
  it('keeps the shape, not the person', () => {
    expect(maskText('user97.example.com')).toBe('u*****.e******.c**');
    expect(maskText('user98@')).toBe('u*****@');
    expect(maskText('Ana Smith')).toBe('A** S****');
    expect(maskText('Dário Núñez')).toBe('D**** N****');
    expect(maskText('+1-555-0123')).toBe('+1-5**-0***');
  });
});
