import { z } from 'zod';
import { closestKey, type FerryError, formatConfigPath } from '../core/index.js';
import { configError } from './plan-column.js';

type Issue = z.core.$ZodIssue;
type Path = (string | number)[];

function cleanPath(p: readonly PropertyKey[]): Path {
  return p.filter((s): s is string | number => typeof s !== 'symbol');
}

/**
 * The issues with unions resolved: for a union (`columns.x` may be empty, a name or a map), the branch that
 * matched the value's kind — the map branch with a misspelt key says more than "must be empty, a name or a map".
 */
function flatten(issues: readonly Issue[], base: Path): { issue: Issue; path: Path }[] {
  const out: { issue: Issue; path: Path }[] = [];
  for (const issue of issues) {
    const path = [...base, ...cleanPath(issue.path)];
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) {
      out.push({ issue, path });
      continue;
    }
    const branches = issue.errors.filter((b) => !(b[0]?.code === 'invalid_type' && b[0].path.length === 0));
    if (branches.length === 0) out.push({ issue, path });
    else for (const b of branches) out.push(...flatten(b, path));
  }
  return out;
}

function unwrap(s: z.ZodType): z.ZodType {
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable)
      s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.def.in as z.ZodType;
    else return s;
  }
}

/** The object keys the schema accepts at `path` (through unions, records and lists). */
function keysAt(schema: z.ZodType, path: Path): string[] {
  const s = unwrap(schema);
  if (s instanceof z.ZodUnion) {
    for (const o of s.options) {
      const keys = keysAt(o as z.ZodType, path);
      if (keys.length) return keys;
    }
    return [];
  }
  const [seg, ...rest] = path;
  if (seg === undefined) return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
  if (s instanceof z.ZodObject && typeof seg === 'string' && s.shape[seg])
    return keysAt(s.shape[seg] as z.ZodType, rest);
  if (s instanceof z.ZodRecord && typeof seg === 'string') return keysAt(s.valueType as z.ZodType, rest);
  if (s instanceof z.ZodArray && typeof seg === 'number') return keysAt(s.element as z.ZodType, rest);
  return [];
}

function expectedText(expected: string): string {
  const words: Record<string, string> = {
    string: 'text',
    array: 'a list',
    object: 'a map',
    record: 'a map',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
  };
  return words[expected] ?? expected;
}

/** One CONFIG error for zod's issues on a table mapping at `prefix` (e.g. `tables[0]`), naming the path. */
export function issuesToError(
  issues: readonly Issue[],
  prefix: string,
  schema: z.ZodType,
  input: unknown,
): FerryError {
  // A misspelt key usually explains the other problems (the key it should have been is then "missing").
  const flat = flatten(issues, []);
  const { issue, path } = flat.find((f) => f.issue.code === 'unrecognized_keys') ?? flat[0]!;
  const at = (p: Path) =>
    p.length ? `${prefix}${typeof p[0] === 'number' ? '' : '.'}${formatConfigPath(p)}` : prefix;
  const valueAt = (p: Path) =>
    p.reduce<unknown>(
      (v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined),
      input,
    );
  const more = flat.length > 1 ? ` (and ${flat.length - 1} more problem${flat.length > 2 ? 's' : ''})` : '';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0]!;
      const known = keysAt(schema, path);
      const guess = closestKey(key, known);
      return configError(
        at([...path, key]),
        `unknown key ${key}${more}`,
        guess ? `did you mean ${guess}?` : `known keys here: ${known.join(', ')}`,
      );
    }
    case 'invalid_type':
      if (valueAt(path) === undefined) return configError(at(path), `is required${more}`);
      return configError(at(path), `must be ${expectedText(issue.expected)}${more}`);
    case 'invalid_value': {
      const options = issue.values.map(String);
      const value = valueAt(path);
      if (value === undefined)
        return configError(at(path), `is required: one of ${options.join(', ')}${more}`);
      const guess = typeof value === 'string' ? closestKey(value, options) : undefined;
      return configError(
        at(path),
        `must be one of ${options.join(', ')}${typeof value === 'string' ? `, not "${value}"` : ''}${more}`,
        guess ? `did you mean ${guess}?` : undefined,
      );
    }
    case 'too_small':
      return configError(
        at(path),
        (issue.origin === 'array'
          ? `needs at least ${issue.minimum} entr${issue.minimum === 1 ? 'y' : 'ies'}`
          : issue.origin === 'string'
            ? issue.minimum === 1
              ? 'must not be empty'
              : `needs at least ${issue.minimum} characters`
            : `must be at least ${issue.minimum}`) + more,
      );
    default:
      return configError(at(path), issue.message + more);
  }
}
