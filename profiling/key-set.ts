/**
 * A set of 128-bit key hashes, exact, with memory bounded by the number of distinct keys: an open-addressing
 * table (linear probing) of 16-byte slots plus one state byte (and, when counting, four count bytes) per slot,
 * kept between 30% and 60% full — about 30 to 60 bytes per distinct key (≈ 3–6 GB for 10⁸ keys), never more
 * than the table holds. The slot index mixes all four words: a key is a hash or, for a one-column integer key,
 * the integer itself (key-text.ts `keyHashes`), whose low word alone would pile structured keys (multiples of
 * 2^k, microsecond timestamps) onto a few slots.
 */

const EMPTY = 0;
const INITIAL_SLOTS = 1024;
const MAX_LOAD = 0.6;

/** What {@link KeyHashSet.insert} found. */
export const SEEN = { new: 0, once: 1, more: 2 } as const;

export class KeyHashSet {
  #words: Uint32Array;
  #state: Uint8Array;
  #counts: Uint32Array | undefined;
  #mask: number;
  #size = 0;

  /** `counting`: also count how often each key was inserted (for {@link entries}). */
  constructor(counting = false) {
    this.#words = new Uint32Array(INITIAL_SLOTS * 4);
    this.#state = new Uint8Array(INITIAL_SLOTS);
    if (counting) this.#counts = new Uint32Array(INITIAL_SLOTS);
    this.#mask = INITIAL_SLOTS - 1;
  }

  /** Distinct keys held. */
  get size(): number {
    return this.#size;
  }

  /** Bytes of memory the table uses now. */
  get bytes(): number {
    return this.#words.byteLength + this.#state.byteLength + (this.#counts?.byteLength ?? 0);
  }

  /** Inserts the key at `view[offset..offset+16)`; returns how often it was seen before (`SEEN`). */
  insert(view: DataView, offset: number): number {
    const a = view.getUint32(offset, true);
    const b = view.getUint32(offset + 4, true);
    const c = view.getUint32(offset + 8, true);
    const d = view.getUint32(offset + 12, true);
    const slot = this.#find(a, b, c, d);
    const state = this.#state[slot]!;
    if (state === EMPTY) {
      const w = slot * 4;
      this.#words[w] = a;
      this.#words[w + 1] = b;
      this.#words[w + 2] = c;
      this.#words[w + 3] = d;
      this.#state[slot] = 1;
      if (this.#counts) this.#counts[slot] = 1;
      this.#size++;
      if (this.#size > this.#state.length * MAX_LOAD) this.#grow();
      return SEEN.new;
    }
    if (this.#counts) this.#counts[slot] = Math.min(0xffffffff, this.#counts[slot]! + 1);
    this.#state[slot] = 2;
    return state === 1 ? SEEN.once : SEEN.more;
  }

  /** Whether the key at `view[offset..offset+16)` is in the set. */
  has(view: DataView, offset: number): boolean {
    const slot = this.#find(
      view.getUint32(offset, true),
      view.getUint32(offset + 4, true),
      view.getUint32(offset + 8, true),
      view.getUint32(offset + 12, true),
    );
    return this.#state[slot] !== EMPTY;
  }

  /** Every key as 16 bytes with its insert count (1 when not counting). */
  *entries(): Generator<[Uint8Array, number]> {
    for (let slot = 0; slot < this.#state.length; slot++) {
      if (this.#state[slot] === EMPTY) continue;
      const key = new Uint8Array(16);
      const view = new DataView(key.buffer);
      for (let i = 0; i < 4; i++) view.setUint32(i * 4, this.#words[slot * 4 + i]!, true);
      yield [key, this.#counts ? this.#counts[slot]! : 1];
    }
  }

  #find(a: number, b: number, c: number, d: number): number {
    const words = this.#words;
    // MurmurHash3's 32-bit finalizer over the words combined.
    let h = a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b) ^ Math.imul(d, 0xc2b2ae35);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    let slot = h & this.#mask;
    for (;;) {
      if (this.#state[slot] === EMPTY) return slot;
      const w = slot * 4;
      if (words[w] === a && words[w + 1] === b && words[w + 2] === c && words[w + 3] === d) return slot;
      slot = (slot + 1) & this.#mask;
    }
  }

  #grow(): void {
    const words = this.#words;
    const state = this.#state;
    const counts = this.#counts;
    const slots = state.length * 2;
    this.#words = new Uint32Array(slots * 4);
    this.#state = new Uint8Array(slots);
    if (counts) this.#counts = new Uint32Array(slots);
    this.#mask = slots - 1;
    for (let old = 0; old < state.length; old++) {
      if (state[old] === EMPTY) continue;
      const w = old * 4;
      const slot = this.#find(words[w]!, words[w + 1]!, words[w + 2]!, words[w + 3]!);
      this.#words.set(words.subarray(w, w + 4), slot * 4);
      this.#state[slot] = state[old]!;
      if (counts) this.#counts![slot] = counts[old]!;
    }
  }
}
