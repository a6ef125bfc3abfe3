import { FerryError, formatLogicalType, type LogicalType } from '../core/index.js';
import type { JsValue } from '../formats/index.js';
import type { Values } from './batch-values.js';
import { hmacHex } from './hashing.js';
import type { ColumnPlan } from './plan-column.js';
import { type RowFailures, showValue } from './row-failures.js';
import type { MaskRule, TimezoneRule, ValueMap } from './transform-types.js';
import { loadZone } from './tz/zone.js';
import { makeCaster } from './values/cast.js';
import { TIMESTAMP_INFINITY, TIMESTAMP_MINUS_INFINITY } from './values/datetime-text.js';
import { canonicalKeyText, literalValue } from './values/value-text.js';

/** One cleansing step over a whole column, in place; rows already failed are skipped. */
export type Step = (values: Values, failures: RowFailures) => void;

function literal(text: string | null, type: LogicalType): JsValue | null {
  return text === null ? null : literalValue(text, type);
}

function textStep(fn: (s: string) => string): Step {
  return (values) => {
    for (let r = 0; r < values.length; r++) {
      const v = values[r];
      if (typeof v === 'string') values[r] = fn(v);
    }
  };
}

function mapStep(map: ValueMap, input: LogicalType, column: string): Step {
  const table = new Map<string, JsValue | null>(map.entries.map(([k, v]) => [k, literal(v, map.type)]));
  const fallback = map.else.kind === 'value' ? literal(map.else.value, map.type) : null;
  const direct = input.kind === 'text';
  return (values, failures) => {
    for (let r = 0; r < values.length; r++) {
      const v = values[r] ?? null;
      if (v === null || failures.failed[r]) continue;
      const key = direct ? (v as string) : canonicalKeyText(v, input);
      const hit = table.get(key);
      if (hit !== undefined || table.has(key)) values[r] = hit ?? null;
      else if (map.else.kind === 'value') values[r] = fallback;
      else if (map.else.kind === 'reject') {
        failures.fail(
          r,
          'map',
          column,
          showValue(v, input),
          `has no entry in the value map (map.else is reject)`,
        );
      }
    }
  };
}

function castStep(from: LogicalType, to: LogicalType, column: string): Step {
  const caster = makeCaster(from, to);
  if (typeof caster === 'string') throw new FerryError('CONFIG', caster, { column });
  const target = formatLogicalType(to);
  return (values, failures) => {
    for (let r = 0; r < values.length; r++) {
      const v = values[r] ?? null;
      if (v === null || failures.failed[r]) continue;
      const out = caster(v);
      if ('value' in out) values[r] = out.value;
      else failures.fail(r, 'cast', column, showValue(v, from), `${out.error} (cast to ${target})`);
    }
  };
}

/** Floor of microseconds to whole seconds, as a number (exact: no float rounding near a second). */
function floorSeconds(us: bigint): number {
  const n = Number(us);
  if (n > -4e15 && n < 4e15) {
    let s = Math.floor(n / 1e6);
    if (s * 1e6 > n) s -= 1;
    else if ((s + 1) * 1e6 <= n) s += 1;
    return s;
  }
  let s = us / 1_000_000n;
  if (us % 1_000_000n < 0n) s -= 1n;
  return Number(s);
}

function timezoneStep(tz: TimezoneRule, input: LogicalType, column: string): Step {
  const from = loadZone(tz.from);
  const to = loadZone(tz.to);
  const micros = new Map<number, bigint>();
  const us = (offset: number) => {
    let m = micros.get(offset);
    if (m === undefined) {
      m = BigInt(offset) * 1_000_000n;
      micros.set(offset, m);
    }
    return m;
  };
  const fromUtc = from.name === 'UTC';
  const toUtc = to.name === 'UTC';
  return (values, failures) => {
    for (let r = 0; r < values.length; r++) {
      const v = values[r] ?? null;
      if (v === null || failures.failed[r]) continue;
      const t = v as bigint;
      if (t >= TIMESTAMP_INFINITY || t <= TIMESTAMP_MINUS_INFINITY) continue;
      let instant = t;
      if (!fromUtc) {
        const res = from.resolveLocal(floorSeconds(t));
        let offset: number;
        if (res.kind === 'unique') offset = res.offset;
        else {
          const policy = res.kind === 'gap' ? tz.gap : tz.overlap;
          if (policy === 'reject') {
            const what =
              res.kind === 'gap'
                ? `does not exist in ${tz.from} (skipped by a daylight-saving change; timezone.gap is reject)`
                : `occurs twice in ${tz.from} (repeated by a daylight-saving change; timezone.overlap is reject)`;
            failures.fail(r, 'timezone', column, showValue(t, input), what);
            continue;
          }
          const [a, b] = res.kind === 'gap' ? [res.before, res.after] : [res.earliest, res.latest];
          // The earliest instant subtracts the larger offset.
          offset = policy === 'earliest' ? Math.max(a, b) : Math.min(a, b);
        }
        instant = t - us(offset);
      }
      values[r] = toUtc ? instant : instant + us(to.offsetAt(floorSeconds(instant)));
    }
  };
}

function defaultStep(value: JsValue | null): Step {
  return (values) => {
    for (let r = 0; r < values.length; r++) if (values[r] === null) values[r] = value;
  };
}

/** The masking step: it writes into a new array, because rules check the value before masking. */
function maskFn(
  mask: MaskRule,
  input: LogicalType,
  salt: string | undefined,
  column: string,
): (v: JsValue) => string {
  switch (mask.kind) {
    case 'hash': {
      if (!salt)
        throw new FerryError('CONFIG', `column ${column} is masked with hash, but no salt was given`, {
          column,
          hint: 'set the transform salt secret (e.g. FERRY_TRANSFORM_SALT) so hashes cannot be reversed by guessing',
        });
      const h = hmacHex(salt);
      return (v) => h(canonicalKeyText(v, input));
    }
    case 'redact':
      return () => mask.text;
    case 'keep_last':
      return (v) => {
        const chars = Array.from(typeof v === 'string' ? v : canonicalKeyText(v, input));
        const keep = chars.length > mask.n ? mask.n : 0;
        return mask.char.repeat(chars.length - keep) + chars.slice(chars.length - keep).join('');
      };
  }
}

/** A compiled target column: source value, steps, and the optional mask producing the loaded value. */
export interface CompiledSteps {
  steps: Step[];
  mask?: (v: JsValue) => string;
}

/** Compiles the cleansing steps of a planned column, in the fixed order of `TargetColumnRule`. */
export function compileSteps(plan: ColumnPlan, salt: string | undefined): CompiledSteps {
  const rule = plan.rule;
  const name = rule.name;
  const steps: Step[] = [];
  if (rule.trim === 'both') steps.push(textStep((s) => s.trim()));
  else if (rule.trim === 'left') steps.push(textStep((s) => s.trimStart()));
  else if (rule.trim === 'right') steps.push(textStep((s) => s.trimEnd()));
  if (rule.normalize) {
    const form = rule.normalize;
    steps.push(textStep((s) => s.normalize(form)));
  }
  if (rule.case === 'upper') steps.push(textStep((s) => s.toUpperCase()));
  else if (rule.case === 'lower') steps.push(textStep((s) => s.toLowerCase()));
  for (const rr of rule.regexReplace ?? []) {
    const re = new RegExp(rr.pattern, rr.flags);
    steps.push(textStep((s) => s.replace(re, rr.replacement)));
  }
  if (rule.map) steps.push(mapStep(rule.map, plan.textType, name));
  const beforeCast = rule.map ? rule.map.type : plan.textType;
  if (rule.cast) steps.push(castStep(beforeCast, rule.cast, name));
  if (rule.timezone) steps.push(timezoneStep(rule.timezone, plan.castType, name));
  if (rule.default !== undefined && rule.default !== null)
    steps.push(defaultStep(literal(rule.default, plan.checkedType)));
  const out: CompiledSteps = { steps };
  if (rule.mask) out.mask = maskFn(rule.mask, plan.checkedType, salt, name);
  return out;
}
