/**
 * Distinct counting: exact while small, HyperLogLog beyond.
 *
 *   52-bit value hashes ─► exact set (≤ EXACT_DISTINCT_LIMIT) ──overflow──► HLL, 2^14 registers
 *
 * Exact mode counts distinct 52-bit hashes: with at most 4,096 of them the chance that two values share a hash
 * is below 4096²/2^53 ≈ 2·10⁻⁹, so the count is the true count. HLL mode has a relative standard error of
 * 1.04/√16384 ≈ 0.81% (99.7% of estimates within ±2.5%), using Ertl's improved estimator (2017), which needs
 * no bias tables and stays accurate from a few thousand to billions of values. Merging takes the register
 * maximum, so the result does not depend on merge order.
 */

/** Distinct hashes kept exactly before switching to HyperLogLog. */
export const EXACT_DISTINCT_LIMIT = 4096;
/** HyperLogLog precision: 2^14 registers of one byte (16 KiB). */
export const HLL_PRECISION = 14;
const M = 1 << HLL_PRECISION;
/** Hash bits left for the rank after the register index (52 − 14). */
const Q = 52 - HLL_PRECISION;
/** The relative standard error of a HyperLogLog estimate at {@link HLL_PRECISION}. */
export const HLL_RELATIVE_ERROR = 1.04 / Math.sqrt(M);

/** JSON state: the sorted exact hashes, or the HLL registers as base64. */
export type DistinctState = { exact: number[] } | { hll: string };

/** Counts distinct values from their 52-bit hashes (see hash.ts `valueHash52`). */
export class DistinctCounter {
  #exact: Set<number> | undefined = new Set();
  #registers: Uint8Array | undefined;

  add(hash: number): void {
    if (this.#exact) {
      this.#exact.add(hash);
      if (this.#exact.size > EXACT_DISTINCT_LIMIT) this.#toHll();
    } else this.#addHll(hash);
  }

  merge(state: DistinctState): void {
    if ('exact' in state) {
      for (const h of state.exact) this.add(h);
      return;
    }
    if (this.#exact) this.#toHll();
    const other = Buffer.from(state.hll, 'base64');
    const regs = this.#registers!;
    for (let i = 0; i < M; i++) if (other[i]! > regs[i]!) regs[i] = other[i]!;
  }

  /** True while the count is exact. */
  get exact(): boolean {
    return this.#exact !== undefined;
  }

  /** The number of distinct values (an estimate in HLL mode, rounded). */
  count(): number {
    if (this.#exact) return this.#exact.size;
    return Math.round(estimate(this.#registers!));
  }

  state(): DistinctState {
    if (this.#exact) return { exact: [...this.#exact].sort((a, b) => a - b) };
    return { hll: Buffer.from(this.#registers!).toString('base64') };
  }

  static from(state: DistinctState): DistinctCounter {
    const c = new DistinctCounter();
    c.merge(state);
    return c;
  }

  #toHll(): void {
    this.#registers = new Uint8Array(M);
    for (const h of this.#exact!) this.#addHll(h);
    this.#exact = undefined;
  }

  #addHll(hash: number): void {
    const hi = Math.floor(hash / 1_048_576);
    const lo20 = hash % 1_048_576;
    const index = hi >>> (Q - 20);
    const rest = hi & ((1 << (Q - 20)) - 1);
    // Rank = position of the first 1-bit in the 38 bits after the index (39 when all are zero).
    const rank = rest !== 0 ? Math.clz32(rest) - (32 - (Q - 20)) + 1 : Q - 20 + Math.clz32(lo20) - 12 + 1;
    if (rank > this.#registers![index]!) this.#registers![index] = rank;
  }
}

/** Ertl's improved raw estimator ("New cardinality estimation algorithms for HyperLogLog sketches", 2017). */
function estimate(registers: Uint8Array): number {
  const counts = new Array<number>(Q + 2).fill(0);
  for (let i = 0; i < M; i++) counts[registers[i]!]!++;
  let z = M * tau(1 - counts[Q + 1]! / M);
  for (let k = Q; k >= 1; k--) z = 0.5 * (z + counts[k]!);
  z += M * sigma(counts[0]! / M);
  return (M * M) / (2 * Math.LN2) / z;
}

function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const prev = z;
    z += x * y;
    y += y;
    if (z === prev) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const prev = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === prev) return z / 3;
  }
}
