/** Translation of Node filesystem errors into coded plugin errors, at the plugin edge. */
import { createError, ErrorCodes, isD7yError, type D7yError, type ErrorCode } from '@d7y/core/plugin-api';

const CODES: Readonly<Record<string, ErrorCode>> = {
  ENOSPC: ErrorCodes.RESOURCE_EXHAUSTED,
  EDQUOT: ErrorCodes.RESOURCE_EXHAUSTED,
  EMFILE: ErrorCodes.RESOURCE_EXHAUSTED,
  ENFILE: ErrorCodes.RESOURCE_EXHAUSTED,
  EIO: ErrorCodes.UNAVAILABLE,
  EROFS: ErrorCodes.UNAVAILABLE,
  EACCES: ErrorCodes.UNAVAILABLE,
  EPERM: ErrorCodes.UNAVAILABLE,
};

/** The errno-style code of an error (`ENOENT`, ...), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !code.startsWith('D7Y_ERR_') ? code : undefined;
}

/**
 * Wraps a filesystem error as a coded error naming what failed: out of space → `D7Y_ERR_RESOURCE_EXHAUSTED`,
 * I/O or permission failures → `D7Y_ERR_UNAVAILABLE`, anything else → `D7Y_ERR_INTERNAL`. Coded errors pass
 * through unchanged.
 */
export function toStorageError(error: unknown, what: string): D7yError {
  if (isD7yError(error)) return error;
  const errno = errnoCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return createError((errno === undefined ? undefined : CODES[errno]) ?? ErrorCodes.INTERNAL, `disk storage: ${what} failed: ${message}`, {
    cause: error,
    details: errno ? { errno } : {},
  });
}
