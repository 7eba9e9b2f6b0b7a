/**
 * Value conversion between the portable JS types (see README "Portability rules") and PostgreSQL. Result
 * parsers are set per pool, never on pg's global type registry, so other pg users in the process are unaffected.
 */
import pg from 'pg';
import { createError, ErrorCodes, type SqlValue } from '@d7y/core/plugin-api';

/** A bound value as node-pg accepts it. */
export type PostgresParam = string | number | boolean | Buffer | null;

/** Parameters for node-pg: dates as ISO-8601 UTC text, bigints as decimal text, bytes as Buffer. */
export function toPostgresParams(params: readonly SqlValue[] | undefined): PostgresParam[] {
  if (params === undefined) return [];
  return params.map((value, index) => {
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw createError(ErrorCodes.INVALID_ARGUMENT, `parameter ${index + 1} is an invalid Date`);
      return value.toISOString();
    }
    if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    throw createError(ErrorCodes.INVALID_ARGUMENT, `parameter ${index + 1} has unsupported type ${value === undefined ? 'undefined' : typeof value}`);
  });
}

/** INT8 as number when safe, as bigint beyond ±2^53-1 (never silently rounded). */
export function parseInt8(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

/** TIMESTAMP (without time zone) holds UTC wall-clock time: read it as that instant, not as local time. */
function parseTimestamp(text: string): Date | string {
  const date = new Date(`${text.replace(' ', 'T')}Z`);
  return Number.isNaN(date.getTime()) ? text : date;
}

function parseDate(text: string): Date | string {
  const date = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? text : date;
}

const identity = (text: string): string => text;

/** Text-format parsers that differ from node-pg's defaults, by type OID. */
const PARSERS: Readonly<Record<number, (text: string) => unknown>> = {
  20: parseInt8, // int8 (bigserial ids, count(*))
  1700: Number, // numeric: a double, like DECIMAL on mysql
  1114: parseTimestamp, // timestamp
  1082: parseDate, // date
  114: identity, // json: text, as on sqlite and MariaDB
  3802: identity, // jsonb
};

/** The `types` option for a pg Pool. */
export const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    const parser = format === 'binary' ? undefined : PARSERS[oid];
    return parser ?? pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};
