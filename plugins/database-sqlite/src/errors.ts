/**
 * Translation of better-sqlite3 errors into coded errors, at the plugin edge. Messages never carry parameter
 * values; the raw error is not attached as `cause` because its fields may.
 */
import { createError, ErrorCodes, isD7yError, type D7yError, type SqlValue } from '@d7y/core/plugin-api';

import { redact } from './redact.js';

/** Where the error happened, for the message and the details. */
export interface ErrorContext {
  /** The database file. */
  readonly path: string;
  readonly params?: readonly SqlValue[];
  readonly sql?: string;
}

/** Maps any error thrown by better-sqlite3 to a `D7yError`; coded errors pass through unchanged. */
export function mapSqliteError(err: unknown, ctx: ErrorContext): D7yError {
  if (isD7yError(err)) return err;
  const error = err as { code?: unknown; message?: unknown; name?: unknown };
  const code = typeof error?.code === 'string' ? error.code : undefined;
  const message = redact(typeof error?.message === 'string' ? error.message : String(err), ctx.params);
  const details = { dialect: 'sqlite', sqlCode: code };
  if (code === undefined) {
    // better-sqlite3 reports binding problems (wrong parameter count or type, several statements) as plain
    // RangeError/TypeError before SQLite runs anything.
    if (error?.name === 'RangeError' || error?.name === 'TypeError') {
      return createError(ErrorCodes.INVALID_ARGUMENT, `sqlite: ${message}`, { details });
    }
    return createError(ErrorCodes.INTERNAL, `sqlite: ${message}`, { details });
  }
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return createError(ErrorCodes.ALREADY_EXISTS, `sqlite: ${message}`, { details });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return createError(ErrorCodes.TIMEOUT, `sqlite database ${ctx.path} is locked by another connection: ${message}`, { details });
  }
  if (/^SQLITE_(CANTOPEN|IOERR|READONLY|FULL|NOTADB|PERM|AUTH)/.test(code)) {
    return createError(ErrorCodes.UNAVAILABLE, `sqlite database ${ctx.path} is unavailable: ${message} (${code})`, { details });
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return createError(ErrorCodes.DATA_CORRUPTED, `sqlite database ${ctx.path} is corrupt: ${message}`, { details });
  }
  if (code === 'SQLITE_RANGE') {
    return createError(ErrorCodes.INVALID_ARGUMENT, `sqlite error ${code}: ${message}`, { details });
  }
  return createError(ErrorCodes.INTERNAL, `sqlite error ${code}: ${message}`, { details: { ...details, statement: ctx.sql?.slice(0, 200) } });
}

/** The error for a driver used before `connect()` or after `close()`. */
export function notConnected(): D7yError {
  return createError(ErrorCodes.FAILED_PRECONDITION, 'sqlite database is not open: call connect() first (or it was closed)');
}
