/**
 * Field builders shared by the role schemas.
 *
 * Every builder attaches one "expected ..." text to all of its zod issues, so that a failed field reads
 * `<file>: <key.path>: expected <text>, got <what was found>` (see `../errors.ts`). Callers add `.default()`
 * and `.describe()`; defaults are given in output units (milliseconds, bytes).
 */
import { isIP } from 'node:net';

import { z } from 'zod';

import { parseDuration, parseSize } from '../../common/units.js';

/** zod params that make every issue of a schema carry the given expectation text. */
export function expecting(text: string): { error: string } {
  return { error: text };
}

function rangeText(what: string, min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return `${what} from ${min} to ${max}`;
  if (min !== undefined) return `${what} >= ${min}`;
  if (max !== undefined) return `${what} <= ${max}`;
  return what;
}

/** A safe integer, optionally bounded (inclusive). */
export function int(min?: number, max?: number) {
  const text = expecting(rangeText('integer', min, max));
  const base = z.int(text);
  if (min !== undefined && max !== undefined) return base.min(min, text).max(max, text);
  if (min !== undefined) return base.min(min, text);
  if (max !== undefined) return base.max(max, text);
  return base;
}

/** A finite number strictly greater than zero (Go `float64` rates). */
export function positiveNumber() {
  const text = expecting('number > 0');
  return z.number(text).gt(0, text);
}

/** A TCP/UDP port; 0 asks the OS for a free port. */
export function port() {
  return int(0, 65535);
}

/** Any string (empty allowed). */
export function str() {
  return z.string(expecting('string'));
}

/** A string with at least one character. */
export function nonEmpty() {
  const text = expecting('non-empty string');
  return z.string(text).min(1, text);
}

/** `true` or `false`. */
export function bool() {
  return z.boolean(expecting('boolean (true or false)'));
}

/** One of a fixed set of strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, expecting(`one of ${values.join(', ')}`));
}

/** A literal IPv4 or IPv6 address. */
export function ip() {
  const text = expecting('IP address');
  return z.string(text).refine((value) => isIP(value) !== 0, text);
}

/** `host:port`, `[v6]:port` or `:port` (Go listen-address form). */
export function listenAddr() {
  const text = expecting('address like :8080 or 127.0.0.1:8080');
  return z.string(text).refine((value) => splitHostPort(value) !== undefined, text);
}

/** `host:port` with a non-empty host. */
export function hostPort() {
  const text = expecting('address like host:port');
  return z.string(text).refine((value) => (splitHostPort(value)?.host ?? '') !== '', text);
}

/** `host:port`, optionally with an `http://` or `https://` scheme in front (the Rust client accepts URLs). */
export function serviceAddr() {
  const text = expecting('address like host:port or http://host:port');
  return z.string(text).refine((value) => (splitHostPort(value.replace(/^https?:\/\//, ''))?.host ?? '') !== '', text);
}

/** An absolute http or https URL. */
export function httpUrl() {
  const text = expecting('http or https URL');
  return z.string(text).refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, text);
}

/** A string of a bounded length (credentials and the like). */
export function boundedString(min: number, max: number) {
  const text = expecting(`string of ${min} to ${max} characters`);
  return z.string(text).min(min, text).max(max, text);
}

function splitHostPort(value: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/]*):(\d{1,5})$/.exec(value);
  if (!match) return undefined;
  const portNumber = Number(match[2]);
  return portNumber <= 65535 ? { host: match[1]!, port: portNumber } : undefined;
}

/** A CIDR (`10.0.0.0/8`, `fd00::/8`) or a single address. */
export function cidr() {
  const text = expecting('CIDR like 10.0.0.0/8 or fd00::/8');
  return z.string(text).refine((value) => {
    const [address = '', prefixText, extra] = value.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) return false;
    if (prefixText === undefined) return true;
    const prefix = Number(prefixText);
    return /^\d+$/.test(prefixText) && prefix <= (family === 6 ? 128 : 32);
  }, text);
}

/** A JavaScript regular expression. */
export function regex() {
  const text = expecting('valid regular expression');
  return z.string(text).refine((value) => {
    try {
      new RegExp(value);
      return true;
    } catch {
      return false;
    }
  }, text);
}

/** A list of items. */
export function list<T extends z.ZodType>(item: T) {
  return z.array(item, expecting('list'));
}

/** A mapping of string keys to string values (HTTP headers and the like). */
export function stringMap() {
  return z.record(z.string(), z.string(expecting('string')), expecting('mapping of strings'));
}

/** A nested section that is filled with its defaults when absent. */
export function section<S extends z.ZodRawShape>(shape: S) {
  return z.object(shape, expecting('mapping')).prefault({} as never);
}

/** A nested section that stays `undefined` when absent (its presence means something, e.g. TLS). */
export function optionalSection<S extends z.ZodRawShape>(shape: S) {
  return z.object(shape, expecting('mapping')).optional();
}

/**
 * The duration and size fields, so that the generated configuration reference can print their defaults as
 * `5m` and `4MiB` rather than the milliseconds and bytes the schema holds.
 */
export const UNIT_FIELDS: { readonly duration: WeakSet<z.ZodType>; readonly size: WeakSet<z.ZodType> } = {
  duration: new WeakSet(),
  size: new WeakSet(),
};

function tagged<T extends z.ZodType>(kind: keyof typeof UNIT_FIELDS, schema: T): T {
  UNIT_FIELDS[kind].add(schema);
  return schema;
}

const DURATION_EXAMPLES = 'e.g. 500ms, 1m, 48h';

/**
 * A duration string converted to milliseconds. Bare numbers other than `0` are refused: Go would read them
 * as nanoseconds and Rust refuses them, so they are ambiguous. Negative durations are refused.
 */
export function duration(options: { positive?: boolean } = {}) {
  const kind = options.positive ? 'positive duration' : 'duration';
  const text = `${kind} (${DURATION_EXAMPLES})`;
  return tagged('duration', z.union([z.string(), z.number()], expecting(text)).transform((value, ctx): number => {
    const fail = (message: string): never => {
      ctx.issues.push({ code: 'custom', message, input: value });
      return z.NEVER as never;
    };
    if (typeof value === 'number') {
      if (value === 0 && !options.positive) return 0;
      return fail(`${kind} with a unit (${DURATION_EXAMPLES})`);
    }
    if (value.trim().startsWith('-')) return fail(`${kind} (negative durations are not allowed)`);
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch {
      return fail(/^\s*\+?[\d.]+\s*$/.test(value) ? `${kind} with a unit (${DURATION_EXAMPLES})` : text);
    }
    return options.positive && ms <= 0 ? fail(text) : ms;
  }));
}

const SIZE_TEXT = 'size (e.g. 131072, 4MiB, 10GiB, 50GB)';

/** A size in bytes: a number, or a string with a decimal (`GB`) or binary (`GiB`) unit. */
export function size() {
  return tagged('size', z.union([z.string(), z.number()], expecting(SIZE_TEXT)).transform((value, ctx): number => {
    try {
      return parseSize(value);
    } catch {
      ctx.issues.push({ code: 'custom', message: SIZE_TEXT, input: value });
      return z.NEVER as never;
    }
  }));
}
