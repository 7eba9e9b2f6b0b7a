import { describe, expect, it } from 'vitest';

import { contentRange, parseRange } from './httpRange.js';

describe('parseRange', () => {
  it('parses the three single-range forms and clamps the end', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ kind: 'range', range: { start: 0, end: 9 } });
    expect(parseRange('bytes=90-', 100)).toEqual({ kind: 'range', range: { start: 90, end: 99 } });
    expect(parseRange('bytes=-10', 100)).toEqual({ kind: 'range', range: { start: 90, end: 99 } });
    expect(parseRange('bytes=-500', 100)).toEqual({ kind: 'range', range: { start: 0, end: 99 } });
    expect(parseRange('bytes=50-5000', 100)).toEqual({ kind: 'range', range: { start: 50, end: 99 } });
    expect(parseRange('Bytes=1-1, 5-6', 100)).toEqual({ kind: 'range', range: { start: 1, end: 1 } });
    expect(parseRange(undefined, 100)).toEqual({ kind: 'none' });
  });

  it('calls everything else unsatisfiable', () => {
    for (const header of ['bytes=100-', 'bytes=5-4', 'bytes=-0', 'bytes=-', 'bytes=a-b', 'items=0-1', 'bytes=0-1x', 'bytes=1234567890123456-']) {
      expect(parseRange(header, 100), header).toEqual({ kind: 'unsatisfiable' });
    }
    expect(parseRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('formats Content-Range', () => {
    expect(contentRange({ start: 0, end: 9 }, 100)).toBe('bytes 0-9/100');
  });
});
