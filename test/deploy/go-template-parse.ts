/**
 * Lexer and parser for the Go-template subset described in `go-template.ts`.
 *
 *   source ──lex──► text / action pieces (trim markers applied) ──parse──► Node tree + `define`d templates
 *
 * Anything outside the subset (unknown keyword or function, assignment, char constants, chained fields on a
 * parenthesised pipeline …) throws a `TemplateError` naming the file and line, so a template the tests
 * render is one Helm renders the same way.
 */

/** Where a piece of template source is, for error messages. */
export interface Pos {
  file: string;
  line: number;
}

/** A render or parse failure, always with file and line. */
export class TemplateError extends Error {
  constructor(pos: Pos, message: string) {
    super(`${pos.file}:${pos.line}: ${message}`);
    this.name = 'TemplateError';
  }
}

/** A value as Go templates see it: YAML values, with template integer literals and `int` results as bigint. */
export type Value = unknown;

/** An operand: a literal, `.a.b` on dot, or `$v.a.b` on a variable, or a parenthesised pipeline. */
export type Expr =
  | { k: 'lit'; v: Value }
  | { k: 'field'; recv: string | null; path: string[] }
  | { k: 'pipe'; pipe: Pipeline };

/** One stage of a pipeline: a function call, or an operand alone (first stage only). */
export type Cmd = { k: 'call'; fn: string; args: Expr[] } | { k: 'expr'; e: Expr };

/** `cmd | cmd | …`, optionally declaring variables (`$x := …`, `$i, $v := …` in range). */
export interface Pipeline {
  pos: Pos;
  decl: string[];
  cmds: Cmd[];
}

/** A node of the parsed template tree. */
export type Node =
  | { k: 'text'; text: string }
  | { k: 'out'; pipe: Pipeline }
  | { k: 'if'; branches: { cond: Pipeline; body: Node[] }[]; else?: Node[] }
  | { k: 'range'; pipe: Pipeline; body: Node[]; else?: Node[] }
  | { k: 'with'; pipe: Pipeline; body: Node[]; else?: Node[] };

/** A parsed file: its top-level nodes and the templates it `define`s. */
export interface ParsedFile {
  nodes: Node[];
  defines: Map<string, Node[]>;
}

const WS = /[ \t\r\n]/;
const UNSUPPORTED_KEYWORDS = new Set(['template', 'block', 'break', 'continue']);

type Piece = { k: 'text'; text: string } | { k: 'action'; src: string; pos: Pos };

/** Splits source into text and action pieces, dropping comments and applying `{{-` / `-}}` trimming. */
function lex(src: string, file: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let line = 1;
  let trimNext = false;
  const pushText = (text: string) => {
    const t = trimNext ? text.replace(/^[ \t\r\n]+/, '') : text;
    if (t) pieces.push({ k: 'text', text: t });
    trimNext = false;
  };
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      pushText(src.slice(i));
      break;
    }
    pushText(src.slice(i, open));
    line += countLines(src, i, open);
    const pos = { file, line };
    let j = open + 2;
    if (src[j] === '-' && WS.test(src[j + 1] ?? '')) {
      const last = pieces[pieces.length - 1];
      if (last?.k === 'text') last.text = last.text.replace(/[ \t\r\n]+$/, '');
      j += 2;
    }
    while (WS.test(src[j] ?? '')) j++;
    let end: number;
    let trimRight = false;
    if (src.startsWith('/*', j)) {
      const close = src.indexOf('*/', j + 2);
      if (close < 0) throw new TemplateError(pos, 'unclosed comment');
      const after = src.slice(close + 2, close + 6);
      if (after.startsWith('}}')) end = close + 2;
      else if (/^[ \t\r\n]-}}/.test(after)) {
        end = close + 4;
        trimRight = true;
      } else throw new TemplateError(pos, 'a comment must end with */}} or */ -}}');
    } else {
      end = findActionEnd(src, j, pos);
      let content = src.slice(j, end);
      if (content.endsWith('-') && WS.test(content[content.length - 2] ?? '')) {
        trimRight = true;
        content = content.slice(0, -1);
      }
      if (content.trim() === '') throw new TemplateError(pos, 'empty action');
      pieces.push({ k: 'action', src: content.trim(), pos });
    }
    line += countLines(src, open, end + 2);
    i = end + 2;
    trimNext = trimRight;
  }
  return pieces;
}

function countLines(s: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) if (s[k] === '\n') n++;
  return n;
}

/** Index of the `}}` that closes an action starting at `j`, skipping string literals. */
function findActionEnd(src: string, j: number, pos: Pos): number {
  for (let k = j; k < src.length; k++) {
    const c = src[k];
    if (c === '"') {
      for (k++; k < src.length && src[k] !== '"'; k++) if (src[k] === '\\') k++;
    } else if (c === '`') {
      k = src.indexOf('`', k + 1);
      if (k < 0) break;
    } else if (c === '}' && src[k + 1] === '}') {
      return k;
    }
  }
  throw new TemplateError(pos, 'unclosed action');
}

type Tok =
  | { t: 'field'; recv: string | null; path: string[] }
  | { t: 'lit'; v: Value }
  | { t: 'ident'; v: string }
  | { t: '(' | ')' | '|' | ':=' | '=' | ',' };

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?(?:\d+\.\d*|\d*\.\d+|\d+)(?:[eE][+-]?\d+)?(?![A-Za-z0-9_.])/y;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };

function tokenize(s: string, pos: Pos): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const path = (): string[] => {
    const out: string[] = [];
    while (s[i] === '.') {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(s);
      if (!m) break;
      out.push(m[0]);
      i = IDENT.lastIndex;
    }
    return out;
  };
  while (i < s.length) {
    const c = s[i] as string;
    if (WS.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === '|' || c === ',') {
      if (c === ')' && s[i + 1] === '.')
        throw new TemplateError(pos, 'fields of a parenthesised pipeline are not supported');
      toks.push({ t: c });
      i++;
    } else if (s.startsWith(':=', i)) {
      toks.push({ t: ':=' });
      i += 2;
    } else if (c === '=') {
      toks.push({ t: '=' });
      i++;
    } else if (c === '.') {
      const p = path();
      if (p.length === 0) i++;
      toks.push({ t: 'field', recv: null, path: p });
    } else if (c === '$') {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(s);
      const name = m ? `$${m[0]}` : '$';
      i = m ? IDENT.lastIndex : i + 1;
      toks.push({ t: 'field', recv: name, path: path() });
    } else if (c === '"') {
      let v = '';
      for (i++; s[i] !== '"'; i++) {
        if (i >= s.length) throw new TemplateError(pos, 'unterminated string');
        if (s[i] === '\\') {
          const e = ESCAPES[s[i + 1] ?? ''];
          if (e === undefined) throw new TemplateError(pos, `unsupported escape \\${s[i + 1]} in string`);
          v += e;
          i++;
        } else v += s[i];
      }
      i++;
      toks.push({ t: 'lit', v });
    } else if (c === '`') {
      const close = s.indexOf('`', i + 1);
      toks.push({ t: 'lit', v: s.slice(i + 1, close) });
      i = close + 1;
    } else if (/[-0-9]/.test(c)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(s);
      if (!m) throw new TemplateError(pos, `unsupported number at "${s.slice(i)}"`);
      toks.push({ t: 'lit', v: /^-?\d+$/.test(m[0]) ? BigInt(m[0]) : Number(m[0]) });
      i = NUMBER.lastIndex;
    } else {
      IDENT.lastIndex = i;
      const m = IDENT.exec(s);
      if (!m) throw new TemplateError(pos, `unsupported syntax at "${s.slice(i)}"`);
      toks.push({ t: 'ident', v: m[0] });
      i = IDENT.lastIndex;
    }
  }
  return toks;
}

/**
 * Parses an action's pipeline. `functions` is the closed list of callable names, checked here so an
 * unsupported function fails even in a branch the test values never take.
 */
function parsePipeline(toks: Tok[], pos: Pos, functions: ReadonlySet<string>, maxDecl: number): Pipeline {
  let i = 0;
  const decl: string[] = [];
  const declEnd = toks.findIndex((t) => t.t === ':=');
  if (toks.some((t) => t.t === '=')) throw new TemplateError(pos, 'assignment ($x = …) is not supported');
  if (declEnd >= 0) {
    for (; i < declEnd; i++) {
      const t = toks[i] as Tok;
      if (t.t === ',') continue;
      if (t.t !== 'field' || t.recv === null || t.recv === '$' || t.path.length) {
        throw new TemplateError(pos, 'bad variable declaration');
      }
      decl.push(t.recv);
    }
    if (decl.length === 0 || decl.length > maxDecl) throw new TemplateError(pos, 'bad variable declaration');
    i = declEnd + 1;
  }
  const parseExprs = (stopAtParen: boolean): Pipeline => {
    const cmds: Cmd[] = [];
    let operands: Expr[] = [];
    let head: string | null = null;
    const flush = () => {
      if (head !== null) cmds.push({ k: 'call', fn: head, args: operands });
      else if (operands.length === 1) cmds.push({ k: 'expr', e: operands[0] as Expr });
      else
        throw new TemplateError(
          pos,
          operands.length ? "can't give arguments to a non-function" : 'empty command',
        );
      if (head === null && cmds.length > 1)
        throw new TemplateError(pos, 'only a function can take a piped value');
      operands = [];
      head = null;
    };
    while (i < toks.length) {
      const t = toks[i++] as Tok;
      if (t.t === '|') flush();
      else if (t.t === ')') {
        if (!stopAtParen) throw new TemplateError(pos, 'unexpected )');
        flush();
        return { pos, decl: [], cmds };
      } else if (t.t === '(') operands.push({ k: 'pipe', pipe: parseExprs(true) });
      else if (t.t === 'field') operands.push({ k: 'field', recv: t.recv, path: t.path });
      else if (t.t === 'lit') operands.push({ k: 'lit', v: t.v });
      else if (t.t === 'ident') {
        if (t.v === 'true' || t.v === 'false') operands.push({ k: 'lit', v: t.v === 'true' });
        else if (t.v === 'nil') operands.push({ k: 'lit', v: null });
        else if (operands.length === 0 && head === null) {
          if (!functions.has(t.v)) throw new TemplateError(pos, `function "${t.v}" is not supported`);
          head = t.v;
        } else
          throw new TemplateError(pos, `"${t.v}" as an argument is not supported: parenthesise the call`);
      } else throw new TemplateError(pos, `unexpected "${t.t}"`);
    }
    if (stopAtParen) throw new TemplateError(pos, 'unclosed (');
    flush();
    return { pos, decl: [], cmds };
  };
  return { ...parseExprs(false), decl };
}

type Open = { pos: Pos } & (
  | { k: 'root'; body: Node[] }
  | { k: 'define'; name: string; body: Node[] }
  | { k: 'if'; node: Extract<Node, { k: 'if' }>; body: Node[] }
  | { k: 'range' | 'with'; node: Extract<Node, { k: 'range' | 'with' }>; body: Node[] }
);

/** Parses one file into its node tree and its `define`d templates. */
export function parseTemplate(src: string, file: string, functions: ReadonlySet<string>): ParsedFile {
  const defines = new Map<string, Node[]>();
  const stack: Open[] = [{ k: 'root', body: [], pos: { file, line: 1 } }];
  const top = () => stack[stack.length - 1] as Open;
  for (const piece of lex(src, file)) {
    if (piece.k === 'text') {
      if (piece.text) top().body.push({ k: 'text', text: piece.text });
      continue;
    }
    const { pos } = piece;
    const toks = tokenize(piece.src, pos);
    const first = toks[0];
    const keyword = first?.t === 'ident' ? first.v : '';
    const rest = toks.slice(1);
    const pipe = (maxDecl = 1) => {
      if (rest.length === 0) throw new TemplateError(pos, `missing value for ${keyword}`);
      return parsePipeline(rest, pos, functions, maxDecl);
    };
    if (UNSUPPORTED_KEYWORDS.has(keyword)) throw new TemplateError(pos, `"${keyword}" is not supported`);
    if (keyword === 'if') {
      const cond = pipe(0);
      const node: Extract<Node, { k: 'if' }> = { k: 'if', branches: [{ cond, body: [] }] };
      top().body.push(node);
      stack.push({ k: 'if', node, body: (node.branches[0] as { body: Node[] }).body, pos });
    } else if (keyword === 'range' || keyword === 'with') {
      const node: Extract<Node, { k: 'range' | 'with' }> = {
        k: keyword,
        pipe: pipe(keyword === 'range' ? 2 : 0),
        body: [],
      };
      top().body.push(node);
      stack.push({ k: keyword, node, body: node.body, pos });
    } else if (keyword === 'else') {
      const open = top();
      if (open.k === 'root' || open.k === 'define')
        throw new TemplateError(pos, 'else outside if/range/with');
      if (open.node.else) throw new TemplateError(pos, 'a second else');
      const elseIf = rest[0]?.t === 'ident' && rest[0].v === 'if';
      if (elseIf) {
        if (open.k !== 'if') throw new TemplateError(pos, `else if inside ${open.k} is not supported`);
        const cond = parsePipeline(rest.slice(1), pos, functions, 0);
        const branch = { cond, body: [] as Node[] };
        open.node.branches.push(branch);
        open.body = branch.body;
      } else {
        if (rest.length) throw new TemplateError(pos, 'else takes nothing (or "if …")');
        open.node.else = [];
        open.body = open.node.else;
      }
    } else if (keyword === 'end') {
      if (rest.length) throw new TemplateError(pos, 'end takes nothing');
      const open = stack.pop();
      if (!open || open.k === 'root') throw new TemplateError(pos, 'end without an open block');
      if (open.k === 'define') defines.set(open.name, open.body);
    } else if (keyword === 'define') {
      const name = rest[0];
      if (stack.length !== 1 || rest.length !== 1 || name?.t !== 'lit' || typeof name.v !== 'string') {
        throw new TemplateError(pos, 'define takes one string and only at the top level');
      }
      if (defines.has(name.v)) throw new TemplateError(pos, `template "${name.v}" defined twice`);
      stack.push({ k: 'define', name: name.v, body: [], pos });
    } else {
      top().body.push({ k: 'out', pipe: parsePipeline(toks, pos, functions, 1) });
    }
  }
  if (stack.length !== 1) {
    const open = top();
    throw new TemplateError(open.pos, `unclosed ${open.k}`);
  }
  return { nodes: (stack[0] as Open).body, defines };
}
