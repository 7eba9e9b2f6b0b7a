/**
 * Human-readable durations and sizes, as written in Dragonfly's config files.
 *
 * Durations follow Go's `time.ParseDuration` and Rust's `humantime` (which Dragonfly's Go services and Rust
 * client use): one or more `<number><unit>` parts, optionally separated by spaces, such as `400ms`, `1m`,
 * `1h30m`, `1m0s`, `1.5h`, `30d`. Units: `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`, `d`, `w`. The result is in
 * milliseconds; sub-millisecond parts give a fractional result.
 *
 * Sizes follow Rust's `bytesize` (the client's config): a bare number is bytes; `KB`/`MB`/`GB`/`TB`/`PB` are
 * decimal (powers of 1000) and `KiB`/`MiB`/`GiB`/`TiB`/`PiB` binary (powers of 1024), case-insensitive, with
 * the short forms `K`, `Ki`, ... and an optional space before the unit. The result is a whole number of bytes.
 */
import { createError, ErrorCodes } from '../plugin-api/errors.js';

const NS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86_400e9,
  w: 604_800e9,
};

const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)\s*(ns|us|µs|μs|ms|s|m|h|d|w)/gy;
const DURATION_HINT = 'a duration like 500ms, 1m, 1h30m or 30d';

/** Largest accepted value: above this, millisecond arithmetic stops being exact. */
const MAX_MS = Number.MAX_SAFE_INTEGER / 1000;

function badValue(kind: string, value: unknown, why: string): Error {
  return createError(ErrorCodes.INVALID_ARGUMENT, `invalid ${kind} ${JSON.stringify(value)}: ${why}`, {
    details: { value: typeof value === 'string' ? value : String(value) },
  });
}

/**
 * Parses a duration string into milliseconds. `0` alone is accepted; any other number needs a unit, because
 * Go reads a bare number as nanoseconds and Rust refuses it, so a bare number is ambiguous.
 * @throws `D7Y_ERR_INVALID_ARGUMENT` naming the value, for malformed, unit-less or negative durations.
 */
export function parseDuration(value: string): number {
  if (typeof value !== 'string') throw badValue('duration', value, `expected ${DURATION_HINT}`);
  const text = value.trim();
  if (text.startsWith('-')) throw badValue('duration', value, 'durations must not be negative');
  const body = text.startsWith('+') ? text.slice(1).trim() : text;
  if (/^0*(\.0*)?$/.test(body) && body.length > 0) return 0;
  if (/^\d+(\.\d*)?$/.test(body)) throw badValue('duration', value, `a unit is required, e.g. ${body}s or ${body}ms`);
  let totalNs = 0;
  let index = 0;
  while (index < body.length) {
    DURATION_PART.lastIndex = index;
    const match = DURATION_PART.exec(body);
    if (!match) throw badValue('duration', value, `expected ${DURATION_HINT}`);
    totalNs += Number(match[1]) * NS_PER_UNIT[match[2]!]!;
    index = DURATION_PART.lastIndex;
    while (body[index] === ' ') index += 1;
  }
  if (index === 0) throw badValue('duration', value, `expected ${DURATION_HINT}`);
  const ms = Math.round(totalNs) / 1e6;
  if (!Number.isFinite(ms) || ms > MAX_MS) throw badValue('duration', value, 'the duration is too large');
  return ms;
}

const FORMAT_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/**
 * Formats milliseconds as the shortest exact duration string, e.g. `1h30m`, `500ms`, `30d`, `0s`; the
 * result reads back with {@link parseDuration}.
 * @throws `D7Y_ERR_INVALID_ARGUMENT` for negative or non-finite input.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw badValue('duration', ms, 'expected a finite, non-negative number of milliseconds');
  if (ms === 0) return '0s';
  let rest = Math.floor(ms);
  let out = '';
  for (const [unit, size] of FORMAT_UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  const subMsNs = Math.round((ms - Math.floor(ms)) * 1e6);
  if (subMsNs > 0) out += subMsNs % 1000 === 0 ? `${subMsNs / 1000}us` : `${subMsNs}ns`;
  return out;
}

const BYTES_PER_UNIT: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  p: 1e15,
  pb: 1e15,
  ki: 2 ** 10,
  kib: 2 ** 10,
  mi: 2 ** 20,
  mib: 2 ** 20,
  gi: 2 ** 30,
  gib: 2 ** 30,
  ti: 2 ** 40,
  tib: 2 ** 40,
  pi: 2 ** 50,
  pib: 2 ** 50,
};

const SIZE_PATTERN = /^(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)$/;
const SIZE_HINT = 'a size like 131072, 4MiB, 10GiB or 50GB';

/**
 * Parses a size into bytes. Numbers are bytes; strings may carry a decimal (`KB`, `MB`, `GB`, `TB`, `PB`) or
 * binary (`KiB`, `MiB`, `GiB`, `TiB`, `PiB`) unit, in any case. Fractions are rounded to whole bytes.
 * Bandwidth limits use the same form (`50GB` means 50 GB per second).
 * @throws `D7Y_ERR_INVALID_ARGUMENT` naming the value, for malformed, negative or too large sizes.
 */
export function parseSize(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw badValue('size', value, 'sizes must be finite and not negative');
    if (!Number.isSafeInteger(value)) throw badValue('size', value, 'expected a whole number of bytes');
    return value;
  }
  if (typeof value !== 'string') throw badValue('size', value, `expected ${SIZE_HINT}`);
  const text = value.trim().toLowerCase();
  if (text.startsWith('-')) throw badValue('size', value, 'sizes must not be negative');
  const match = SIZE_PATTERN.exec(text);
  const factor = match ? BYTES_PER_UNIT[match[2]!] : undefined;
  if (!match || factor === undefined) throw badValue('size', value, `expected ${SIZE_HINT}`);
  const bytes = Math.round(Number(match[1]) * factor);
  if (!Number.isSafeInteger(bytes)) throw badValue('size', value, 'the size is too large');
  return bytes;
}

/** Units from largest to smallest, so the first exact divisor gives the shortest form. */
const FORMAT_SIZES: ReadonlyArray<readonly [string, number]> = [
  ['PiB', 2 ** 50],
  ['PB', 1e15],
  ['TiB', 2 ** 40],
  ['TB', 1e12],
  ['GiB', 2 ** 30],
  ['GB', 1e9],
  ['MiB', 2 ** 20],
  ['MB', 1e6],
  ['KiB', 2 ** 10],
  ['KB', 1e3],
];

/**
 * Formats bytes with the largest unit that divides them exactly: `4MiB`, `50GB`, `1KB`; otherwise plain
 * bytes (`131073B`). The result reads back with {@link parseSize}.
 * @throws `D7Y_ERR_INVALID_ARGUMENT` for negative or non-integer input.
 */
export function formatSize(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw badValue('size', bytes, 'expected a whole, non-negative number of bytes');
  if (bytes === 0) return '0B';
  for (const [unit, size] of FORMAT_SIZES) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}
