/**
 * Pattern checks on text values: which values look like an e-mail address, a phone number, an ISO date, a
 * UUID, a number, a payment card number (Luhn check), an IBAN (mod-97 check digits) or a US social security
 * number. Counts of matches with the first few matching and non-matching values as examples.
 */

export const PATTERN_NAMES = [
  'email',
  'phone',
  'iso_date',
  'uuid',
  'numeric',
  'card',
  'iban',
  'ssn',
] as const;
export type PatternName = (typeof PATTERN_NAMES)[number];

/** What people read for each pattern. */
export const PATTERN_LABELS: Record<PatternName, string> = {
  email: 'e-mail address',
  phone: 'phone number',
  iso_date: 'ISO date',
  uuid: 'UUID',
  numeric: 'number',
  card: 'card number (Luhn)',
  iban: 'IBAN (check digits)',
  ssn: 'US social security number',
};

/** Examples kept per pattern. */
const MATCH_EXAMPLES = 3;
const MISS_EXAMPLES = 5;
/** Characters kept of an example. */
const EXAMPLE_CHARS = 80;

/** Local part without spaces or '@', a domain of dot-separated non-empty labels (at least two). */
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const PHONE_CHARS = /^\+?[\d\s().-]+$/;
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMERIC = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const CARD_CHARS = /^\d[\d -]{11,22}\d$/;
const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;
const IBAN_START = /^[A-Za-z]{2}\d{2}/;
const SSN = /^(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}$/;

/** The Luhn (mod 10) check of a digit string, as payment card numbers carry it. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** An IBAN's shape and ISO 13616 check digits (the rearranged number mod 97 is 1); spaces allowed. */
export function ibanValid(text: string): boolean {
  // Cheap shape test first: two letters and two digits, before any copy of the text is made.
  if (text.length < 15 || !IBAN_START.test(text)) return false;
  const iban = text.replace(/ /g, '').toUpperCase();
  if (!IBAN.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : ch;
    for (const d of digits) rest = (rest * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rest === 1;
}

function isoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day > days) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 60)) return false;
  return true;
}

function countDigits(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/**
 * A phone number: an optional `+`, digits and the usual separators, 7 to 15 digits (E.164's maximum), and
 * either a leading `+` or at least one separator — a bare digit string is counted as a number, not a phone.
 */
function phone(value: string): boolean {
  if (value.length < 7 || value.length > 24 || !PHONE_CHARS.test(value)) return false;
  const digits = countDigits(value);
  if (digits < 7 || digits > 15) return false;
  if (!value.startsWith('+') && !/[\s().-]/.test(value)) return false;
  return !isoDate(value);
}

function card(value: string): boolean {
  if (!CARD_CHARS.test(value)) return false;
  const digits = value.replace(/[ -]/g, '');
  return digits.length >= 13 && digits.length <= 19 && luhnValid(digits);
}

/** Whether `value` matches pattern `name`. */
export function matchesPattern(name: PatternName, value: string): boolean {
  switch (name) {
    case 'email':
      return EMAIL.test(value);
    case 'phone':
      return phone(value);
    case 'iso_date':
      return isoDate(value);
    case 'uuid':
      return UUID.test(value);
    case 'numeric':
      return NUMERIC.test(value);
    case 'card':
      return card(value);
    case 'iban':
      return ibanValid(value);
    case 'ssn':
      return SSN.test(value);
  }
}

/** Matches of one pattern, with the first examples of each side. */
export interface PatternCount {
  matches: number;
  examples: string[];
  misses: string[];
}

/** JSON state: values checked (non-NULL), and counts per pattern. */
export interface PatternState {
  checked: number;
  patterns: Record<PatternName, PatternCount>;
}

function example(value: string): string {
  return value.length <= EXAMPLE_CHARS ? value : `${value.slice(0, EXAMPLE_CHARS)}…`;
}

function emptyCounts(): Record<PatternName, PatternCount> {
  const out = {} as Record<PatternName, PatternCount>;
  for (const p of PATTERN_NAMES) out[p] = { matches: 0, examples: [], misses: [] };
  return out;
}

/** Counts pattern matches over text values; merging in scan order keeps the first examples. */
export class PatternCounter {
  #checked = 0;
  #counts = emptyCounts();

  add(value: string): void {
    this.#checked++;
    for (const p of PATTERN_NAMES) {
      const c = this.#counts[p];
      if (matchesPattern(p, value)) {
        c.matches++;
        if (c.examples.length < MATCH_EXAMPLES) c.examples.push(example(value));
      } else if (c.misses.length < MISS_EXAMPLES) c.misses.push(example(value));
    }
  }

  merge(s: PatternState): void {
    this.#checked += s.checked;
    for (const p of PATTERN_NAMES) {
      const mine = this.#counts[p];
      const theirs = s.patterns[p];
      mine.matches += theirs.matches;
      for (const e of theirs.examples) if (mine.examples.length < MATCH_EXAMPLES) mine.examples.push(e);
      for (const e of theirs.misses) if (mine.misses.length < MISS_EXAMPLES) mine.misses.push(e);
    }
  }

  state(): PatternState {
    const patterns = emptyCounts();
    for (const p of PATTERN_NAMES) {
      const c = this.#counts[p];
      patterns[p] = { matches: c.matches, examples: [...c.examples], misses: [...c.misses] };
    }
    return { checked: this.#checked, patterns };
  }

  static from(s: PatternState): PatternCounter {
    const c = new PatternCounter();
    c.merge(s);
    return c;
  }
}
