/**
 * Single byte ranges from a `Range` request header (RFC 9110 14.1.2): `bytes=a-b`, `bytes=a-`, `bytes=-n`.
 * Several ranges: the first is served, as Dragonfly does.
 */

/** An inclusive byte range. */
export interface InclusiveRange {
  start: number;
  end: number;
}

/** The outcome of parsing a Range header against a content length. */
export type RangeResult = { kind: 'none' } | { kind: 'range'; range: InclusiveRange } | { kind: 'unsatisfiable' };

const SPEC = /^(\d{0,15})-(\d{0,15})$/;

/**
 * Parses `header` against `total` bytes. No header: `none`. A range that does not fit, a malformed value or a
 * unit other than bytes: `unsatisfiable` (answered with 416 and `Content-Range: bytes * /total`).
 */
export function parseRange(header: string | undefined, total: number): RangeResult {
  if (header === undefined) return { kind: 'none' };
  const text = header.trim();
  if (!/^bytes=/i.test(text)) return { kind: 'unsatisfiable' };
  const first = text.slice(6).split(',')[0]!.trim();
  const match = SPEC.exec(first);
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'unsatisfiable' };
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || total === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', range: { start: Math.max(0, total - suffix), end: total - 1 } };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? total - 1 : Math.min(Number(match[2]), total - 1);
  if (start >= total || (match[2] !== '' && Number(match[2]) < start)) return { kind: 'unsatisfiable' };
  return { kind: 'range', range: { start, end } };
}

/** `Content-Range` value of a served range. */
export const contentRange = (range: InclusiveRange, total: number): string => `bytes ${range.start}-${range.end}/${total}`;
