import type { LogicalType } from '../core/index.js';
import type { ColumnReader, JsValue } from '../formats/index.js';
import { DistinctCounter, type DistinctState } from './distinct.js';
import { bigintHash52, numberHash52, valueHash52 } from './hash.js';
import { LengthDistribution, type LengthState, utf8Length } from './lengths.js';
import { PatternCounter, type PatternState } from './patterns.js';
import { QuantileSketch, type QuantileState, type SketchItem } from './quantiles.js';
import { TopValues, type TopValuesState, topValueKey } from './top-values.js';
import { compareRaw, type DomainInfo, domainInfo, rawText, sketchItem } from './value-domain.js';

/**
 * The mergeable profile of one column: JSON-serialisable (bigints as text) so a pool thread can compute it for
 * one batch and the coordinator can merge it. Merging the states of a split stream in order gives the same
 * counts, min/max, lengths and patterns as one pass over the whole stream (sketches stay within their bounds).
 */
export interface ColumnState {
  type: LogicalType;
  rows: number;
  nulls: number;
  /** Float NaNs (kept out of min/max and quantiles). */
  nan: number;
  distinct: DistinctState;
  /** Raw min/max texts (value-domain.ts); absent when no ordered value was seen. */
  min?: string;
  max?: string;
  top: TopValuesState;
  lengths?: LengthState;
  patterns?: PatternState;
  quantiles?: QuantileState;
}

const jsonText = (v: JsValue) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
const encoder = new TextEncoder();
const TRUE_HASH = numberHash52(1);
const FALSE_HASH = numberHash52(0);

/** Accumulates one column over batches (`addColumn`) or partial states (`merge`). */
export class ColumnAccumulator {
  readonly type: LogicalType;
  readonly info: DomainInfo;
  #rows = 0;
  #nulls = 0;
  #nan = 0;
  #distinct = new DistinctCounter();
  #min: string | undefined;
  #max: string | undefined;
  #top = new TopValues();
  #lengths: LengthDistribution | undefined;
  #patterns: PatternCounter | undefined;
  #quantiles: QuantileSketch | undefined;

  constructor(type: LogicalType) {
    this.type = type;
    this.info = domainInfo(type);
    if (this.info.lengths) this.#lengths = new LengthDistribution();
    if (this.info.patterns) this.#patterns = new PatternCounter();
    if (this.info.sketch) this.#quantiles = new QuantileSketch(this.info.sketch.domain);
  }

  /** Profiles every row of one column of a batch. */
  addColumn(reader: ColumnReader): void {
    const { type, info } = this;
    const scale = info.sketch?.scale ?? 0;
    const bytesOf = reader.bytes;
    let min: JsValue | undefined;
    let max: JsValue | undefined;
    let minItem: SketchItem | undefined;
    let maxItem: SketchItem | undefined;
    let specialMin: JsValue | undefined;
    let specialMax: JsValue | undefined;
    const less = lessThan(type, info);
    for (let i = 0; i < reader.length; i++) {
      this.#rows++;
      if (reader.isNull(i)) {
        this.#nulls++;
        continue;
      }
      const v = reader.get(i)!;
      if (bytesOf) {
        const bytes = bytesOf(i);
        this.#distinct.add(valueHash52(bytes));
        this.#lengths?.add(info.lengths === 'chars' ? utf8Length(bytes) : bytes.length);
      } else if (typeof v === 'number') this.#distinct.add(numberHash52(v));
      else if (typeof v === 'bigint') this.#distinct.add(bigintHash52(v));
      else if (typeof v === 'boolean') this.#distinct.add(v ? TRUE_HASH : FALSE_HASH);
      else this.#distinct.add(valueHash52(encoder.encode(jsonText(v))));
      // Counted under the raw text (cheap to make); summaries print it as the column's type prints.
      this.#top.add(topValueKey(rawText(type, v)));
      if (typeof v === 'number' && Number.isNaN(v)) {
        this.#nan++;
        continue;
      }
      if (this.#patterns) this.#patterns.add(v as string);
      const item = this.#quantiles ? sketchItem(type, v, scale) : undefined;
      if (item !== undefined) this.#quantiles!.add(item);
      if (info.order === 'decimal' && item !== undefined) {
        // Compare finite decimals by their scaled integer (rounded toward −∞, so order is kept) and by the
        // exact text only on a tie, which differs beyond the scale: one parse per value instead of three.
        if (min === undefined || item < minItem! || (item === minItem && less(v, min))) {
          min = v;
          minItem = item;
        }
        if (max === undefined || item > maxItem! || (item === maxItem && less(max, v))) {
          max = v;
          maxItem = item;
        }
      } else if (info.order === 'decimal') {
        // NaN and ±Infinity: kept apart, compared exactly at the end.
        if (specialMin === undefined || less(v, specialMin)) specialMin = v;
        if (specialMax === undefined || less(specialMax, v)) specialMax = v;
      } else if (info.order !== 'none') {
        if (min === undefined || less(v, min)) min = v;
        if (max === undefined || less(max, v)) max = v;
      }
    }
    if (specialMin !== undefined && (min === undefined || less(specialMin, min))) min = specialMin;
    if (specialMax !== undefined && (max === undefined || less(max, specialMax))) max = specialMax;
    if (min !== undefined) this.#takeMinMax(rawText(type, min), rawText(type, max!));
  }

  merge(s: ColumnState): void {
    this.#rows += s.rows;
    this.#nulls += s.nulls;
    this.#nan += s.nan;
    this.#distinct.merge(s.distinct);
    if (s.min !== undefined && s.max !== undefined) this.#takeMinMax(s.min, s.max);
    this.#top.merge(s.top);
    if (s.lengths) this.#lengths?.merge(s.lengths);
    if (s.patterns) this.#patterns?.merge(s.patterns);
    if (s.quantiles) this.#quantiles?.merge(s.quantiles);
  }

  state(): ColumnState {
    const s: ColumnState = {
      type: this.type,
      rows: this.#rows,
      nulls: this.#nulls,
      nan: this.#nan,
      distinct: this.#distinct.state(),
      top: this.#top.state(),
    };
    if (this.#min !== undefined) s.min = this.#min;
    if (this.#max !== undefined) s.max = this.#max;
    if (this.#lengths) s.lengths = this.#lengths.state();
    if (this.#patterns) s.patterns = this.#patterns.state();
    if (this.#quantiles) s.quantiles = this.#quantiles.state();
    return s;
  }

  static from(s: ColumnState): ColumnAccumulator {
    const a = new ColumnAccumulator(s.type);
    a.merge(s);
    return a;
  }

  #takeMinMax(min: string, max: string): void {
    const order = this.info.order;
    if (this.#min === undefined || compareRaw(order, min, this.#min) < 0) this.#min = min;
    if (this.#max === undefined || compareRaw(order, max, this.#max) > 0) this.#max = max;
  }
}

/** A strict "less than" on JS values of one order kind, without going through text. */
function lessThan(type: LogicalType, info: DomainInfo): (a: JsValue, b: JsValue) => boolean {
  switch (info.order) {
    case 'number':
    case 'bigint':
      return (a, b) => (a as number) < (b as number);
    case 'decimal':
      return (a, b) => compareRaw('decimal', a as string, b as string) < 0;
    default:
      return (a, b) => compareRaw('text', rawText(type, a), rawText(type, b)) < 0;
  }
}
