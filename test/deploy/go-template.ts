/**
 * A renderer for the small subset of Go text/template (plus Sprig/Helm functions) that helm/ferry uses, so
 * tests can render the chart without Helm. It is deliberately stricter than Helm: whatever it renders,
 * Helm renders the same way; anything else throws a `TemplateError` with file and line — it never prints
 * a guess.
 *
 * Supported:
 * - text, `{{ pipeline }}`, comments `{{/* … *\/}}`, trim markers `{{- ` and ` -}}`;
 * - operands: `.`, `.a.b`, `$`, `$.a.b`, `$x`, `$x.a`, "strings" (escapes \n \t \r \" \\), `raw strings`,
 *   integers (int), decimals (float64), true, false, nil, `( pipeline )`;
 * - pipelines `a | f x | g`: the value is passed as the last argument;
 * - `{{ $x := pipeline }}` (scoped to the enclosing block), `if` / `else if` / `else` / `end`,
 *   `range pipeline`, `range $v := …`, `range $i, $v := …` (lists; maps in key order), `with` / `else`,
 *   `define "name"` (top level), `include "name" data`;
 * - functions: and, or (short-circuit, return an operand), not, eq, ne (strings and booleans only: Helm
 *   compares a YAML number (float64) and an int literal as different types), default, quote, toYaml,
 *   indent, nindent, trunc, trimSuffix, contains, printf (%s %d %v %q %%), int, add, b64enc, required, fail.
 *
 * Refused (throws): any other keyword or function, assignment (`=`), char constants, hex/octal numbers,
 * fields of a parenthesised pipeline, printing nil or a list/map (Helm prints `<no value>`/`map[…]`), a
 * float where Go wants an int (`indent .Values.n` — use `int`), a field of nil (`.a.b` with `a` missing).
 * Numbers print as Go prints float64 (`1000000` → `1e+06`), so the tests see what Helm would emit.
 */
import {
  FUNCTION_NAMES,
  FUNCTIONS,
  FunctionError,
  isMap,
  printValue,
  truth,
} from './go-template-functions.js';
import {
  type Cmd,
  type Expr,
  type Node,
  type Pipeline,
  parseTemplate,
  type Pos,
  TemplateError,
  type Value,
} from './go-template-parse.js';

export { TemplateError, type Value } from './go-template-parse.js';

const MAX_INCLUDE_DEPTH = 64;

/** Variables visible at a point: a chain of block scopes. */
class Scope {
  private readonly vars = new Map<string, Value>();
  constructor(private readonly parent?: Scope) {}
  child(): Scope {
    return new Scope(this);
  }
  set(name: string, v: Value): void {
    this.vars.set(name, v);
  }
  get(name: string, pos: Pos): Value {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
    throw new TemplateError(pos, `undefined variable ${name}`);
  }
}

/** A set of template files sharing their `define`d templates, as Helm loads a chart's templates/ folder. */
export class TemplateSet {
  private readonly files = new Map<string, Node[]>();
  private readonly defines = new Map<string, Node[]>();
  private depth = 0;

  /** Parses a file and registers its `define`s; a name defined twice (in any file) throws. */
  add(file: string, source: string): void {
    const parsed = parseTemplate(source, file, FUNCTION_NAMES);
    for (const [name, body] of parsed.defines) {
      if (this.defines.has(name))
        throw new TemplateError({ file, line: 0 }, `template "${name}" defined twice`);
      this.defines.set(name, body);
    }
    this.files.set(file, parsed.nodes);
  }

  /** Renders a file's top-level text with `.` and `$` bound to `data`. */
  render(file: string, data: Value): string {
    const nodes = this.files.get(file);
    if (!nodes) throw new Error(`no template file ${file}`);
    return this.exec(nodes, data, rootScope(data));
  }

  /** Renders a `define`d template, as `include` does. */
  include(name: string, data: Value, pos: Pos): string {
    const body = this.defines.get(name);
    if (!body) throw new TemplateError(pos, `no template "${name}"`);
    if (++this.depth > MAX_INCLUDE_DEPTH)
      throw new TemplateError(pos, `include nested deeper than ${MAX_INCLUDE_DEPTH}`);
    try {
      return this.exec(body, data, rootScope(data));
    } finally {
      this.depth--;
    }
  }

  private exec(nodes: Node[], dot: Value, scope: Scope): string {
    let out = '';
    for (const node of nodes) out += this.node(node, dot, scope);
    return out;
  }

  private node(node: Node, dot: Value, scope: Scope): string {
    switch (node.k) {
      case 'text':
        return node.text;
      case 'out': {
        const v = this.pipeline(node.pipe, dot, scope);
        if (node.pipe.decl.length) {
          scope.set(node.pipe.decl[0] as string, v);
          return '';
        }
        return guard(node.pipe.pos, () => printValue(v));
      }
      case 'if': {
        for (const b of node.branches) {
          if (truth(this.pipeline(b.cond, dot, scope))) return this.exec(b.body, dot, scope.child());
        }
        return node.else ? this.exec(node.else, dot, scope.child()) : '';
      }
      case 'with': {
        const v = this.pipeline(node.pipe, dot, scope);
        if (truth(v)) return this.exec(node.body, v, scope.child());
        return node.else ? this.exec(node.else, dot, scope.child()) : '';
      }
      case 'range':
        return this.range(node, dot, scope);
    }
  }

  private range(node: Extract<Node, { k: 'range' }>, dot: Value, scope: Scope): string {
    const v = this.pipeline(node.pipe, dot, scope);
    const { decl, pos } = node.pipe;
    let entries: [Value, Value][];
    if (v === null || v === undefined) entries = [];
    else if (Array.isArray(v)) entries = v.map((e, i) => [BigInt(i), e]);
    else if (isMap(v))
      entries = Object.keys(v)
        .sort()
        .map((k) => [k, v[k]]);
    else throw new TemplateError(pos, `range over ${typeof v} is not supported`);
    if (entries.length === 0) return node.else ? this.exec(node.else, dot, scope.child()) : '';
    let out = '';
    for (const [key, elem] of entries) {
      const inner = scope.child();
      if (decl.length === 1) inner.set(decl[0] as string, elem);
      if (decl.length === 2) {
        inner.set(decl[0] as string, key);
        inner.set(decl[1] as string, elem);
      }
      out += this.exec(node.body, elem, inner);
    }
    return out;
  }

  private pipeline(p: Pipeline, dot: Value, scope: Scope): Value {
    let piped: Value[] = [];
    for (const cmd of p.cmds) piped = [this.command(cmd, p.pos, dot, scope, piped)];
    return piped[0];
  }

  private command(cmd: Cmd, pos: Pos, dot: Value, scope: Scope, piped: Value[]): Value {
    if (cmd.k === 'expr') return this.expr(cmd.e, pos, dot, scope);
    const thunks = [
      ...cmd.args.map((a) => () => this.expr(a, pos, dot, scope)),
      ...piped.map((v) => () => v),
    ];
    if (cmd.fn === 'and' || cmd.fn === 'or') {
      if (thunks.length < 1) throw new TemplateError(pos, `${cmd.fn} needs an argument`);
      let last: Value;
      for (const t of thunks) {
        last = t();
        if (truth(last) === (cmd.fn === 'or')) return last;
      }
      return last;
    }
    const args = thunks.map((t) => t());
    if (cmd.fn === 'include') {
      if (args.length !== 2 || typeof args[0] !== 'string')
        throw new TemplateError(pos, 'include takes a name and a value');
      return this.include(args[0], args[1], pos);
    }
    const fn = FUNCTIONS.get(cmd.fn);
    if (!fn) throw new TemplateError(pos, `function "${cmd.fn}" is not supported`);
    if (args.length < fn.min || args.length > fn.max) {
      throw new TemplateError(
        pos,
        `${cmd.fn} takes ${fn.min}${fn.max === fn.min ? '' : '+'} arguments, got ${args.length}`,
      );
    }
    return guard(pos, () => fn.call(args), cmd.fn);
  }

  private expr(e: Expr, pos: Pos, dot: Value, scope: Scope): Value {
    if (e.k === 'lit') return e.v;
    if (e.k === 'pipe') return this.pipeline(e.pipe, dot, scope);
    let v = e.recv === null ? dot : scope.get(e.recv, pos);
    let walked = e.recv ?? '';
    for (const key of e.path) {
      if (v === null || v === undefined)
        throw new TemplateError(pos, `nil pointer evaluating ${walked || '.'}.${key}`);
      if (!isMap(v))
        throw new TemplateError(pos, `can't evaluate field ${key} in ${walked || '.'}: not a map`);
      v = Object.hasOwn(v, key) ? v[key] : undefined;
      walked += `.${key}`;
    }
    return v;
  }
}

function rootScope(data: Value): Scope {
  const s = new Scope();
  s.set('$', data);
  return s;
}

function guard<T>(pos: Pos, fn: () => T, name?: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FunctionError) throw new TemplateError(pos, name ? `${name}: ${e.message}` : e.message);
    throw e;
  }
}

/** Renders one template source with `data` as `.` and `$`, plus optional helper files for `include`. */
export function renderTemplate(source: string, data: Value, helpers: Record<string, string> = {}): string {
  const set = new TemplateSet();
  for (const [file, src] of Object.entries(helpers)) set.add(file, src);
  set.add('template', source);
  return set.render('template', data);
}
