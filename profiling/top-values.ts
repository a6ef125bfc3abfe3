/**
 * The most frequent values of a column: a mergeable top-k summary with error bounds, in the family of
 * space-saving / Misra–Gries summaries ("Mergeable summaries", Agarwal et al. 2012).
 *
 *   batch: exact counts ─► keep the k largest (bound = largest dropped count)
 *   merge: add counts; an entry missing on one side may have up to that side's bound there ─► keep k largest
 *
 * Each entry carries `count` (a lower bound of its true count) and `error` (true count ≤ count + error).
 * `missing` bounds the count of any value not listed. While nothing was ever dropped, counts are exact and
 * the list holds every value. Any value whose true count exceeds `missing` is listed.
 */

/** Entries kept per column. */
export const TOP_VALUES_K = 100;
/** Values longer than this are keyed by their prefix and a hash (shown truncated). */
const MAX_VALUE_CHARS = 200;

/** JSON state: `[value, count, error]` entries, sorted by count descending then value. */
export interface TopValuesState {
  entries: [string, number, number][];
  missing: number;
}

/** The key under which a value is counted: the value itself, or a prefix and length for long values. */
export function topValueKey(value: string): string {
  if (value.length <= MAX_VALUE_CHARS) return value;
  return `${value.slice(0, MAX_VALUE_CHARS)}… (${value.length} characters)`;
}

function order(a: [string, number, number], b: [string, number, number]): number {
  if (a[1] !== b[1]) return b[1] - a[1];
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Counts values exactly; `state()` reduces them to the top {@link TOP_VALUES_K}. */
export class TopValues {
  #counts = new Map<string, [number, number]>();
  #missing = 0;

  /** Counts one value (already through {@link topValueKey}). */
  add(key: string): void {
    const c = this.#counts.get(key);
    if (c) c[0]++;
    else this.#counts.set(key, [1, 0]);
  }

  merge(state: TopValuesState): void {
    const mine = this.#counts;
    const theirs = new Map(state.entries.map(([v, c, e]) => [v, [c, e] as [number, number]]));
    for (const [v, c] of mine) {
      const t = theirs.get(v);
      if (t) {
        c[0] += t[0];
        c[1] += t[1];
      } else c[1] += state.missing;
    }
    for (const [v, t] of theirs) if (!mine.has(v)) mine.set(v, [t[0], t[1] + this.#missing]);
    this.#missing += state.missing;
    this.#truncate();
  }

  /** True when the counts are exact and every value is listed. */
  get exact(): boolean {
    return this.#missing === 0 && [...this.#counts.values()].every(([, e]) => e === 0);
  }

  state(): TopValuesState {
    this.#truncate();
    const entries = [...this.#counts].map(([v, [c, e]]): [string, number, number] => [v, c, e]).sort(order);
    return { entries, missing: this.#missing };
  }

  static from(state: TopValuesState): TopValues {
    const t = new TopValues();
    for (const [v, c, e] of state.entries) t.#counts.set(v, [c, e]);
    t.#missing = state.missing;
    return t;
  }

  /**
   * Keeps the k entries with the largest counts. Ties at the cut are kept in the order they were first met
   * (scan order, so the result is deterministic) — a linear selection instead of sorting every distinct value,
   * which matters for columns where each batch holds thousands of values seen once.
   */
  #truncate(): void {
    if (this.#counts.size <= TOP_VALUES_K) return;
    const counts: number[] = [];
    for (const [c] of this.#counts.values()) counts.push(c);
    const cut = kthLargest(counts, TOP_VALUES_K);
    const kept = new Map<string, [number, number]>();
    let bound = this.#missing;
    for (const [v, ce] of this.#counts) if (ce[0] > cut) kept.set(v, ce);
    for (const [v, ce] of this.#counts) {
      if (kept.has(v)) continue;
      if (ce[0] === cut && kept.size < TOP_VALUES_K) kept.set(v, ce);
      else bound = Math.max(bound, ce[0] + ce[1]);
    }
    this.#counts = kept;
    this.#missing = bound;
  }
}

/** The k-th largest of `values` (1-based), by quickselect; reorders `values`. */
function kthLargest(values: number[], k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (values[j]! < pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target]!;
  }
  return values[target]!;
}
