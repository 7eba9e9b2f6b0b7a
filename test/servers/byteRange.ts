/**
 * `Range: bytes=...` parsing shared by the protocol test servers (single ranges only, as the clients send).
 */

/** A resolved range: inclusive start and end within an object of `total` bytes. */
export interface ResolvedRange {
  start: number;
  end: number;
}

/**
 * Resolves `bytes=a-b`, `bytes=a-` and `bytes=-n` against `total`. Returns `undefined` when there is no
 * (or an unparsable) header, `'unsatisfiable'` when the range starts past the end.
 */
export function resolveRange(header: string | undefined, total: number): ResolvedRange | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Math.min(Number(match[2]), total);
    return suffix === 0 ? 'unsatisfiable' : { start: total - suffix, end: total - 1 };
  }
  const start = Number(match[1]);
  if (start >= total) return 'unsatisfiable';
  const end = match[2] === '' ? total - 1 : Math.min(Number(match[2]), total - 1);
  return end < start ? undefined : { start, end };
}
