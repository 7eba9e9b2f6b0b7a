/**
 * Byte ranges: the `Range` header we send, parsing of the `Content-Range` the origin answers, and the check
 * that the answer covers exactly the bytes asked for.
 */
import { assertByteRange, createError, ErrorCodes, type ByteRange } from '@d7y/core/plugin-api';

import { protocolError, type Attempt, type RawHeaders } from './errors.js';

/** The plugin API's range check, under the name this plugin's modules use. */
export const assertRange = assertByteRange;

/** The `Range` header value for `range`: `bytes=start-end`, end inclusive. */
export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.start}-${range.start + range.length - 1}`;
}

/** A parsed `Content-Range`: satisfied (`bytes a-b/N` or `bytes a-b/*`) or unsatisfied (`bytes *\/N`). */
export type ContentRange =
  | { kind: 'range'; start: number; end: number; /** -1 for `*` */ total: number }
  | { kind: 'unsatisfied'; total: number };

const SATISFIED = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i;
const UNSATISFIED = /^bytes\s+\*\/(\d+)$/i;

/** Parses a `Content-Range` header; undefined when absent or malformed (including end < start or end >= total). */
export function parseContentRange(value: string | undefined): ContentRange | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const unsatisfied = UNSATISFIED.exec(text);
  if (unsatisfied) {
    const total = Number(unsatisfied[1]);
    return Number.isSafeInteger(total) ? { kind: 'unsatisfied', total } : undefined;
  }
  const match = SATISFIED.exec(text);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  const total = match[3] === '*' ? -1 : Number(match[3]);
  if (![start, end, total].every(Number.isSafeInteger) || end < start || (total >= 0 && end >= total)) return undefined;
  return { kind: 'range', start, end, total };
}

/** A non-negative integer `Content-Length`, or -1 when absent or malformed. */
export function parseContentLength(value: string | string[] | undefined): number {
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim())) return -1;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) ? n : -1;
}

/**
 * Checks that an answer to `Range: bytes=start-end` carries exactly those bytes and throws
 * `D7Y_ERR_SOURCE_ERROR` otherwise. Accepted: a 206 whose `Content-Range` names the same start and end (and
 * whose `Content-Length`, if any, equals the range length); or a 200 for a range starting at 0 whose
 * `Content-Length` equals the range length (the origin ignored the range, but the whole object is the range).
 */
export function checkRangeAnswer(attempt: Attempt, range: ByteRange, statusCode: number, headers: RawHeaders): void {
  const first = { statusCode, headers };
  const contentLength = parseContentLength(headers['content-length']);
  const end = range.start + range.length - 1;
  if (statusCode === 200) {
    if (range.start === 0 && contentLength === range.length) return;
    throw protocolError(attempt, `origin ignored range bytes=${range.start}-${end} (answered 200 with content-length ${contentLength})`, first);
  }
  if (statusCode !== 206) throw protocolError(attempt, `origin answered ${statusCode} to a range request`, first);
  const header = headers['content-range'];
  const parsed = parseContentRange(typeof header === 'string' ? header : undefined);
  if (parsed?.kind !== 'range' || parsed.start !== range.start || parsed.end !== end) {
    throw protocolError(attempt, `origin mismatched range: asked bytes=${range.start}-${end}, got Content-Range ${JSON.stringify(header ?? null)}`, first);
  }
  if (contentLength >= 0 && contentLength !== range.length) {
    throw protocolError(attempt, `origin mismatched range: Content-Length ${contentLength} for a ${range.length}-byte range`, first);
  }
}
