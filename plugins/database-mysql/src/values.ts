/**
 * Value conversion between the portable JS types (see README "Portability rules") and MySQL/MariaDB. The pool
 * already reads DATETIME/TIMESTAMP as UTC Dates, DECIMAL as numbers and JSON as text; this module adds what
 * mysql2 cannot: TINYINT(1) (= BOOLEAN) as boolean and BIGINT beyond 2^53 as bigint.
 */
import type { FieldPacket } from 'mysql2/promise';
import { createError, ErrorCodes, type SqlValue } from '@d7y/core/plugin-api';

/** A bound value as mysql2's `execute` accepts it. */
export type MysqlParam = string | number | bigint | boolean | Date | Buffer | null;

const TYPE_TINY = 1;
const TYPE_LONGLONG = 8;

/** Parameters for mysql2: bytes as Buffer; everything else is bound natively (dates in UTC, see pool options). */
export function toMysqlParams(params: readonly SqlValue[] | undefined): MysqlParam[] {
  if (params === undefined) return [];
  return params.map((value, index) => {
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value;
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw createError(ErrorCodes.INVALID_ARGUMENT, `parameter ${index + 1} is an invalid Date`);
      return value;
    }
    if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    throw createError(ErrorCodes.INVALID_ARGUMENT, `parameter ${index + 1} has unsupported type ${value === undefined ? 'undefined' : typeof value}`);
  });
}

function toBoolean(value: unknown): unknown {
  return value === null || value === undefined ? null : Number(value) !== 0;
}

/** BIGINT as number when safe (mysql2 gives a number then), as bigint beyond ±2^53-1 (mysql2 gives a string). */
function toInteger(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value) ? BigInt(value) : value;
}

/** Normalises rows in place, from the result's column metadata. */
export function normaliseRows(rows: Record<string, unknown>[], fields: readonly FieldPacket[] | undefined): Record<string, unknown>[] {
  if (rows.length === 0 || fields === undefined) return rows;
  const converters: [string, (value: unknown) => unknown][] = [];
  for (const field of fields) {
    if (field.columnType === TYPE_TINY && field.columnLength === 1) converters.push([field.name, toBoolean]);
    else if (field.columnType === TYPE_LONGLONG) converters.push([field.name, toInteger]);
  }
  if (converters.length === 0) return rows;
  for (const row of rows) for (const [name, convert] of converters) row[name] = convert(row[name]);
  return rows;
}
