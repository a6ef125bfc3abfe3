/**
 * A mergeable quantile sketch (KLL, Karnin–Lang–Liberty 2016) over exact values: JS numbers, or bigints for
 * 64-bit integers, times, timestamps and scaled decimals, so a quantile is always one of the column's own
 * values, never a rounded float.
 *
 *   level 0 (weight 1) ── full ─► sort, keep every other item ─► level 1 (weight 2) ── … ─► level h (weight 2^h)
 *
 * While nothing has been compacted (up to {@link KLL_K} values) every answer is exact. After that a rank is
 * off by about 1–2% of n (k = 200; the tests hold it under 2%). Compaction alternates which half it
 * keeps instead of flipping a coin, so the same inputs merged in the same order give the same sketch (the
 * profiler merges partitions in partition order). Min and max are kept exactly beside the levels.
 */

/** Items per top level; the rank error shrinks as 1/k. */
export const KLL_K = 200;
const SHRINK = 2 / 3;

/** The kind of values a sketch holds. */
export type SketchDomain = 'number' | 'bigint';
export type SketchItem = number | bigint;

/** JSON state of a sketch; bigints as decimal text. */
export interface QuantileState {
  domain: SketchDomain;
  n: number;
  compacted: boolean;
  min?: number | string;
  max?: number | string;
  levels: (number | string)[][];
  /** Which half the next compaction of each level keeps (0 or 1). */
  flips: number[];
}

function compareItems(a: SketchItem, b: SketchItem): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class QuantileSketch {
  readonly domain: SketchDomain;
  #levels: SketchItem[][] = [[]];
  #flips: number[] = [0];
  #n = 0;
  #size = 0;
  #compacted = false;
  #min: SketchItem | undefined;
  #max: SketchItem | undefined;

  constructor(domain: SketchDomain) {
    this.domain = domain;
  }

  get n(): number {
    return this.#n;
  }
  /** True when no value was dropped: quantiles and ranks are exact. */
  get exact(): boolean {
    return !this.#compacted;
  }
  get min(): SketchItem | undefined {
    return this.#min;
  }
  get max(): SketchItem | undefined {
    return this.#max;
  }

  add(x: SketchItem): void {
    this.#levels[0]!.push(x);
    this.#n++;
    this.#size++;
    if (this.#min === undefined || x < this.#min) this.#min = x;
    if (this.#max === undefined || x > this.#max) this.#max = x;
    if (this.#size > this.#capacityTotal()) this.#compress();
  }

  merge(state: QuantileState): void {
    const other = QuantileSketch.from(state);
    if (other.#n === 0) return;
    while (this.#levels.length < other.#levels.length) {
      this.#levels.push([]);
      this.#flips.push(0);
    }
    for (const [h, items] of other.#levels.entries()) {
      for (const x of items) this.#levels[h]!.push(x);
      this.#size += items.length;
    }
    this.#n += other.#n;
    this.#compacted ||= other.#compacted;
    if (this.#min === undefined || (other.#min !== undefined && other.#min < this.#min))
      this.#min = other.#min;
    if (this.#max === undefined || (other.#max !== undefined && other.#max > this.#max))
      this.#max = other.#max;
    this.#compress();
  }

  /** Sorted (item, weight) pairs; weights sum to n. */
  weighted(): [SketchItem, number][] {
    const out: [SketchItem, number][] = [];
    for (const [h, items] of this.#levels.entries()) for (const x of items) out.push([x, 2 ** h]);
    return out.sort((a, b) => compareItems(a[0], b[0]));
  }

  /**
   * The value at rank ⌈q·n⌉ (nearest rank, 1-based; q = 0 gives the minimum): always a value of the column.
   * Undefined when empty.
   */
  quantile(q: number): SketchItem | undefined {
    if (this.#n === 0) return undefined;
    if (q <= 0) return this.#min;
    if (q >= 1) return this.#max;
    const target = Math.max(1, Math.ceil(q * this.#n));
    let seen = 0;
    for (const [x, w] of this.weighted()) {
      seen += w;
      if (seen >= target) return x;
    }
    return this.#max;
  }

  state(): QuantileState {
    const enc = (x: SketchItem) => (typeof x === 'bigint' ? x.toString() : x);
    const s: QuantileState = {
      domain: this.domain,
      n: this.#n,
      compacted: this.#compacted,
      levels: this.#levels.map((l) => l.map(enc)),
      flips: [...this.#flips],
    };
    if (this.#min !== undefined) s.min = enc(this.#min);
    if (this.#max !== undefined) s.max = enc(this.#max);
    return s;
  }

  static from(state: QuantileState): QuantileSketch {
    const s = new QuantileSketch(state.domain);
    const dec = (x: number | string): SketchItem => (state.domain === 'bigint' ? BigInt(x) : Number(x));
    s.#levels = state.levels.map((l) => l.map(dec));
    s.#flips = state.flips.length === state.levels.length ? [...state.flips] : state.levels.map(() => 0);
    s.#n = state.n;
    s.#size = s.#levels.reduce((sum, l) => sum + l.length, 0);
    s.#compacted = state.compacted;
    if (state.min !== undefined) s.#min = dec(state.min);
    if (state.max !== undefined) s.#max = dec(state.max);
    return s;
  }

  #capacity(h: number): number {
    return Math.max(2, Math.ceil(KLL_K * SHRINK ** (this.#levels.length - 1 - h)));
  }

  #capacityTotal(): number {
    let total = 0;
    for (let h = 0; h < this.#levels.length; h++) total += this.#capacity(h);
    return total;
  }

  #compress(): void {
    while (this.#size > this.#capacityTotal()) {
      const h = this.#levels.findIndex((items, i) => items.length >= this.#capacity(i));
      if (h < 0) return;
      this.#compact(h);
    }
  }

  #compact(h: number): void {
    if (h + 1 === this.#levels.length) {
      this.#levels.push([]);
      this.#flips.push(0);
    }
    const items = this.#levels[h]!.sort(compareItems);
    // An odd item out stays at this level so the total weight stays exactly n.
    const keep = items.length % 2 === 1 ? [items.pop()!] : [];
    const offset = this.#flips[h]!;
    this.#flips[h] = 1 - offset;
    const up = this.#levels[h + 1]!;
    for (let i = offset; i < items.length; i += 2) up.push(items[i]!);
    this.#size -= items.length - items.length / 2;
    this.#levels[h] = keep;
    this.#compacted = true;
  }
}
