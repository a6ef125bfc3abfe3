import type { PatternName, PatternState } from './patterns.js';

/**
 * Likely personal data, by column name and by content. A name rule alone gives `high` for unambiguous names
 * (`email`, `first_name`, `ssn`, `iban`) and `medium` for ambiguous ones (`name`, `card`); content alone
 * gives `high` when ≥ 80% of the non-NULL values match the pattern (e-mail, phone, Luhn-valid card number,
 * IBAN with valid check digits, US SSN) and `medium` from 50%; both together give `high`.
 * Random 13–19 digit strings pass the Luhn check one time in ten, so a 50% threshold does not flag ids.
 */

export type PiiCategory =
  | 'email'
  | 'phone'
  | 'person_name'
  | 'address'
  | 'national_id'
  | 'bank_account'
  | 'card_number'
  | 'birth_date'
  | 'ip_address'
  | 'sensitive';
export type PiiConfidence = 'high' | 'medium' | 'low';

/** One flagged column, with why. */
export interface PiiFlag {
  category: PiiCategory;
  confidence: PiiConfidence;
  reasons: string[];
}

interface NameRule {
  category: PiiCategory;
  confidence: PiiConfidence;
  /** Matches the column's lower-case name tokens (`firstName` → first, name) and their concatenation. */
  test(tokens: string[], joined: string): boolean;
}

const has = (tokens: string[], ...words: string[]) => words.some((w) => tokens.includes(w));

/** Words that, next to `name`, show the name is not a person's (`product_name`, `file_name`). */
const NOT_A_PERSON = [
  'product',
  'file',
  'table',
  'column',
  'schema',
  'company',
  'brand',
  'item',
  'category',
  'host',
  'domain',
  'app',
  'service',
  'org',
  'organization',
  'organisation',
  'business',
  'shop',
  'store',
  'city',
  'country',
  'street',
  'bank',
  'event',
  'group',
  'role',
  'type',
  'status',
  'tag',
  'key',
  'class',
  'model',
  'project',
  'team',
  'department',
  'dept',
  'region',
  'state',
  'plan',
  'feature',
  'job',
  'task',
  'queue',
  'topic',
  'index',
];

/** In order: the first rule that matches names the category. */
const NAME_RULES: NameRule[] = [
  { category: 'email', confidence: 'high', test: (t, j) => has(t, 'email', 'mail') || j.includes('email') },
  { category: 'ip_address', confidence: 'medium', test: (t, j) => has(t, 'ip') || j.startsWith('ipaddr') },
  {
    category: 'phone',
    confidence: 'high',
    test: (t, j) => has(t, 'phone', 'telephone', 'mobile', 'tel', 'fax', 'msisdn') || j.includes('phone'),
  },
  {
    category: 'national_id',
    confidence: 'high',
    test: (t, j) =>
      has(t, 'ssn', 'nin', 'nino', 'passport', 'cpf', 'bsn', 'nif', 'personnummer') ||
      [
        'socialsecurity',
        'nationalid',
        'taxid',
        'taxnumber',
        'driverlicense',
        'driverslicense',
        'idcard',
        'idnumber',
      ].some((w) => j.includes(w)),
  },
  {
    category: 'bank_account',
    confidence: 'high',
    test: (t, j) =>
      has(t, 'iban', 'bic', 'swift') || j.includes('accountnumber') || j.includes('bankaccount'),
  },
  {
    category: 'card_number',
    confidence: 'high',
    test: (t, j) =>
      has(t, 'pan', 'cvv', 'cvc') ||
      ['cardnumber', 'creditcard', 'debitcard', 'ccnumber', 'ccnum'].some((w) => j.includes(w)),
  },
  { category: 'card_number', confidence: 'medium', test: (t) => has(t, 'card') },
  {
    category: 'birth_date',
    confidence: 'high',
    test: (t, j) => has(t, 'dob', 'birthday', 'birthdate') || j.includes('birth'),
  },
  {
    category: 'person_name',
    confidence: 'high',
    test: (t, j) =>
      has(t, 'surname', 'firstname', 'lastname', 'fullname', 'forename') ||
      ['firstname', 'lastname', 'fullname', 'givenname', 'familyname', 'middlename', 'maidenname'].some((w) =>
        j.includes(w),
      ),
  },
  {
    category: 'person_name',
    confidence: 'medium',
    test: (t) =>
      (has(t, 'name', 'username') || (has(t, 'user') && has(t, 'login'))) && !has(t, ...NOT_A_PERSON),
  },
  {
    category: 'address',
    confidence: 'high',
    test: (t, j) =>
      has(t, 'address', 'addr', 'street', 'postcode', 'zip', 'zipcode') || j.includes('postalcode'),
  },
  {
    category: 'sensitive',
    confidence: 'medium',
    test: (t) => has(t, 'gender', 'sex', 'ethnicity', 'religion', 'race'),
  },
];

/** The lower-case words of a column name: `customerEmail` → customer, email; `e_mail` → e, mail. */
export function nameTokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** The PII category a column name suggests, if any. */
export function piiByName(name: string): { category: PiiCategory; confidence: PiiConfidence } | undefined {
  const tokens = nameTokens(name);
  const joined = tokens.join('');
  const rule = NAME_RULES.find((r) => r.test(tokens, joined));
  return rule ? { category: rule.category, confidence: rule.confidence } : undefined;
}

const CONTENT: [PatternName, PiiCategory, string][] = [
  ['email', 'email', 'e-mail addresses'],
  ['card', 'card_number', 'card numbers with a valid Luhn check digit'],
  ['iban', 'bank_account', 'IBANs with valid check digits'],
  ['ssn', 'national_id', 'US social security numbers'],
  ['phone', 'phone', 'phone numbers'],
];

const RANK: Record<PiiConfidence, number> = { low: 0, medium: 1, high: 2 };

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** The PII flag of a column from its name and (for text) its pattern counts, or undefined. */
export function detectPii(name: string, patterns?: PatternState): PiiFlag | undefined {
  const byName = piiByName(name);
  let byContent: { category: PiiCategory; confidence: PiiConfidence; reason: string } | undefined;
  if (patterns && patterns.checked > 0) {
    for (const [pattern, category, what] of CONTENT) {
      const share = patterns.patterns[pattern].matches / patterns.checked;
      if (share < 0.5) continue;
      byContent = {
        category,
        confidence: share >= 0.8 ? 'high' : 'medium',
        reason: `${percent(share)} of values look like ${what}`,
      };
      break;
    }
  }
  if (!byName && !byContent) return undefined;
  const reasons: string[] = [];
  if (byName) reasons.push(`column name "${name}" suggests ${byName.category.replace('_', ' ')}`);
  if (byContent) reasons.push(byContent.reason);
  if (byName && byContent) {
    const agree = byName.category === byContent.category;
    return {
      category: byContent.confidence === 'high' || !agree ? byContent.category : byName.category,
      confidence: agree
        ? 'high'
        : RANK[byContent.confidence] >= RANK[byName.confidence]
          ? byContent.confidence
          : byName.confidence,
      reasons,
    };
  }
  const only = (byName ?? byContent)!;
  return { category: only.category, confidence: only.confidence, reasons };
}
