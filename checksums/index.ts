/**
 * checksums/: the canonical row encoding and the order-independent multiset checksum every connector uses
 * to prove rows arrived unchanged, plus keyed digests for bisecting a mismatch. See docs/checksums.md.
 *
 * ```
 * Arrow batch ─► compare rules ─► canonical encoding per row ─► MurmurHash3 x86_128 ─► Σ mod 2^128, row count
 * ```
 */
export { canonicalDecimal } from './canonical-decimal.js';
export { CanonicalRowSum } from './canonical-rows.js';
export { canonicalJson } from './canonical-json.js';
export { PG_BINARY_CHECKSUM_ALGORITHM, PgBinaryRowChecksum } from './pg-binary-rows.js';
export { type PgCanonicalColumn, PgCanonicalRowChecksum, pgCanonicalColumns } from './pg-canonical-rows.js';
export {
  CHECKSUM_ALGORITHM,
  ChecksumAccumulator,
  checksumsEqual,
  combineChecksums,
  subtractChecksums,
  ZERO_CHECKSUM,
} from './checksum.js';
export {
  type ColumnCompareRule,
  type CompareRules,
  columnCompareRuleSchema,
  compareRulesSchema,
} from './compare-rules.js';
export {
  type DiffOptions,
  diffKeyedDigests,
  type KeyedDiff,
  type KeyedDigest,
  KeyedRows,
  keyedRowDigests,
} from './keyed-digests.js';
export { murmur3x86_128 } from './murmur3.js';
export { TAG as CANONICAL_TAGS } from './value-encoders.js';
