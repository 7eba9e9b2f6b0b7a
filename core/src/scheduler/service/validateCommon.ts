import type { googleProtobuf } from '@d7y/proto';

import { createError, ErrorCodes } from '../../common/errors.js';
import { MAX_ID_LENGTH, MAX_TEXT_LENGTH } from '../constants.js';

/** Throws `D7Y_ERR_INVALID_ARGUMENT` with `message`. */
export function invalid(message: string, field?: string): never {
  throw createError(ErrorCodes.INVALID_ARGUMENT, message, field === undefined ? undefined : { details: { field } });
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A non-empty id without control characters, at most `MAX_ID_LENGTH` long. */
export function assertId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) invalid(`${field} is required`, field);
  if (value.length > MAX_ID_LENGTH) invalid(`${field} is longer than ${MAX_ID_LENGTH} characters`, field);
  if (CONTROL.test(value)) invalid(`${field} contains a control character`, field);
  return value;
}

/** A string of at most `max` characters without control characters ('' when absent). */
export function boundedText(value: unknown, field: string, max = MAX_TEXT_LENGTH): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') invalid(`${field} must be a string`, field);
  if (value.length > max) invalid(`${field} is longer than ${max} characters`, field);
  if (CONTROL.test(value)) invalid(`${field} contains a control character`, field);
  return value;
}

/** A non-negative safe integer no larger than `max`. */
export function boundedInt(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    invalid(`${field} must be an integer from ${min} to ${max}`, field);
  }
  return value;
}

/** Milliseconds of a proto Duration; throws for negative or absurd values. 0 when absent. */
export function durationMs(duration: googleProtobuf.Duration__Output | null | undefined, field: string, maxMs: number): number {
  if (!duration) return 0;
  const seconds = Number(duration.seconds);
  const nanos = Number(duration.nanos);
  if (!Number.isFinite(seconds) || !Number.isFinite(nanos) || seconds < 0 || nanos < 0 || nanos >= 1e9) {
    invalid(`${field} must be a non-negative duration`, field);
  }
  const ms = seconds * 1000 + Math.floor(nanos / 1e6);
  if (ms > maxMs) invalid(`${field} is longer than ${maxMs} ms`, field);
  return ms;
}
