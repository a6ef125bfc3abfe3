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
  const message = e instanceof Error ? e.message : String(e);
  const m = /^([A-Za-z ]+?) Error: /.exec(message);
  const kind = m?.[1];
  const known = /^interrupt/i.test(kind ?? message) ? KINDS['Interrupt'] : kind ? KINDS[kind] : undefined;
  const options: ConstructorParameters<typeof FerryError>[2] = { ...context, cause: e };
  if (kind) options.serverCode = kind;
  if (known?.retryable !== undefined) options.retryable = known.retryable;
  if (/Could not set lock on file/i.test(message)) {
    options.hint =
      'DuckDB allows one writing process per file: close the other process or route writes through one writer';
  }
  return new FerryError(known?.code ?? fallback, message.split('\n')[0] ?? message, options);
}
