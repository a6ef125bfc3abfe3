import { JetStreamApiError } from '@nats-io/jetstream';
import { FerryError } from '../../core/index.js';

/** JetStream API error codes the transport decides on (nats-server `server/errors.json`). */
export const API = {
  consumerNotFound: 10014,
  streamNotFound: 10059,
  noMessageFound: 10037,
  streamNameInUse: 10058,
  /** `update` of a KV key whose revision moved on: a lost compare-and-set. */
  wrongLastSequence: 10071,
} as const;

/** The JetStream API `err_code` of an error, if it is one. */
export function apiCode(e: unknown): number | undefined {
  return e instanceof JetStreamApiError ? e.code : undefined;
}

/** The connection is closed for good: retrying cannot help. */
export function isClosedConnection(e: unknown): boolean {
  return e instanceof Error && (e.name === 'ClosedConnectionError' || e.name === 'DrainingConnectionError');
}

/** A missing stream or consumer (deleted, or not created yet). */
export function isMissingResource(e: unknown): boolean {
  const code = apiCode(e);
  if (code === API.consumerNotFound || code === API.streamNotFound) return true;
  if (!(e instanceof Error)) return false;
  if (e.name === 'ConsumerNotFoundError' || e.name === 'StreamNotFoundError') return true;
  // A publish to a subject no stream listens on gets "no responders" (nats.js: JetStreamNotEnabled).
  if (e.name === 'JetStreamNotEnabled') return true;
  return e.name === 'RequestError' && (e as { isNoResponders?: () => boolean }).isNoResponders?.() === true;
}

/** A permission the NATS user lacks: a configuration problem, not a transient one. */
export function isPermissionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === 'PermissionViolationError' || e.name === 'AuthorizationError') return true;
  // nats.js wraps a refused request's permission violation in a RequestError: retrying cannot fix it.
  return e.cause !== undefined && e.cause !== e && isPermissionError(e.cause);
}

/** Errors that end a retry loop at once: closed connection, missing permission, non-retryable FerryError. */
export function isFatal(e: unknown): boolean {
  return isClosedConnection(e) || isPermissionError(e) || (e instanceof FerryError && !e.retryable);
}

/** A FerryError for a NATS failure that retrying did not fix. */
export function natsError(what: string, e: unknown): FerryError {
  if (e instanceof FerryError) return e;
  if (isPermissionError(e)) {
    return new FerryError('CONFIG', `NATS refused ${what}: ${reasonOf(e)}`, {
      cause: e,
      hint: 'grant this NATS user the permission, or use the coordinator/worker credentials meant for it',
    });
  }
  return new FerryError('CONNECTION', `NATS: ${what} failed: ${reasonOf(e)}`, {
    cause: e,
    hint: 'check that nats-server is running with JetStream enabled and reachable',
  });
}

/** The message of anything thrown, for a log line (never the whole object: it may hold a connection). */
export function reasonOf(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return code !== undefined && !e.message.includes(String(code))
      ? `${e.message} (${String(code)})`
      : e.message;
  }
  return String(e);
}
