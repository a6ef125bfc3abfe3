import type { ErrorContext, SerializedError } from './types.js';

/**
 * The one table of error codes. `exit` is the CLI exit status; `retryable` is the default for the code.
 * Decide by `code`, never by `instanceof`: errors cross threads and processes as plain objects.
 */
export const ERROR_CODES = {
  /** Bad or misspelt configuration, or an invalid flag value. */
  CONFIG: { exit: 2, retryable: false },
  /** Wrong command-line usage. */
  USAGE: { exit: 2, retryable: false },
  /** A file, table or run that does not exist. */
  NOT_FOUND: { exit: 2, retryable: false },
  /** A target table exists with another shape, or a mode forbids touching it. */
  SCHEMA_MISMATCH: { exit: 2, retryable: false },
  /** Cannot reach or authenticate to a system. */
  CONNECTION: { exit: 1, retryable: true },
  /** A type that cannot be mapped or read exactly. */
  TYPE: { exit: 2, retryable: false },
  /** A value the target cannot hold, or malformed source data. */
  DATA: { exit: 1, retryable: false },
  /** Checksums or counts differ between source and target. */
  VERIFY: { exit: 1, retryable: false },
  /** A partition failed and the run did not complete. */
  PARTITION_FAILED: { exit: 1, retryable: false },
  /** The operation was cancelled. */
  ABORTED: { exit: 1, retryable: true },
  /** A bug in ferry. */
  INTERNAL: { exit: 1, retryable: false },
} as const satisfies Record<string, { exit: number; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FerryErrorOptions extends ErrorContext {
  retryable?: boolean;
  cause?: unknown;
}

const CONTEXT_KEYS = [
  'run',
  'table',
  'partition',
  'column',
  'key',
  'value',
  'configPath',
  'serverCode',
  'hint',
] as const satisfies readonly (keyof ErrorContext)[];

/** Everything ferry throws. The message says what happened and to what; `context.hint` says what to do next. */
export class FerryError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, options: FerryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FerryError';
    this.code = code;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    const context: ErrorContext = {};
    for (const k of CONTEXT_KEYS) {
      const v = options[k];
      if (v !== undefined) context[k] = v;
    }
    this.context = context;
  }

  /** The message with its context and hint, as a person should see it on one line. */
  describe(): string {
    return describeError(this.toJSON());
  }

  toJSON(): SerializedError {
    const out: SerializedError = {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      context: this.context,
    };
    if (this.cause !== undefined)
      out.cause = String(this.cause instanceof Error ? this.cause.message : this.cause);
    if (this.stack) out.stack = this.stack;
    return out;
  }

  /** Adds context that a caller higher up knows (run, table, partition); existing fields win. */
  withContext(extra: ErrorContext): this {
    for (const k of CONTEXT_KEYS) {
      if (this.context[k] === undefined && extra[k] !== undefined) this.context[k] = extra[k];
    }
    return this;
  }
}

/** True for a FerryError or its serialised form, decided by shape rather than class. */
export function isFerryError(e: unknown): e is FerryError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    (e as { code: string }).code in ERROR_CODES &&
    'context' in e
  );
}

/** Wraps anything thrown into a FerryError (once: a FerryError passes through with added context). */
export function toFerryError(
  e: unknown,
  fallback: ErrorCode = 'INTERNAL',
  context: ErrorContext = {},
): FerryError {
  if (e instanceof FerryError) return e.withContext(context);
  if (isFerryError(e)) return fromSerialized(e as unknown as SerializedError).withContext(context);
  if (e instanceof Error && e.name === 'AbortError') {
    return new FerryError('ABORTED', 'operation was cancelled', { ...context, cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new FerryError(fallback, message, { ...context, cause: e });
}

/** Rebuilds a FerryError received from another thread or process. */
export function fromSerialized(s: SerializedError): FerryError {
  const err = new FerryError(s.code in ERROR_CODES ? (s.code as ErrorCode) : 'INTERNAL', s.message, {
    ...s.context,
    retryable: s.retryable,
    cause: s.cause,
  });
  if (s.stack) err.stack = s.stack;
  return err;
}

/** One line for a person: message, then the context that is known, then the hint. */
export function describeError(s: SerializedError): string {
  const c = s.context;
  const where = [
    c.table && `table ${c.table}`,
    c.partition && `partition ${c.partition}`,
    c.column && `column ${c.column}`,
    c.key && `key ${c.key}`,
    c.value !== undefined && `value ${c.value}`,
    c.configPath && `at ${c.configPath}`,
    c.serverCode && `server code ${c.serverCode}`,
  ].filter(Boolean);
  let line = `${s.code}: ${s.message}`;
  if (where.length) line += ` (${where.join(', ')})`;
  if (s.cause && !s.message.includes(s.cause)) line += `: ${s.cause}`;
  if (c.hint) line += ` — ${c.hint}`;
  return line;
}

/** The CLI exit status for an error code. */
export function exitCodeFor(code: string): number {
  return code in ERROR_CODES ? ERROR_CODES[code as ErrorCode].exit : 1;
}
