import { type ErrorCode, type ErrorContext, FerryError, isFerryError } from '../../core/index.js';

/** The fields mysql2 puts on a server or connection error. */
interface MysqlDriverError {
  message: string;
  code?: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
  fatal?: boolean;
}

/** Server errors that a retry can get past (deadlock, lock wait timeout, server shutting down). */
const RETRYABLE = new Set([1205, 1213, 1053, 1927, 2006, 2013]);

function codeFor(e: MysqlDriverError): ErrorCode {
  const state = e.sqlState ?? '';
  const errno = e.errno ?? 0;
  if (errno === 1317) return 'ABORTED';
  if (errno === 1146 || errno === 1049) return 'NOT_FOUND';
  // A refused login (1045) or database access (1044) is not a lost connection: no retry gets past it.
  if (errno === 1045 || errno === 1044) return 'CONFIG';
  if (state.startsWith('08') || e.fatal || /^E[A-Z]+$/.test(e.code ?? '')) return 'CONNECTION';
  if (errno === 1227 || errno === 1142 || errno === 1148 || errno === 3948) return 'CONFIG';
  if (state.startsWith('22') || state.startsWith('23') || RETRYABLE.has(errno)) return 'DATA';
  if (errno === 1050 || errno === 1054 || errno === 1060) return 'SCHEMA_MISMATCH';
  return 'INTERNAL';
}

function hintFor(errno: number | undefined): string | undefined {
  switch (errno) {
    case 1227:
    case 1142:
      return 'grant the privilege named in the message to the ferry user, or choose a mode that needs less (snapshot=per-partition needs only SELECT)';
    case 1148:
    case 3948:
      return 'enable local_infile on the target server (SET GLOBAL local_infile = 1)';
    case 1045:
      return 'check the user and password (FERRY_… environment variable or password file)';
    default:
      return undefined;
  }
}

/**
 * Server messages that quote a row's value: `Incorrect integer value: 'x' for column …`, `Duplicate entry 'x'
 * for key …`, `Truncated incorrect DOUBLE value: 'x'`, `Incorrect string value: '\xF0…'`. The value is removed
 * (as the PostgreSQL connector removes DETAIL's echo): it may be personal data, and ferry's own errors name the
 * row by its key and column instead.
 */
const QUOTED_VALUE = /((?:Incorrect|Truncated incorrect) [^:']*value: |Duplicate entry |Invalid [^:']*: )'(?:[^'\\]|\\.|'')*'/g;

export function redactMysqlMessage(message: string): string {
  return message.replace(QUOTED_VALUE, "$1'…'");
}

/**
 * Wraps an error from mysql2 once, at the connector boundary: the server's errno and SQLSTATE are kept as
 * `serverCode` (`1062/23000`), the code follows the error's class. A FerryError passes through with the context.
 */
export function wrapMysqlError(e: unknown, context: ErrorContext, fallback?: ErrorCode): FerryError {
  if (isFerryError(e)) return (e as FerryError).withContext(context);
  const err = (e ?? {}) as MysqlDriverError;
  // The driver error travels on as the cause (logs print it): scrubbed too.
  if (typeof err.message === 'string') err.message = redactMysqlMessage(err.message);
  if (typeof err.sqlMessage === 'string') err.sqlMessage = redactMysqlMessage(err.sqlMessage);
  const message = err.sqlMessage ?? err.message ?? String(e);
  let code = codeFor(err);
  if (code === 'INTERNAL' && fallback) code = fallback;
  const serverCode = err.errno ? `${err.errno}${err.sqlState ? `/${err.sqlState}` : ''}` : err.code;
  const options: ErrorContext & { retryable?: boolean; cause: unknown } = { ...context, cause: e };
  if (serverCode) options.serverCode = serverCode;
  const hint = context.hint ?? hintFor(err.errno);
  if (hint) options.hint = hint;
  if (err.errno !== undefined && RETRYABLE.has(err.errno)) options.retryable = true;
  return new FerryError(code, message, options);
}
