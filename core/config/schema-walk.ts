import { z } from 'zod';
import type { ConfigPath } from './config-path.js';
import { ConfigSchema, configDoc } from './schema.js';

/** A schema seen through its wrappers: the shape that validates values, and what the wrappers said. */
export interface UnwrappedSchema {
  /** The innermost schema (object, array, string, …). */
  inner: z.ZodType;
  /** The outermost description found on the way in. */
  description?: string;
  /** `default` from `configDoc`, else the zod default as JSON text, else undefined. */
  defaultText?: string;
  /** `type` from `configDoc` on the way in. */
  typeText?: string;
  optional: boolean;
}

/** Looks through `.optional()`, `.default()`, `.describe()` and `z.preprocess` to the schema that checks. */
export function unwrap(schema: z.ZodType): UnwrappedSchema {
  const out: UnwrappedSchema = { inner: schema, optional: false };
  let s: z.ZodType = schema;
  for (;;) {
    out.description ??= s.description;
    const meta = configDoc.get(s);
    if (meta?.default !== undefined) out.defaultText ??= meta.default;
    if (meta?.type !== undefined) out.typeText ??= meta.type;
    if (s instanceof z.ZodOptional) {
      out.optional = true;
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodDefault) {
      out.defaultText ??= JSON.stringify(s.def.defaultValue);
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      s = s.def.out as z.ZodType;
    } else {
      out.inner = s;
      return out;
    }
  }
}

/** The schema that validates the value at `path`, or undefined when the path leaves the schema. */
export function schemaAt(root: z.ZodType, path: ConfigPath): z.ZodType | undefined {
  let s: z.ZodType | undefined = root;
  for (const seg of path) {
    if (!s) return undefined;
    const inner: z.ZodType = unwrap(s).inner;
    if (inner instanceof z.ZodObject && typeof seg === 'string')
      s = inner.shape[seg] as z.ZodType | undefined;
    else if (inner instanceof z.ZodArray && typeof seg === 'number') s = inner.element as z.ZodType;
    else if (inner instanceof z.ZodRecord && typeof seg === 'string') s = inner.valueType as z.ZodType;
    else return undefined;
  }
  return s;
}

/** The keys an object schema accepts, in schema order; empty for anything else. */
export function objectKeys(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const inner = unwrap(schema).inner;
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

/** A type as the docs and error messages name it: `integer`, `create | append`, `list of string`. */
export function typeText(schema: z.ZodType): string {
  const u = unwrap(schema);
  if (u.typeText) return u.typeText;
  const s = u.inner;
  if (s instanceof z.ZodString) return 'string';
  if (s instanceof z.ZodNumber) return s.format === 'safeint' || s.isInt ? 'integer' : 'number';
  if (s instanceof z.ZodBoolean) return 'boolean';
  if (s instanceof z.ZodEnum) return s.options.map((o) => String(o)).join(' | ');
  if (s instanceof z.ZodArray) return `list of ${typeText(s.element as z.ZodType)}`;
  if (s instanceof z.ZodRecord) return `map of ${typeText(s.valueType as z.ZodType)}`;
  if (s instanceof z.ZodObject) return 'map';
  if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).map(typeText).join(' | ');
  if (s instanceof z.ZodUnknown) return 'any';
  return s.def.type;
}

/**
 * The description of a config key (`partition_rows`, `source.url`, `tables[].mode` for a table entry's key),
 * for help text and commented templates. Throws for a key the schema does not have.
 */
export function describeConfigKey(key: string, root: z.ZodType = ConfigSchema): string {
  const path = key.split('.').flatMap((seg) => {
    const field = seg.endsWith('[]') ? seg.slice(0, -2) : seg;
    return seg.endsWith('[]') ? [field, 0] : [field];
  });
  const field = schemaAt(root, path);
  const description = field ? unwrap(field).description : undefined;
  if (description === undefined) throw new Error(`config key ${key} has no description in the schema`);
  return description;
}
