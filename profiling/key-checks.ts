import { KEY_HASH_BYTES } from './key-text.js';
import { KeyHashSet, SEEN } from './key-set.js';

/**
 * Exact duplicate and orphan checks over the 128-bit key hashes that pool threads compute per batch
 * (key-text.ts `keyHashes`). The coordinator feeds every batch's hashes in; the result does not depend on the
 * order batches arrive in: counts are sums, and examples are the smallest offending keys (shorter first, then
 * by text), not the first ones met.
 */

/** Offending keys shown per check. */
export const KEY_EXAMPLES = 5;

/** Keeps the `limit` smallest distinct texts offered (shorter first, so `9` comes before `10`). */
export class SmallestTexts {
  readonly #limit: number;
  #texts: string[] = [];

  constructor(limit = KEY_EXAMPLES) {
    this.#limit = limit;
  }

  offer(text: string): void {
    if (this.#texts.includes(text)) return;
    if (this.#texts.length >= this.#limit && compareTexts(text, this.#texts[this.#texts.length - 1]!) >= 0)
      return;
    this.#texts.push(text);
    this.#texts.sort(compareTexts);
    if (this.#texts.length > this.#limit) this.#texts.pop();
  }

  /** Whether a text would be kept (to skip building texts that would not be). */
  wants(text: string): boolean {
    return this.#texts.length < this.#limit || compareTexts(text, this.#texts[this.#texts.length - 1]!) < 0;
  }

  values(): string[] {
    return [...this.#texts];
  }
}

function compareTexts(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function isNullKey(hashes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < KEY_HASH_BYTES; i++) if (hashes[offset + i] !== 0) return false;
  return true;
}

function viewOf(hashes: Uint8Array): DataView {
  return new DataView(hashes.buffer, hashes.byteOffset, hashes.byteLength);
}

/** The text of a row's key, read from the batch the hashes came from (only for offending rows). */
export type KeyTextAt = (row: number) => string;

/** Result of a duplicate check on one key. */
export interface DuplicateCounts {
  /** Rows checked. */
  rows: number;
  /** Rows whose key has a NULL (not checked). */
  nullRows: number;
  /** Distinct non-NULL keys. */
  distinct: number;
  /** Rows beyond the first for each key: rows − nullRows − distinct. */
  duplicateRows: number;
  /** Keys that occur more than once. */
  duplicateKeys: number;
  examples: string[];
}

/** Duplicates on one key (primary, unique or candidate): every distinct key hash is kept exactly. */
export class DuplicateCheck {
  readonly keys = new KeyHashSet();
  #rows = 0;
  #nullRows = 0;
  #duplicateRows = 0;
  #duplicateKeys = 0;
  #examples = new SmallestTexts();

  add(hashes: Uint8Array, textAt: KeyTextAt): void {
    const view = viewOf(hashes);
    for (let row = 0, off = 0; off < hashes.length; row++, off += KEY_HASH_BYTES) {
      this.#rows++;
      if (isNullKey(hashes, off)) {
        this.#nullRows++;
        continue;
      }
      const seen = this.keys.insert(view, off);
      if (seen === SEEN.new) continue;
      this.#duplicateRows++;
      if (seen === SEEN.once) {
        this.#duplicateKeys++;
        this.#examples.offer(textAt(row));
      }
    }
  }

  result(): DuplicateCounts {
    return {
      rows: this.#rows,
      nullRows: this.#nullRows,
      distinct: this.keys.size,
      duplicateRows: this.#duplicateRows,
      duplicateKeys: this.#duplicateKeys,
      examples: this.#examples.values(),
    };
  }
}

/** Result of an orphan check on one foreign key. */
export interface OrphanCounts {
  rows: number;
  /** Rows whose foreign key has a NULL: they reference nothing, so they are no orphans. */
  nullRows: number;
  /** Rows whose key is not among the parent's keys. */
  orphanRows: number;
  /** Distinct orphan keys. */
  orphanKeys: number;
  examples: string[];
}

/**
 * Orphans of one foreign key. `immediate`: the parent table was read completely before this child, so each
 * child row is checked as it arrives and only the distinct orphan keys are kept. `deferred` (the parent is
 * the table itself or in a foreign-key cycle with it): the child's distinct keys are kept with their row
 * counts and checked at the end; examples then come from keys missing when their rows were read, and may be
 * fewer than the orphans.
 */
export class OrphanCheck {
  readonly #parent: KeyHashSet;
  readonly #deferred: KeyHashSet | undefined;
  readonly #orphans = new KeyHashSet();
  #rows = 0;
  #nullRows = 0;
  #orphanRows = 0;
  #examples = new SmallestTexts();
  /** Deferred mode: texts of keys missing from the parent when read, by hash hex, to confirm at the end. */
  #candidates = new Map<string, string>();

  readonly mode: 'immediate' | 'deferred';

  constructor(parent: KeyHashSet, mode: 'immediate' | 'deferred') {
    this.mode = mode;
    this.#parent = parent;
    if (mode === 'deferred') this.#deferred = new KeyHashSet(true);
  }

  add(hashes: Uint8Array, textAt: KeyTextAt): void {
    const view = viewOf(hashes);
    for (let row = 0, off = 0; off < hashes.length; row++, off += KEY_HASH_BYTES) {
      this.#rows++;
      if (isNullKey(hashes, off)) {
        this.#nullRows++;
        continue;
      }
      if (this.#parent.has(view, off)) {
        this.#deferred?.insert(view, off);
        continue;
      }
      if (this.#deferred) {
        this.#deferred.insert(view, off);
        if (this.#candidates.size < 64 * KEY_EXAMPLES) {
          const hex = Buffer.from(hashes.subarray(off, off + KEY_HASH_BYTES)).toString('hex');
          if (!this.#candidates.has(hex)) this.#candidates.set(hex, textAt(row));
        }
        continue;
      }
      this.#orphanRows++;
      if (this.#orphans.insert(view, off) === SEEN.new) this.#examples.offer(textAt(row));
    }
  }

  result(): OrphanCounts {
    if (!this.#deferred) {
      return {
        rows: this.#rows,
        nullRows: this.#nullRows,
        orphanRows: this.#orphanRows,
        orphanKeys: this.#orphans.size,
        examples: this.#examples.values(),
      };
    }
    let orphanRows = 0;
    let orphanKeys = 0;
    const examples = new SmallestTexts();
    for (const [key, count] of this.#deferred.entries()) {
      if (this.#parent.has(new DataView(key.buffer), 0)) continue;
      orphanRows += count;
      orphanKeys++;
      const text = this.#candidates.get(Buffer.from(key).toString('hex'));
      if (text !== undefined) examples.offer(text);
    }
    return {
      rows: this.#rows,
      nullRows: this.#nullRows,
      orphanRows,
      orphanKeys,
      examples: examples.values(),
    };
  }
}
