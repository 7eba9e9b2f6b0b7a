/**
 * Translation of mysql2 errors into coded errors, at the plugin edge. Messages name the server as host:port,
 * never the password, and never carry parameter values (MySQL echoes them, as in "Duplicate entry 'x'"; those
 * are redacted, and the raw error is not attached as `cause`).
 */
import { createError, ErrorCodes, isD7yError, type D7yError, type SqlValue } from '@d7y/core/plugin-api';

import { redact } from './redact.js';

/** Where the error happened. */
export interface ErrorContext {
  /** `host:port` of the server. */
  readonly endpoint: string;
  /** The configured password, scrubbed from any message just in case. */
  readonly secret?: string;
  readonly params?: readonly SqlValue[];
  readonly sql?: string;
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED', 'ER_NET_READ_INTERRUPTED', 'ER_HOST_IS_BLOCKED',
]);
const UNIQUE_CODES = new Set(['ER_DUP_ENTRY', 'ER_DUP_ENTRY_WITH_KEY_NAME', 'ER_DUP_UNIQUE', 'ER_DUP_KEY']);
const TIMEOUT_CODES = new Set(['ER_LOCK_WAIT_TIMEOUT', 'ER_STATEMENT_TIMEOUT', 'ER_QUERY_TIMEOUT']);

/** True for errors that mean the server is unreachable or the connection died. */
export function isConnectionError(err: unknown): boolean {
  if (isD7yError(err)) return err.code === ErrorCodes.UNAVAILABLE;
  const { code, fatal } = (err ?? {}) as { code?: unknown; fatal?: unknown };
  return fatal === true || (typeof code === 'string' && UNAVAILABLE_CODES.has(code));
}

/** Maps any error thrown by mysql2 to a `D7yError`; coded errors pass through unchanged. */
export function mapMysqlError(err: unknown, ctx: ErrorContext): D7yError {
  if (isD7yError(err)) return err;
  const error = (err ?? {}) as { code?: unknown; errno?: unknown; message?: unknown; sqlMessage?: unknown };
  const code = typeof error.code === 'string' ? error.code : undefined;
  const raw = typeof error.message === 'string' ? error.message : String(err);
  const message = redact(raw, ctx.params, ctx.secret);
  const details: Record<string, unknown> = { dialect: 'mysql', endpoint: ctx.endpoint, sqlCode: code, errno: error.errno };
  if (isConnectionError(err)) {
    return createError(ErrorCodes.UNAVAILABLE, `mysql at ${ctx.endpoint} is unavailable: ${message}`, { details });
  }
  if (raw === 'Pool is closed.') {
    return createError(ErrorCodes.FAILED_PRECONDITION, `mysql driver for ${ctx.endpoint} is closed`, { details });
  }
  if (code !== undefined && UNIQUE_CODES.has(code)) {
    const key = /for key '([^']*)'/.exec(raw)?.[1] ?? 'unknown';
    return createError(ErrorCodes.ALREADY_EXISTS, `mysql: unique key '${key}' violated`, { details: { ...details, constraint: key } });
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return createError(ErrorCodes.TIMEOUT, `mysql error ${code}: ${message}`, { details });
  }
  if (code === 'ER_WRONG_ARGUMENTS') {
    return createError(ErrorCodes.INVALID_ARGUMENT, `mysql: the number of parameters does not match the statement's placeholders (${message})`, { details });
  }
  return createError(ErrorCodes.INTERNAL, `mysql error ${code ?? '(no code)'}: ${message}`, { details: { ...details, statement: ctx.sql?.slice(0, 200) } });
}

/** The error for a driver used before `connect()` or after `close()`. */
export function notConnected(endpoint: string): D7yError {
  return createError(ErrorCodes.FAILED_PRECONDITION, `mysql driver for ${endpoint} is not connected: call connect() first (or it was closed)`);
}
