import type * as A from 'apache-arrow';
import { logicalTypeOf } from '../formats/index.js';
import { ByteSink } from './byte-sink.js';
import { type CompareRules, checkRuleColumns, resolveRule } from './compare-rules.js';
import { murmur3x86_128 } from './murmur3.js';
import { type ValueEncoder, valueEncoder } from './value-encoders.js';

/*
 * Row hash choice, measured on the development machine (Node 20, one core, 1M rows of 60–110 bytes,
 * hashing alone):
 *   MurmurHash3 x86_128 in JS (Math.imul)       ~14,000,000 rows/s
 *   MD5 via crypto.hash('md5', view, 'buffer')       ~900,000 rows/s (one native call per row dominates)
 * With MurmurHash3 the whole accumulator (encode + hash + sum) runs at ~4,000,000 rows/s on
 * bench/checksums.ts's mixed 8-column table; MD5 alone would cap it below 900,000. MurmurHash3 x86_128 passes
 * SMHasher and is 128 bits wide; ferry's checksums guard against accidental loss or change, not against an
 * adversary crafting collisions, so it is used (docs/checksums.md).
 */

/**
 * Hashes the rows of batches: one reusable scratch buffer, compiled per batch into one encoder per column.
 * After `hashRow(r)`, `hash` holds the row's 128-bit hash as four unsigned 32-bit words, low word first.
 */
export class RowHasher {
  readonly hash = new Uint32Array(4);
  readonly sink = new ByteSink(1024);
  private encoders: ValueEncoder[] = [];

  constructor(private readonly rules?: CompareRules) {}

  /** Prepares for rows of `batch` (validates the compare rules against its columns). */
  bind(batch: A.RecordBatch): void {
    const fields = batch.schema.fields;
    checkRuleColumns(
      this.rules,
      fields.map((f) => f.name),
    );
    this.encoders = fields.map((f, c) => {
      const type = logicalTypeOf(f);
      const rule = this.rules && Object.hasOwn(this.rules, f.name) ? this.rules[f.name] : undefined;
      return valueEncoder(batch.data.children[c]!, type, resolveRule(f.name, type, rule), this.sink, f.name);
    });
  }

  /** Writes the canonical encoding of row `r` of the bound batch into `sink[0, sink.pos)`. */
  encodeRow(r: number): void {
    const encoders = this.encoders;
    this.sink.pos = 0;
    for (let c = 0; c < encoders.length; c++) encoders[c]!(r);
  }

  /** Hashes row `r` of the bound batch into `hash`. */
  hashRow(r: number): void {
    this.encodeRow(r);
    const sink = this.sink;
    murmur3x86_128(sink.view, 0, sink.pos, this.hash);
  }
}

/** A 128-bit value given as four 32-bit words (low first) as 32 lower-case hex digits, most significant first. */
export function wordsToHex(w: ArrayLike<number>): string {
  let out = '';
  for (let k = 3; k >= 0; k--) out += (w[k]! >>> 0).toString(16).padStart(8, '0');
  return out;
}
