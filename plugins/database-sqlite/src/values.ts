/**
 * Value conversion between the portable JS types (see README "Portability rules") and SQLite storage.
 * The connection runs with safe integers on, so every INTEGER arrives as a bigint and is narrowed here.
 */
import { createError, ErrorCodes, type SqlValue } from '@d7y/core/plugin-api';

/** A bound value as better-sqlite3 accepts it. */
export type SqliteParam = string | number | bigint | Buffer | null;

/** Converts one row value; built once per statement from the column's declared type. */
export type ColumnConverter = (value: unknown) => unknown;

/** Parameters for better-sqlite3: booleans as 1/0, dates as ISO-8601 UTC text, bytes as Buffer. */
export function toSqliteParams(params: readonly SqlValue[] | undefined): SqliteParam[] {
  if (params === undefined) return [];
  return params.map((value, index) => {
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return value;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value instanceof Date) return isoDate(value, index);
    if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    throw createError(ErrorCodes.INVALID_ARGUMENT, `parameter ${index + 1} has unsupported type ${value === undefined ? 'undefined' : typeof value}`);
  });
}

function isoDate(value: Date, index: number): string {
  if (Number.isNaN(value.getTime())) throw createError(ErrorCodes.INVALID_ARGUMENT, `parameter ${index + 1} is an invalid Date`);
  return value.toISOString();
}

/** Integers as number when safe, as bigint beyond ±2^53-1 (never silently rounded). */
export function narrowInteger(value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Columns declared BOOLEAN/BOOL read as booleans. */
function toBoolean(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value !== '0' && value.toLowerCase() !== 'false' && value !== '';
  return value;
}

const NAIVE_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Columns declared DATETIME/TIMESTAMP/DATE read as Date. Text without a zone (SQLite's own CURRENT_TIMESTAMP
 * writes `YYYY-MM-DD HH:MM:SS`) is UTC; numbers are milliseconds since the epoch.
 */
function toDate(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint' || typeof value === 'number') return new Date(Number(value));
  if (typeof value !== 'string') return value;
  const text = DATE_ONLY.test(value) ? `${value}T00:00:00Z` : NAIVE_TIMESTAMP.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? value : date;
}

/** The converter for a column, from its declared type (null for expressions). */
export function converterFor(declaredType: string | null): ColumnConverter {
  const type = (declaredType ?? '').toUpperCase();
  if (/\bBOOL(EAN)?\b/.test(type)) return toBoolean;
  if (/\b(DATETIME|TIMESTAMP|TIMESTAMPTZ|DATE)\b/.test(type)) return toDate;
  return narrowInteger;
}
