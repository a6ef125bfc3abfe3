import type { z } from 'zod';
import { FerryError } from '../errors.js';
import { redact } from '../secret.js';
import { type ConfigPath, formatConfigPath } from './config-path.js';
import type { Origins } from './origins.js';
import { objectKeys, schemaAt, typeText } from './schema-walk.js';
import { closestKey } from './suggest.js';

/** One problem found in a config, located. */
export interface ConfigProblem {
  path: ConfigPath;
  /** `config/settings.yaml line 14`, `environment variable FERRY_WORKERS`, `flag --workers`. */
  where: string;
  message: string;
  hint?: string;
}

/** Keys whose values are never repeated in a message. */
const SECRET_KEY = /pass|secret|token|creds/i;

/** The value at `path` in plain data. */
export function valueAt(data: unknown, path: ConfigPath): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `text`;
  return `${typeof v}`;
}

function show(path: ConfigPath, v: unknown): string {
  if (path.some((seg) => typeof seg === 'string' && SECRET_KEY.test(seg))) return '';
  if (typeof v === 'string') {
    const s = redact(v);
    return ` "${s.length > 60 ? `${s.slice(0, 57)}...` : s}"`;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return ` ${v}`;
  return '';
}

/** Turns zod's issues into located problems, one per unknown key, with "did you mean" where a key is close. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  data: unknown,
  origins: Origins,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeys(schemaAt(schema, path));
      for (const key of issue.keys) {
        const at = [...path, key];
        const guess = closestKey(key, known);
        problems.push({
          path: at,
          where: origins.where(at),
          message: `unknown key ${formatConfigPath(at)}`,
          hint: guess
            ? `did you mean ${guess}?`
            : key === 'where' && path[0] === 'tables'
              ? 'row filters are not supported: ferry migrates whole tables'
              : `known keys here: ${known.join(', ')}`,
        });
      }
      continue;
    }
    const value = valueAt(data, path);
    const field = schemaAt(schema, path);
    let message: string;
    let hint: string | undefined;
    if (issue.code === 'invalid_type' && value === undefined) {
      message = `${formatConfigPath(path)} is required`;
    } else if (issue.code === 'invalid_type') {
      const expected = field ? typeText(field) : issue.expected;
      message = `${formatConfigPath(path)} must be ${article(expected)}, not ${kindOf(value)}${show(path, value)}`;
    } else if (issue.code === 'invalid_value') {
      const options = issue.values.map(String);
      message = `${formatConfigPath(path)} must be one of ${options.join(', ')}, not${show(path, value) || ' that'}`;
      const guess = typeof value === 'string' ? closestKey(value, options) : undefined;
      if (guess) hint = `did you mean ${guess}?`;
    } else if (issue.code === 'too_small') {
      const what = issue.origin === 'array' ? 'entries' : issue.origin === 'string' ? 'characters' : '';
      message =
        issue.origin === 'number'
          ? `${formatConfigPath(path)} must be at least ${issue.minimum}, not${show(path, value)}`
          : `${formatConfigPath(path)} must have at least ${issue.minimum} ${what}`;
    } else {
      message = `${formatConfigPath(path)}: ${issue.message}${show(path, value)}`;
    }
    problems.push({ path, where: origins.where(path), message, ...(hint ? { hint } : {}) });
  }
  // Flags and variables first, then files in document order: zod reports in schema order.
  const rank = (p: ConfigProblem) => origins.position(p.path) ?? { file: '', line: 0 };
  return problems
    .map((p) => ({ p, r: rank(p) }))
    .sort((a, b) => a.r.file.localeCompare(b.r.file) || a.r.line - b.r.line)
    .map(({ p }) => p);
}

function article(type: string): string {
  if (type.includes('|')) return `one of ${type.replaceAll(' | ', ', ')}`;
  return /^[aeiou]/i.test(type) ? `an ${type}` : `a ${type}`;
}

/** One FerryError CONFIG for a list of problems: the first in full, the others summarised after it. */
export function problemsToError(problems: readonly ConfigProblem[]): FerryError {
  const [first, ...rest] = problems;
  if (!first) return new FerryError('INTERNAL', 'config validation failed without a problem');
  let message = `${first.where}: ${first.message}`;
  if (rest.length) {
    const more = rest.slice(0, 3).map((p) => `${p.where}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
    message += ` [and ${rest.length} more: ${more.join('; ')}${rest.length > 3 ? '; …' : ''}]`;
  }
  return new FerryError('CONFIG', message, {
    configPath: formatConfigPath(first.path),
    ...(first.hint ? { hint: first.hint } : {}),
  });
}
