import { FerryError } from '../core/index.js';
import { canonicalDecimal } from './canonical-decimal.js';

/**
 * The canonical text of a JSON document, as jsonb would keep it and then some: no insignificant
 * whitespace, object keys sorted by code point, a duplicated key keeps its last value, strings re-escaped
 * minimally (only `"`, `\`, control characters and lone surrogates), numbers in canonical decimal form
 * (`1e2` → `100`, `1.50` → `1.5`, `-0` → `0`). Numbers are never parsed into JS numbers.
 * Throws FerryError DATA for text that is not JSON.
 */
export function canonicalJson(text: string): string {
  return new JsonCanonicaliser(text).document();
}

/** Deeper nesting than this is refused rather than risking the stack. */
const MAX_DEPTH = 1000;

/**
 * Compares strings by Unicode code point (JS `<` compares UTF-16 units, which misorders astral characters
 * against U+E000–U+FFFF). Shifting surrogates above the BMP's upper range restores code point order.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    let x = a.charCodeAt(k);
    let y = b.charCodeAt(k);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

const HEX = /^[0-9a-fA-F]{4}$/;

class JsonCanonicaliser {
  private i = 0;

  constructor(private readonly s: string) {}

  document(): string {
    this.ws();
    const out = this.value(0);
    this.ws();
    if (this.i !== this.s.length) this.fail('unexpected text after the JSON value');
    return out;
  }

  private fail(why: string): never {
    const value = this.s.length > 200 ? `${this.s.slice(0, 200)}…` : this.s;
    throw new FerryError('DATA', `invalid JSON at offset ${this.i}: ${why}`, { value });
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else break;
    }
  }

  private value(depth: number): string {
    if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    const c = this.s.charCodeAt(this.i);
    switch (c) {
      case 0x7b:
        return this.object(depth);
      case 0x5b:
        return this.array(depth);
      case 0x22:
        return JSON.stringify(this.string());
      case 0x74:
        return this.literal('true');
      case 0x66:
        return this.literal('false');
      case 0x6e:
        return this.literal('null');
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail(Number.isNaN(c) ? 'unexpected end' : `unexpected character ${this.s[this.i]}`);
    }
  }

  private object(depth: number): string {
    this.i++;
    // Map.set on a repeated key replaces the value: the last duplicate wins, as in jsonb.
    const entries = new Map<string, string>();
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return '{}';
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x22) this.fail('expected a string key');
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x3a) this.fail("expected ':'");
      this.i++;
      this.ws();
      entries.set(key, this.value(depth + 1));
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 0x7d) break;
      if (c !== 0x2c) {
        this.i--;
        this.fail("expected ',' or '}'");
      }
    }
    const keys = [...entries.keys()].sort(compareCodePoints);
    let out = '{';
    for (let k = 0; k < keys.length; k++) {
      if (k > 0) out += ',';
      out += `${JSON.stringify(keys[k])}:${entries.get(keys[k]!)}`;
    }
    return `${out}}`;
  }

  private array(depth: number): string {
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return '[]';
    }
    let out = '[';
    for (let first = true; ; first = false) {
      this.ws();
      if (!first) out += ',';
      out += this.value(depth + 1);
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 0x5d) break;
      if (c !== 0x2c) {
        this.i--;
        this.fail("expected ',' or ']'");
      }
    }
    return `${out}]`;
  }

  /** The decoded value of the string token at `i` (which is a `"`). */
  private string(): string {
    const s = this.s;
    const start = ++this.i;
    let escaped = false;
    for (;;) {
      if (this.i >= s.length) this.fail('unterminated string');
      const c = s.charCodeAt(this.i);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in a string');
      if (c === 0x5c) {
        escaped = true;
        const e = s[this.i + 1];
        if (e === 'u') {
          if (!HEX.test(s.slice(this.i + 2, this.i + 6))) this.fail('bad \\u escape');
          this.i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail('bad escape');
        this.i += 2;
        continue;
      }
      this.i++;
    }
    const end = this.i++;
    // The token is validated above, so JSON.parse only decodes escapes here (it never sees a number).
    return escaped ? (JSON.parse(s.slice(start - 1, end + 1)) as string) : s.slice(start, end);
  }

  private number(): string {
    const s = this.s;
    const start = this.i;
    const digits = () => {
      const from = this.i;
      while (this.i < s.length && s.charCodeAt(this.i) >= 0x30 && s.charCodeAt(this.i) <= 0x39) this.i++;
      return this.i - from;
    };
    if (s.charCodeAt(this.i) === 0x2d) this.i++;
    if (s.charCodeAt(this.i) === 0x30) this.i++;
    else if (digits() === 0) this.fail('expected a digit');
    if (s.charCodeAt(this.i) === 0x2e) {
      this.i++;
      if (digits() === 0) this.fail('expected a digit after the decimal point');
    }
    const e = s.charCodeAt(this.i);
    if (e === 0x65 || e === 0x45) {
      this.i++;
      const sign = s.charCodeAt(this.i);
      if (sign === 0x2b || sign === 0x2d) this.i++;
      if (digits() === 0) this.fail('expected a digit in the exponent');
    }
    return canonicalDecimal(s.slice(start, this.i));
  }

  private literal(word: string): string {
    if (!this.s.startsWith(word, this.i)) this.fail(`unexpected character ${this.s[this.i]}`);
    this.i += word.length;
    return word;
  }
}
