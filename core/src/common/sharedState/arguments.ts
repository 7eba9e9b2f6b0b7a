/**
 * Argument checks shared by every `SharedStateBackend` implementation in core. The redis plugin carries a
 * copy of the same rules (plugins/database-redis/src/arguments.ts); the conformance suite keeps them equal.
 */
import { createError, ErrorCodes } from '../../plugin-api/errors.js';
import { MAX_TIMER_MS } from '../timers.js';

/** Longest key or queue name, in characters. */
export const MAX_KEY_LENGTH = 1024;
/** Longest cached value or queue message, in UTF-16 code units (16 Mi). */
export const MAX_VALUE_LENGTH = 16 * 1024 * 1024;
/** Longest wait, TTL or window accepted, in milliseconds (the largest `setTimeout` delay, ~24.8 days). */
export const MAX_DURATION_MS = MAX_TIMER_MS;

function invalid(message: string): never {
  throw createError(ErrorCodes.INVALID_ARGUMENT, message);
}

/** A non-empty key or queue name of at most `MAX_KEY_LENGTH` characters. */
export function checkKey(what: string, key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    invalid(`${what} must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
  }
  return key;
}

/** A string value or message of at most `MAX_VALUE_LENGTH` code units. */
export function checkValue(what: string, value: unknown): string {
  if (typeof value !== 'string') invalid(`${what} must be a string`);
  if (value.length > MAX_VALUE_LENGTH) invalid(`${what} is longer than ${MAX_VALUE_LENGTH} characters`);
  return value;
}

/**
 * A duration in whole milliseconds: fractions round up. `min` is 1 for TTLs and windows (which must be
 * positive) and 0 for waits.
 */
export function checkDuration(what: string, ms: unknown, min: 0 | 1): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) invalid(`${what} must be a finite number of milliseconds >= ${min}, got ${String(ms)}`);
  const whole = Math.ceil(ms);
  if (whole < min || whole > MAX_DURATION_MS) invalid(`${what} must be between ${min} and ${MAX_DURATION_MS} ms, got ${ms}`);
  return whole;
}

/** A rate limit: a safe integer >= 0 (0 refuses every event). */
export function checkLimit(limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) invalid(`limit must be an integer >= 0, got ${String(limit)}`);
  return limit;
}

/** The error every method of a closed backend throws. */
export function closedError(): Error {
  return createError(ErrorCodes.FAILED_PRECONDITION, 'the shared-state backend is closed');
}
