/**
 * A small Dockerfile parser for the tests: instructions with their flags and arguments, grouped into
 * build stages (`FROM image [AS name]`). Handles comments, parser directives, `\` line continuations and
 * JSON (exec) form; refuses heredocs and escape-directive changes, which the Dockerfile does not use.
 */

/** One instruction: `COPY --from=build /app/dist ./dist` → { keyword: 'COPY', flags: {from: 'build'}, args: [...] }. */
export interface Instruction {
  keyword: string;
  /** `--name=value` flags before the arguments (`--link` alone → 'true'). */
  flags: Record<string, string>;
  /** The arguments after the flags: JSON form as given, shell form as the raw text split on whitespace. */
  args: string[];
  /** The text after the keyword and flags, continuations joined. */
  raw: string;
  /** True when the arguments were written in JSON (exec) form. */
  json: boolean;
  line: number;
}

/** A build stage: its base image, its name, and its instructions after FROM. */
export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  directives: Record<string, string>;
  /** Global ARGs before the first FROM. */
  preamble: Instruction[];
  stages: Stage[];
}

function splitFlags(text: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = text;
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!m) break;
    flags[m[1] as string] = m[2] ?? 'true';
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

/** Parses Dockerfile text. */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split('\n');
  const directives: Record<string, string> = {};
  const instructions: Instruction[] = [];
  let inPreamble = true;
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i] as string;
    if (/^\s*#/.test(line)) {
      const d = /^#\s*([a-z]+)\s*=\s*(.*)$/.exec(line.trim());
      if (inPreamble && d) {
        if (d[1] === 'escape') throw new Error('the escape directive is not supported');
        directives[d[1] as string] = (d[2] as string).trim();
      } else inPreamble = false;
      continue;
    }
    if (line.trim() === '') {
      inPreamble = false;
      continue;
    }
    inPreamble = false;
    while (/\\\s*$/.test(line)) {
      line = line.replace(/\\\s*$/, ' ');
      i++;
      while (i < lines.length && /^\s*#/.test(lines[i] as string)) i++;
      if (i >= lines.length) throw new Error(`line ${start + 1}: continuation at end of file`);
      line += lines[i];
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line);
    if (!m) throw new Error(`line ${start + 1}: cannot parse "${line}"`);
    const keyword = (m[1] as string).toUpperCase();
    const { flags, rest } = splitFlags((m[2] as string).trim());
    if (/<<-?["']?[A-Za-z]/.test(rest) && (keyword === 'RUN' || keyword === 'COPY')) {
      throw new Error(`line ${start + 1}: heredocs are not supported`);
    }
    let args: string[];
    let json = false;
    if (rest.startsWith('[')) {
      const parsed: unknown = JSON.parse(rest);
      if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
        throw new Error(`line ${start + 1}: bad JSON form`);
      }
      args = parsed;
      json = true;
    } else args = rest.split(/\s+/).filter(Boolean);
    instructions.push({ keyword, flags, args, raw: rest, json, line: start + 1 });
  }
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [from, as, name, ...extra] = ins.args;
      if (!from || extra.length || (as !== undefined && (as.toUpperCase() !== 'AS' || !name))) {
        throw new Error(`line ${ins.line}: FROM image [AS name]`);
      }
      stages.push({ from, ...(name ? { name } : {}), instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
      preamble.push(ins);
    } else (stages[stages.length - 1] as Stage).instructions.push(ins);
  }
  return { directives, preamble, stages };
}
