import { scrub } from '../../core/index.js';

const MASK = '***';

/** Flags whose value is a secret however it looks (`--password x`, `--token=x`). */
const SECRET_FLAG =
  /^--?[\w-]*(password|passwd|pwd|secret|token|credential|api[-_]?key|private[-_]?key)[\w-]*$/i;

/**
 * URL passwords masked beyond what the text patterns of `scrub` catch: a password holding `@` or `/` (invalid
 * unencoded, but people type it). A `scheme://…` token whose user info (before its last `@`) has a `:` loses
 * everything between that `:` and the `@`; a token the URL parser reads without a password is left alone.
 */
function maskUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s'"]+)/gi, (token, scheme: string, rest: string) => {
    try {
      if (!new URL(token).password) return token;
    } catch {
      // Not parseable: fall through to the user-info rule.
    }
    const at = rest.lastIndexOf('@');
    const colon = rest.indexOf(':');
    if (at < 0 || colon < 0 || colon > at) return token;
    return `${scheme}${rest.slice(0, colon + 1)}${MASK}${rest.slice(at)}`;
  });
}

/** One argument with credentials removed: core's `scrub` (URL passwords, `password=…`, registered secrets) and the URL parser. */
export function redactArg(arg: string): string {
  const eq = arg.indexOf('=');
  if (arg.startsWith('-') && eq > 0 && SECRET_FLAG.test(arg.slice(0, eq)))
    return `${arg.slice(0, eq)}=${MASK}`;
  return scrub(maskUrlPasswords(arg));
}

/**
 * Command-line arguments as the audit log records them: every secret replaced by `***` — URL passwords,
 * `key=value` secrets, values registered with `registerSecret`, and the value after (or attached to) a flag
 * whose name says it is a secret.
 */
export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    out.push(redactArg(arg));
    if (SECRET_FLAG.test(arg) && !arg.includes('=') && i + 1 < args.length) {
      out.push(MASK);
      i++;
    }
  }
  return out;
}
