import { type ErrorCode, type ErrorContext, FerryError, isFerryError } from '../../core/index.js';

const KINDS: Record<string, { code: ErrorCode; retryable?: boolean }> = {
  Conversion: { code: 'DATA' },
  Constraint: { code: 'DATA' },
  'Out of Range': { code: 'DATA' },
  'Invalid Input': { code: 'DATA' },
  Catalog: { code: 'NOT_FOUND' },
  IO: { code: 'CONNECTION' },
  Interrupt: { code: 'ABORTED' },
  // Write-write conflicts between concurrent transactions: the loser may simply try again.
  TransactionContext: { code: 'DATA', retryable: true },
  Transaction: { code: 'DATA', retryable: true },
  'Out of Memory': { code: 'INTERNAL', retryable: true },
};

/**
 * Wraps an error thrown by DuckDB once, at the connector boundary: the code follows DuckDB's error kind
 * (`Conversion Error: …` → DATA, `Catalog Error` → NOT_FOUND, `IO Error` → CONNECTION, conflicts → retryable
 * DATA, `INTERRUPT` → ABORTED), `serverCode` keeps DuckDB's kind. A FerryError passes through with the context added.
 */
export function wrapDuckDBError(
  e: unknown,
  context: ErrorContext,
  fallback: ErrorCode = 'INTERNAL',
): FerryError {
  if (isFerryError(e)) return (e as FerryError).withContext(context);
  if (e instanceof Error && e.name === 'AbortError') {
    return new FerryError('ABORTED', 'operation was cancelled', { ...context, cause: e });
  }
  const raw = e instanceof Error ? e.message : String(e);
  const m = /^([A-Za-z ]+?) Error: /.exec(raw);
  const kind = m?.[1];
  const known = /^interrupt/i.test(kind ?? raw) ? KINDS['Interrupt'] : kind ? KINDS[kind] : undefined;
  // Data errors echo the refused row's values; the appender's `Failed to append: … duplicate key "x"` has no kind.
  const message = (known?.code ?? fallback) === 'DATA' ? redactDuckDBValues(raw) : raw;
  // The driver error travels on as the cause: it must not carry the row values either.
  if (message !== raw && e instanceof Error) {
    if (e.stack) e.stack = e.stack.replace(raw, message);
    e.message = message;
  }
  const options: ConstructorParameters<typeof FerryError>[2] = { ...context, cause: e };
  if (kind) options.serverCode = kind;
  if (known?.retryable !== undefined) options.retryable = known.retryable;
  if (/Could not set lock on file/i.test(message)) {
    options.hint =
      'DuckDB allows one writing process per file: close the other process or route writes through one writer';
  }
  return new FerryError(known?.code ?? fallback, message.split('\n')[0] ?? message, options);
}

/**
 * A DuckDB data-error message without the row values it echoes (`Duplicate key "email: ana@x"`,
 * `Could not convert string 'x' to INT32`): customer data must not reach logs, reports or traces. Column
 * names stay.
 */
export function redactDuckDBValues(message: string): string {
  return message
    .replace(/"(?:([\w ]+): )?(?:[^"\\]|\\.)*"/g, (_, column?: string) => (column ? `"${column}: …"` : '"…"'))
    .replace(/'(?:[^'\\]|'')*'/g, "'…'");
}
