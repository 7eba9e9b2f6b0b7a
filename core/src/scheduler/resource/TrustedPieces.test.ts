import { describe, expect, it } from 'vitest';

import { TrustedPieces } from './TrustedPieces.js';

const piece = (number: number, digest: string, over: Partial<{ offset: number; length: number }> = {}) => ({
  number,
  offset: over.offset ?? number * 4,
  length: over.length ?? 4,
  digest,
  reporterId: 'seed',
});

describe('TrustedPieces', () => {
  it('first report wins; a conflicting later report is refused', () => {
    const trusted = new TrustedPieces();
    expect(trusted.record(piece(0, 'crc32:1'))).toBe('recorded');
    expect(trusted.record(piece(0, 'crc32:1'))).toBe('duplicate');
    expect(trusted.record({ ...piece(0, 'crc32:2'), reporterId: 'liar' })).toBe('conflict');
    expect(trusted.record(piece(0, 'crc32:1', { length: 3 }))).toBe('conflict');
    expect(trusted.get(0)).toMatchObject({ digest: 'crc32:1', reporterId: 'seed' });
  });

  it.each([
    { report: piece(1, 'crc32:7'), result: 'match' },
    { report: piece(1, 'CRC32:7'), result: 'match' },
    { report: piece(1, 'crc32:8'), result: 'mismatch' },
    { report: piece(1, 'crc32:7', { offset: 0 }), result: 'mismatch' },
    { report: piece(1, 'not-a-digest'), result: 'mismatch' },
    { report: piece(2, 'crc32:9'), result: 'unknown' },
  ])('check $report.digest @ $report.offset -> $result', ({ report, result }) => {
    const trusted = new TrustedPieces();
    trusted.record(piece(1, 'crc32:7'));
    expect(trusted.check(report)).toBe(result);
  });

  it('lists pieces by number', () => {
    const trusted = new TrustedPieces();
    for (const n of [3, 1, 2]) trusted.record(piece(n, `crc32:${n}`));
    expect(trusted.list().map((p) => p.number)).toEqual([1, 2, 3]);
  });
});
