import type { Column, LogicalType } from '../core/index.js';
import type { JsValue } from '../formats/index.js';
import type { Values } from './batch-values.js';
import { uuidV5 } from './hashing.js';
import { type RowFailures, showValue } from './row-failures.js';
import type { ValueSource } from './transform-types.js';
import { canonicalKeyText, parseValueText, valueText } from './values/value-text.js';

/** Source columns of the batch being transformed, read on first use. */
export interface SourceValues {
  get(name: string): Values;
  /** A value computed once per batch under `key` (e.g. both parts of one split). */
  memo<T>(key: string, compute: () => T): T;
}

/** Computes a column's values from the source; the array returned may be changed in place by later steps. */
export type SourceStep = (src: SourceValues, n: number, failures: RowFailures) => Values;

/** Both parts of a split name, computed once per batch and shared by the first- and last-part columns. */
function splitParts(
  s: Extract<ValueSource, { kind: 'split' }>,
  input: Values,
  n: number,
  failures: RowFailures,
  column: string,
  type: LogicalType,
): [Values, Values] {
  const first: Values = new Array(n).fill(null);
  const last: Values = new Array(n).fill(null);
  const on = s.on;
  for (let r = 0; r < n; r++) {
    const v = input[r] as string | null;
    if (v === null || failures.failed[r]) continue;
    // The common case, two words and one separator, without building a word list.
    const i = v.indexOf(on);
    if (i > 0 && i + on.length < v.length && v.indexOf(on, i + on.length) < 0) {
      first[r] = v.slice(0, i);
      last[r] = v.slice(i + on.length);
      continue;
    }
    // Empty parts (repeated, leading or trailing separators) are not words.
    const words = v.split(on).filter((w) => w !== '');
    if (words.length === 0) continue;
    if (words.length === 1) {
      if (s.oneWord === 'reject')
        failures.fail(r, 'split', column, showValue(v, type), 'is one word (split.one_word is reject)');
      else if (s.oneWord === 'first_name_only') first[r] = words[0]!;
      else last[r] = words[0]!;
      continue;
    }
    if (words.length > 2 && s.extraWords === 'reject') {
      failures.fail(
        r,
        'split',
        column,
        showValue(v, type),
        `has ${words.length} words (split.extra_words is reject)`,
      );
      continue;
    }
    const firstCount = words.length > 2 && s.extraWords === 'to_first' ? words.length - 1 : 1;
    first[r] = words.slice(0, firstCount).join(on);
    last[r] = words.slice(firstCount).join(on);
  }
  return [first, last];
}

function splitStep(
  s: Extract<ValueSource, { kind: 'split' }>,
  column: string,
  type: LogicalType,
): SourceStep {
  const key = JSON.stringify(['split', s.column, s.on, s.oneWord, s.extraWords]);
  return (src, n, failures) => {
    const parts = src.memo(key, () => splitParts(s, src.get(s.column), n, failures, column, type));
    // A copy: later steps change values in place, and the other part's column shares the memo.
    return (s.part === 'first' ? parts[0] : parts[1]).slice();
  };
}

function concatStep(s: Extract<ValueSource, { kind: 'concat' }>, types: LogicalType[]): SourceStep {
  return (src, n) => {
    const inputs = s.columns.map((c) => src.get(c));
    const out: Values = new Array(n);
    for (let r = 0; r < n; r++) {
      let text = '';
      let parts = 0;
      let isNull = false;
      for (let k = 0; k < inputs.length; k++) {
        const v = inputs[k]![r] ?? null;
        if (v === null) {
          if (s.nulls === 'null') {
            isNull = true;
            break;
          }
          if (s.nulls === 'skip') continue;
        }
        const part =
          v === null ? '' : typeof v === 'string' && types[k]!.kind === 'text' ? v : valueText(v, types[k]!);
        text = parts++ === 0 ? part : text + s.separator + part;
      }
      out[r] = isNull || (s.nulls === 'skip' && parts === 0) ? null : text;
    }
    return out;
  };
}

function uuidStep(s: Extract<ValueSource, { kind: 'uuid_v5' }>, types: LogicalType[]): SourceStep {
  const make = uuidV5(s.namespace);
  const single = s.columns.length === 1;
  const type0 = types[0]!;
  return (src, n) => {
    const inputs = s.columns.map((c) => src.get(c));
    const out: Values = new Array(n);
    for (let r = 0; r < n; r++) {
      if (single) {
        const v = inputs[0]![r] ?? null;
        out[r] =
          v === null
            ? null
            : make(typeof v === 'string' && type0.kind === 'text' ? v : canonicalKeyText(v, type0));
        continue;
      }
      const texts: string[] = [];
      for (let k = 0; k < inputs.length; k++) {
        const v = inputs[k]![r] ?? null;
        if (v === null) break;
        texts.push(canonicalKeyText(v, types[k]!));
      }
      out[r] = texts.length === inputs.length ? make(JSON.stringify(texts)) : null;
    }
    return out;
  };
}

/** The value source of a target column as a step over whole columns. */
export function sourceStep(s: ValueSource, source: Map<string, Column>, column: string): SourceStep {
  const typeOf = (name: string) => source.get(name)!.type;
  switch (s.kind) {
    case 'from':
      // A copy, because the steps after it change values in place and the source array is shared.
      return (src) => src.get(s.column).slice();
    case 'value': {
      const parsed = s.value === null ? null : parseValueText(s.value, s.type);
      const value: JsValue | null = parsed && 'value' in parsed ? parsed.value : null;
      return (_src, n) => new Array<JsValue | null>(n).fill(value);
    }
    case 'split':
      return splitStep(s, column, typeOf(s.column));
    case 'concat':
      return concatStep(s, s.columns.map(typeOf));
    case 'uuid_v5':
      return uuidStep(s, s.columns.map(typeOf));
  }
}
