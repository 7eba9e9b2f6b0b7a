/**
 * How a record field is stored and validated. Repositories declare one spec per table; `Table` uses it to
 * validate input (errors name the field), bind parameters and decode rows identically on every dialect.
 */
import { createError, ErrorCodes } from '../../common/errors.js';
import type { SqlValue } from '../../plugin-api/database/DatabaseDriver.js';

/** A field's storage kind. */
export type FieldSpec =
  | { readonly kind: 'string'; readonly max: number; readonly default: string; readonly oneOf?: readonly string[] }
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly default: number }
  | { readonly kind: 'bool'; readonly default: boolean }
  | { readonly kind: 'date'; readonly default: null }
  | { readonly kind: 'json'; readonly default: () => unknown; readonly validate?: (value: unknown, field: string) => void };

/** Largest serialised JSON value a field may hold. */
export const MAX_JSON_BYTES = 64 * 1024;

/** Field spec helpers. */
export const field = {
  string: (max = 256, defaultValue = ''): FieldSpec => ({ kind: 'string', max, default: defaultValue }),
  int: (min = 0, max = Number.MAX_SAFE_INTEGER, defaultValue = 0): FieldSpec => ({ kind: 'int', min, max, default: defaultValue }),
  port: (): FieldSpec => ({ kind: 'int', min: 0, max: 65535, default: 0 }),
  oneOf: (values: readonly string[], defaultValue: string): FieldSpec => ({ kind: 'string', max: 64, default: defaultValue, oneOf: values }),
  bool: (defaultValue = false): FieldSpec => ({ kind: 'bool', default: defaultValue }),
  date: (): FieldSpec => ({ kind: 'date', default: null }),
  json: (defaultValue: () => unknown, validate?: (value: unknown, field: string) => void): FieldSpec => ({ kind: 'json', default: defaultValue, validate }),
};

/** Throws `D7Y_ERR_INVALID_ARGUMENT` naming `fieldName`. */
export function invalid(fieldName: string, expected: string): never {
  throw createError(ErrorCodes.INVALID_ARGUMENT, `${fieldName}: ${expected}`, { details: { field: fieldName } });
}

/** Validates `value` against `spec` and returns the SQL parameter to bind. */
export function toParam(fieldName: string, spec: FieldSpec, value: unknown): SqlValue {
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') invalid(fieldName, 'expected a string');
      if (value.length > spec.max) invalid(fieldName, `at most ${spec.max} characters`);
      if (value.includes('\0')) invalid(fieldName, 'must not contain NUL');
      if (spec.oneOf && !spec.oneOf.includes(value)) invalid(fieldName, `expected one of ${spec.oneOf.join(', ')}`);
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) invalid(fieldName, 'expected an integer');
      if (value < spec.min || value > spec.max) invalid(fieldName, `expected ${spec.min}..${spec.max}`);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') invalid(fieldName, 'expected true or false');
      return value;
    case 'date':
      if (value === null) return null;
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) invalid(fieldName, 'expected a date');
      return value;
    case 'json': {
      spec.validate?.(value, fieldName);
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch {
        invalid(fieldName, 'expected JSON');
      }
      if (text === undefined) invalid(fieldName, 'expected JSON');
      if (Buffer.byteLength(text) > MAX_JSON_BYTES) invalid(fieldName, `at most ${MAX_JSON_BYTES} bytes of JSON`);
      return text;
    }
  }
}

/** Decodes a column value read from any dialect. */
export function fromColumn(spec: FieldSpec, value: unknown): unknown {
  switch (spec.kind) {
    case 'string':
      return value == null ? '' : String(value);
    case 'int':
      return value == null ? 0 : Number(value);
    case 'bool':
      return value === true || value === 1 || value === '1';
    case 'date':
      return value == null ? null : value instanceof Date ? value : new Date(String(value));
    case 'json':
      if (value == null || value === '') return spec.default();
      try {
        return JSON.parse(String(value));
      } catch {
        return spec.default();
      }
  }
}

/** A plain JSON object check. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
