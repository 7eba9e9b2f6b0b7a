/**
 * Translation of node-pg errors into coded errors, at the plugin edge. Messages name the server as host:port,
 * never the password, and never carry parameter values (the server's `detail`, which does, is dropped; the
 * raw error is not attached as `cause`).
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

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);
// SQLSTATEs meaning "the server cannot serve us": shutdown, crash recovery, too many connections, bad login, no database.
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '28000', '28P01', '3D000']);
const CONNECTION_LOST = /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended|connection error/i;

/** True for errors that mean the server is unreachable or the connection died. */
export function isConnectionError(err: unknown): boolean {
  if (isD7yError(err)) return err.code === ErrorCodes.UNAVAILABLE;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string') return NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08');
  return CONNECTION_LOST.test((err as { message?: string })?.message ?? '');
}

/** Maps any error thrown by node-pg to a `D7yError`; coded errors pass through unchanged. */
export function mapPgError(err: unknown, ctx: ErrorContext): D7yError {
  if (isD7yError(err)) return err;
  const error = err as { code?: unknown; message?: unknown; constraint?: unknown; table?: unknown };
  const code = typeof error?.code === 'string' ? error.code : undefined;
  const message = redact(typeof error?.message === 'string' ? error.message : String(err), ctx.params, ctx.secret);
  const details: Record<string, unknown> = { dialect: 'postgres', endpoint: ctx.endpoint, sqlCode: code };
  if (isConnectionError(err)) {
    return createError(ErrorCodes.UNAVAILABLE, `postgres at ${ctx.endpoint} is unavailable: ${message}`, { details });
  }
  if (/after calling end on the pool/.test(message)) {
    return createError(ErrorCodes.FAILED_PRECONDITION, `postgres driver for ${ctx.endpoint} is closed`, { details });
  }
  if (code === '23505') {
    const constraint = typeof error.constraint === 'string' ? error.constraint : 'unknown';
    return createError(ErrorCodes.ALREADY_EXISTS, `postgres: unique constraint "${constraint}" violated`, {
      details: { ...details, constraint, table: error.table },
    });
  }
  if (code === '55P03' || code === '57014') {
    return createError(ErrorCodes.TIMEOUT, `postgres error ${code}: ${message}`, { details });
  }
  return createError(ErrorCodes.INTERNAL, `postgres error ${code ?? '(no code)'}: ${message}`, {
    details: { ...details, statement: ctx.sql?.slice(0, 200) },
  });
}

/** The error for a driver used before `connect()` or after `close()`. */
export function notConnected(endpoint: string): D7yError {
  return createError(ErrorCodes.FAILED_PRECONDITION, `postgres driver for ${endpoint} is not connected: call connect() first (or it was closed)`);
}
