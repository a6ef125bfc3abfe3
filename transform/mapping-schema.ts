import { z } from 'zod';
import { TYPE_NAMES_HELP, parseTypeName } from './values/type-name.js';

/**
 * The YAML shape of one table's mapping (the `columns`, `rules`, `dedupe` and `unmapped` keys of a
 * `tables:` entry). Strict: a misspelt key is an error naming its path. Only the shape is checked here;
 * `parseTableMapping` then checks it against the source table's columns and types.
 */

/** A scalar literal as YAML gives it. */
const scalar = z.union([z.string(), z.number(), z.boolean()], {
  error: 'must be a text, number or boolean value',
});
const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
  error: 'must be a column name or a list of column names',
});
const columnName = z.string({ error: 'must be a column name' }).min(1);

const splitSchema = z.strictObject({
  from: columnName.describe('Source column holding the whole name.'),
  part: z.enum(['first', 'last']).describe('Which part this target column receives.'),
  on: z.string().min(1).default(' ').describe('Word separator. Default: one space.'),
  one_word: z
    .enum(['first_name_only', 'last_name_only', 'reject'])
    .describe(
      'A one-word name: goes to the first or the last part (the other is NULL), or the row is rejected.',
    ),
  extra_words: z
    .enum(['to_last', 'to_first', 'reject'])
    .describe(
      'Three or more words: the middle words join the last or the first part, or the row is rejected.',
    ),
});

const concatSchema = z.strictObject({
  from: z.array(columnName).min(1).describe('Source columns, in order.'),
  separator: z.string().default('').describe('Text between parts. Default: none.'),
  nulls: z
    .enum(['skip', 'null', 'empty'])
    .describe(
      'NULL parts: left out with their separator (`skip`), make the result NULL (`null`), or count as empty text (`empty`).',
    ),
});

const uuidSchema = z.strictObject({
  namespace: z.string().min(1).describe('Namespace UUID, or dns / url / oid / x500.'),
  from: oneOrMany.describe('Source key column(s) whose canonical text is the UUID name.'),
});

const regexReplaceSchema = z.strictObject({
  pattern: z.string().min(1),
  replacement: z.string().default(''),
  flags: z
    .string()
    .regex(/^[gimsuy]*$/, 'flags are letters among g, i, m, s, u, y')
    .default('g'),
});

const timezoneSchema = z.strictObject({
  from: z.string().min(1).describe('Zone of the input wall time, or UTC when the input is an instant.'),
  to: z
    .string()
    .min(1)
    .default('UTC')
    .describe('Zone of the output wall time, or UTC for an instant. Default: UTC.'),
  gap: z.enum(['reject', 'earliest', 'latest']).default('reject'),
  overlap: z.enum(['reject', 'earliest', 'latest']).default('reject'),
});

const maskSchema = z.union(
  [
    z.enum(['hash', 'redact']),
    z.strictObject({ keep_last: z.number().int().min(0), char: z.string().length(1).default('*') }),
    z.strictObject({ redact: z.string() }),
  ],
  { error: 'must be hash, redact, { redact: TEXT } or { keep_last: N }' },
);

/** One entry of `columns:` written as a map. */
export const columnSpecSchema = z
  .strictObject({
    from: columnName.optional(),
    value: z.union([scalar, z.null()]).optional(),
    split: splitSchema.optional(),
    concat: concatSchema.optional(),
    uuid_v5: uuidSchema.optional(),
    trim: z
      .union([z.boolean(), z.enum(['both', 'left', 'right'])], { error: 'must be true, both, left or right' })
      .optional(),
    normalize: z.enum(['NFC', 'NFD', 'NFKC', 'NFKD']).optional(),
    case: z.enum(['upper', 'lower']).optional(),
    regex_replace: z.union([regexReplaceSchema, z.array(regexReplaceSchema).min(1)]).optional(),
    map: z.record(z.string(), z.union([scalar, z.null()])).optional(),
    else: z.union([scalar, z.null()]).optional(),
    cast: z
      .string()
      .refine((s) => parseTypeName(s) !== undefined, { error: `must be a type: ${TYPE_NAMES_HELP}` })
      .optional(),
    timezone: timezoneSchema.optional(),
    default: scalar.optional(),
    mask: maskSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    const sources = (['from', 'value', 'split', 'concat', 'uuid_v5'] as const).filter((k) => k in spec);
    if (sources.length > 1)
      ctx.addIssue({
        code: 'custom',
        path: [sources[1]!],
        message: `give only one of from, value, split, concat, uuid_v5 (found ${sources.join(' and ')})`,
      });
    if ('else' in spec && spec.map === undefined)
      ctx.addIssue({ code: 'custom', path: ['else'], message: '`else` applies only with `map`' });
  });

/** A `columns:` entry: NULL (the source column of the same name), a source column name, or a map. */
export const columnEntrySchema = z.union([z.null(), columnName, columnSpecSchema], {
  error: 'must be empty, a source column name, or a map of rules',
});

/** The rule kinds, in the order docs list them. */
export const RULE_KINDS = ['not_null', 'unique', 'range', 'regex', 'allowed', 'references'] as const;

const ruleColumn = columnName.describe(
  'Target column (after mapping), or a source column not in the target.',
);

/** One entry of `rules:`: exactly one rule kind, and an optional name. */
export const ruleSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    not_null: oneOrMany.optional(),
    unique: oneOrMany.optional(),
    range: z
      .strictObject({ column: ruleColumn, min: scalar.optional(), max: scalar.optional() })
      .refine((r) => r.min !== undefined || r.max !== undefined, { error: 'give min, max or both' })
      .optional(),
    regex: z
      .strictObject({
        column: ruleColumn,
        pattern: z.string().min(1),
        flags: z
          .string()
          .regex(/^[imsu]*$/, 'flags are letters among i, m, s, u')
          .default(''),
      })
      .optional(),
    allowed: z.strictObject({ column: ruleColumn, values: z.array(scalar).min(1) }).optional(),
    references: z
      .strictObject({
        column: ruleColumn,
        table: z.string().min(1).describe('Parent table.'),
        key: columnName.describe('Parent key column.'),
      })
      .optional(),
  })
  .superRefine((rule, ctx) => {
    const kinds = RULE_KINDS.filter((k) => rule[k] !== undefined);
    if (kinds.length !== 1)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          kinds.length === 0
            ? `a rule needs one of ${RULE_KINDS.join(', ')}`
            : `a rule has one kind; found ${kinds.join(' and ')} (write them as separate rules)`,
      });
  });

export const dedupeSchema = z.strictObject({
  name: z.string().min(1).optional(),
  key: oneOrMany.describe('Columns whose equal values make rows duplicates.'),
  keep: z.enum(['first', 'last']).describe('Keep the row with the smallest (first) or largest (last) `by`.'),
  by: columnName
    .optional()
    .describe('Column ordering duplicates. Default: none (ties broken by row values).'),
});

/** The mapping keys of one `tables:` entry. */
export const tableMappingSchema = z.strictObject({
  columns: z
    .record(z.string().min(1), columnEntrySchema)
    .optional()
    .describe('Target columns in order, each with its rules. Default: every source column as is.'),
  unmapped: z
    .enum(['drop', 'keep'])
    .default('drop')
    .describe(
      'Source columns not named in `columns`: left out (drop) or appended as they are (keep). Default: drop.',
    ),
  rules: z.array(ruleSchema).default([]).describe('Business rules; failing rows go to the reject store.'),
  dedupe: dedupeSchema.optional().describe('Keep one row per key. Default: none.'),
});

/** The keys of a `tables:` entry that belong to the mapping. */
export const TABLE_MAPPING_KEYS = ['columns', 'unmapped', 'rules', 'dedupe'] as const;

export type TableMappingInput = z.input<typeof tableMappingSchema>;
export type TableMapping = z.output<typeof tableMappingSchema>;
export type ColumnSpec = z.output<typeof columnSpecSchema>;
export type RuleSpec = z.output<typeof ruleSchema>;
