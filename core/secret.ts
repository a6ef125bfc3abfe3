import { inspect } from 'node:util';

const REDACTED = '***';

/**
 * A credential. Prints as `***` everywhere (toString, JSON, util.inspect, template strings);
 * only `reveal()` gives the value, and only a connector opening a connection should call it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@/\s]+)(@)/gi;
const KV_SECRET =
  /((?:password|passwd|pwd|secret|token|seed|apikey|api_key)\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,]+)/gi;

/**
 * Removes credentials from free text: passwords in URLs (`scheme://user:pw@host`) and `password=…`-style
 * pairs. Used on every log line, error message and report as a last line of defence.
 */
export function redact(text: string): string {
  return text.replace(URL_PASSWORD, `$1${REDACTED}$3`).replace(KV_SECRET, `$1${REDACTED}`);
}

/** Secret values registered at run time (passwords read from files or the environment) to scrub from output. */
const known = new Set<string>();

/** Registers a secret value so `scrub` removes it from any text, even outside a URL. */
export function registerSecret(value: string): void {
  if (value.length >= 4) known.add(value);
}

/** `redact` plus removal of every registered secret value. */
export function scrub(text: string): string {
  let out = redact(text);
  for (const s of known) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}
