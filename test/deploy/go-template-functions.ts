/**
 * The functions of the Go-template subset (text/template built-ins and the Sprig functions Helm adds), with
 * Go's typing kept where it changes output: values from YAML are float64 (JS number), template integer
 * literals and `int`/`add` results are int (JS bigint). A float64 prints as Go's `%v` does (`1e+06`), a
 * function wanting an int or a string refuses anything else, as Helm does.
 */
import { stringify } from 'yaml';
import type { Value } from './go-template-parse.js';

/** A function failed; the caller adds file and line. */
export class FunctionError extends Error {}

/** Go's truth: false, 0, nil, and empty strings, lists and maps are false. */
export function truth(v: Value): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** A YAML mapping (plain object). */
export function isMap(v: Value): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Go's `%v` of a float64 (strconv 'g', shortest): exponent form when the decimal exponent is < -4 or >= 6,
 * so a YAML value 1000000 prints as `1e+06` in Helm — the reason templates pipe numbers through `int`.
 */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, e] = n.toExponential().split('e') as [string, string];
  const exp = Number(e);
  return exp < -4 || exp >= 6 ? expForm(mantissa, exp) : String(n);
}

function expForm(mantissa: string, exp: number): string {
  const abs = Math.abs(exp);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
}

/** How `{{ v }}` prints a value; nil and collections are refused rather than printed as Go would. */
export function printValue(v: Value, what = 'value'): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return goFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (v === null || v === undefined)
    throw new FunctionError(`${what} is nil (missing); Helm would print nothing`);
  throw new FunctionError(`${what} is a ${Array.isArray(v) ? 'list' : 'map'}; print it with toYaml`);
}

/** Go's `%q` as YAML reads it: a double-quoted scalar with the same value. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Sprig's `empty`, used by `default`. */
function empty(v: Value): boolean {
  return !truth(v);
}

function str(v: Value, fn: string): string {
  if (typeof v !== 'string') throw new FunctionError(`${fn}: expected a string, got ${describe(v)}`);
  return v;
}

function int(v: Value, fn: string): number {
  if (typeof v !== 'bigint')
    throw new FunctionError(`${fn}: expected an int, got ${describe(v)} (use | int)`);
  return Number(v);
}

function describe(v: Value): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'number') return `float64 ${goFloat(v)}`;
  if (Array.isArray(v)) return 'a list';
  return isMap(v) ? 'a map' : `${typeof v} ${String(v)}`;
}

/** Sprig's toInt64 (via spf13/cast): numbers truncate, text parses, bool is 0/1, nil is 0. */
function toInt(v: Value, fn: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return BigInt(v.trim());
  throw new FunctionError(`${fn}: cannot convert ${describe(v)} to an int`);
}

/** Comparable values for eq/ne: only strings and booleans, because Helm's float64 values and int literals never compare equal. */
function comparable(v: Value, fn: string): string | boolean {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  throw new FunctionError(`${fn}: only strings and booleans are compared here, got ${describe(v)}`);
}

/** Go's `%s`, `%d`, `%v`, `%q`, `%%`; any other verb, or a verb whose type Go would print as `%!x(…)`, throws. */
function printf(format: string, args: Value[]): string {
  let n = 0;
  const out = format.replace(/%([%sdvq]|.)/g, (_m, verb: string) => {
    if (verb === '%') return '%';
    if (!'sdvq'.includes(verb)) throw new FunctionError(`printf: verb %${verb} is not supported`);
    if (n >= args.length) throw new FunctionError('printf: too few arguments');
    const a = args[n++];
    if (verb === 'd') return String(int(a, 'printf %d'));
    if (verb === 'v') return printValue(a, 'printf %v argument');
    return verb === 'q' ? goQuote(str(a, 'printf %q')) : str(a, 'printf %s');
  });
  if (n !== args.length) throw new FunctionError('printf: too many arguments');
  return out;
}

/** Helm's toYaml: sorted keys (Go maps), YAML 1.1 quoting (yes/on/0777 stay strings), no trailing newline. */
export function toYaml(v: Value): string {
  const text = stringify(v, { version: '1.1', sortMapEntries: true, lineWidth: 0, indentSeq: false });
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

function indent(n: number, s: string): string {
  const pad = ' '.repeat(n);
  return pad + s.replaceAll('\n', `\n${pad}`);
}

/** A plain function: evaluated arguments in, value out. `and`/`or`/`include` are handled by the evaluator. */
export interface Func {
  min: number;
  max: number;
  call(args: Value[]): Value;
}

const f = (min: number, max: number, call: (args: Value[]) => Value): Func => ({ min, max, call });

/** The plain functions, by name. */
export const FUNCTIONS: ReadonlyMap<string, Func> = new Map<string, Func>([
  ['not', f(1, 1, ([a]) => !truth(a))],
  [
    'eq',
    f(2, Infinity, ([a, ...bs]) => {
      const x = comparable(a, 'eq');
      return bs.some((b) => {
        const y = comparable(b, 'eq');
        if (typeof x !== typeof y)
          throw new FunctionError(`eq: incompatible types ${typeof x} and ${typeof y}`);
        return x === y;
      });
    }),
  ],
  [
    'ne',
    f(2, 2, ([a, b]) => {
      const x = comparable(a, 'ne');
      const y = comparable(b, 'ne');
      if (typeof x !== typeof y)
        throw new FunctionError(`ne: incompatible types ${typeof x} and ${typeof y}`);
      return x !== y;
    }),
  ],
  ['default', f(1, 2, ([d, v]) => (empty(v) ? d : v))],
  [
    'quote',
    f(1, Infinity, (args) =>
      args
        .map((a) => {
          if (a === null || a === undefined)
            throw new FunctionError('quote: value is nil (missing); Helm would print nothing');
          return goQuote(printValue(a, 'quote argument'));
        })
        .join(' '),
    ),
  ],
  ['toYaml', f(1, 1, ([v]) => toYaml(v))],
  ['indent', f(2, 2, ([n, s]) => indent(int(n, 'indent'), str(s, 'indent')))],
  ['nindent', f(2, 2, ([n, s]) => `\n${indent(int(n, 'nindent'), str(s, 'nindent'))}`)],
  [
    'trunc',
    f(2, 2, ([n, s]) => {
      const c = int(n, 'trunc');
      const text = str(s, 'trunc');
      if (c < 0) return text.length + c > 0 ? text.slice(text.length + c) : text;
      return text.length > c ? text.slice(0, c) : text;
    }),
  ],
  [
    'trimSuffix',
    f(2, 2, ([suffix, s]) => {
      const a = str(suffix, 'trimSuffix');
      const text = str(s, 'trimSuffix');
      return a && text.endsWith(a) ? text.slice(0, -a.length) : text;
    }),
  ],
  ['contains', f(2, 2, ([sub, s]) => str(s, 'contains').includes(str(sub, 'contains')))],
  ['printf', f(1, Infinity, ([fmt, ...args]) => printf(str(fmt, 'printf'), args))],
  ['int', f(1, 1, ([v]) => toInt(v, 'int'))],
  ['add', f(1, Infinity, (args) => args.reduce<bigint>((sum, a) => sum + toInt(a, 'add'), 0n))],
  ['b64enc', f(1, 1, ([s]) => Buffer.from(str(s, 'b64enc'), 'utf8').toString('base64'))],
  [
    'required',
    f(2, 2, ([msg, v]) => {
      if (v === null || v === undefined || v === '') throw new FunctionError(str(msg, 'required'));
      return v;
    }),
  ],
  [
    'fail',
    f(1, 1, ([msg]) => {
      throw new FunctionError(str(msg, 'fail'));
    }),
  ],
]);

/** Every callable name: the plain functions plus those the evaluator implements. */
export const FUNCTION_NAMES: ReadonlySet<string> = new Set([...FUNCTIONS.keys(), 'and', 'or', 'include']);
