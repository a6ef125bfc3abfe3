/**
 * transform/: column mapping, cleansing, business rules and the reject store.
 *
 *   config (YAML mapping of a table) ─► parseTableMapping ─► TableTransform (in the plan, JSON)
 *   worker: compileTransform(TableTransform, source columns, secrets) ─► apply(batch) per batch
 *           ─► (unique/dedupe) openPartition(context).add(…)… finish() ─► target; rejects ─► RejectStore
 */
export {
  type CompiledTransform,
  type CompileOptions,
  compileTransform,
  targetColumnsOf,
} from './compile.js';
export { describeRules, describeTransform, type MappingRow } from './describe.js';
export {
  RULE_KINDS,
  TABLE_MAPPING_KEYS,
  type TableMapping,
  type TableMappingInput,
  tableMappingSchema,
} from './mapping-schema.js';
export {
  checkParentKeys,
  type LoadParentKeysOptions,
  loadParentKeys,
  MAX_PARENT_KEYS,
  type ParentKeyRef,
  parentKeyRefs,
} from './parent-keys.js';
export { parseTableMapping } from './parse-mapping.js';
export type { PartitionStage } from './partition-stage.js';
export {
  type RejectFileSummary,
  type RejectRecord,
  RejectStore,
  type RejectTarget,
  RejectWriter,
} from './reject-store.js';
export { parentKeyId } from './row-rules.js';
export { hmacHex } from './hashing.js';
export { refusedRows, targetRejects } from './target-rejects.js';
export { partitionRuleScope, transformBatches } from './transform-batches.js';
export type * from './transform-types.js';
export { canonicalKeyText } from './values/value-text.js';
