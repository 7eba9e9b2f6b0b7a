/** Checks that every source plugin applies to the byte range and object key of a `get`. */
import { createError, ErrorCodes } from '../errors.js';
import type { ByteRange } from './SourceClient.js';

/**
 * Throws `D7Y_ERR_INVALID_ARGUMENT` unless `start` is a non-negative and `length` a positive safe integer (and
 * their sum is safe too). Source plugins call it before sending anything upstream.
 */
export function assertByteRange(range: ByteRange): void {
  const { start, length } = range;
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(length) || length < 1 || !Number.isSafeInteger(start + length)) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `invalid byte range: start ${start}, length ${length} (need start >= 0, length >= 1)`);
  }
}

/**
 * Throws `D7Y_ERR_INVALID_ARGUMENT` when an object-storage `key` names a directory (empty or ending in `/`):
 * a single-object `get` cannot fetch one; a recursive download lists it first.
 */
export function assertObjectKey(url: URL, key: string): void {
  if (key === '' || key.endsWith('/')) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `${url.href} names a directory; use a recursive download (dfget -r)`);
  }
}
