import { describe, expect, it } from 'vitest';

import { allPieces, MAX_PIECE_LENGTH, MIN_PIECE_LENGTH, pieceCount, pieceLength, piecesForRange, pieceSpan } from './pieces.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('pieceLength', () => {
  it.each([
    [0, 4 * MiB],
    [1, 4 * MiB],
    // nextPowerOfTwo(floor(len / 500)): up to ~1 GiB stays at the 4 MiB floor.
    [1 * GiB, 4 * MiB],
    [2 * GiB, 8 * MiB],
    [4 * GiB, 16 * MiB],
    [8 * GiB, 32 * MiB],
    [16 * GiB, 64 * MiB],
    [1024 * GiB, 64 * MiB],
  ])('content length %d -> %d', (contentLength, expected) => {
    expect(pieceLength(contentLength)).toBe(expected);
  });

  it('uses a fixed length within bounds and rejects others', () => {
    expect(pieceLength(10, 8 * MiB)).toBe(8 * MiB);
    expect(() => pieceLength(10, MIN_PIECE_LENGTH - 1)).toThrow(/between/);
    expect(() => pieceLength(10, MAX_PIECE_LENGTH + 1)).toThrow(/between/);
  });
});

describe('piece spans', () => {
  it('counts pieces with a short last piece', () => {
    expect(pieceCount(0, 4 * MiB)).toBe(0);
    expect(pieceCount(4 * MiB, 4 * MiB)).toBe(1);
    expect(pieceCount(4 * MiB + 1, 4 * MiB)).toBe(2);
    const spans = allPieces(10 * MiB, 4 * MiB);
    expect(spans.map((s) => s.length)).toEqual([4 * MiB, 4 * MiB, 2 * MiB]);
    expect(spans[2]!.offset).toBe(8 * MiB);
  });

  it('rejects piece numbers outside the piece count', () => {
    expect(() => pieceSpan(3, 10 * MiB, 4 * MiB)).toThrow(/out of range/);
    expect(() => pieceSpan(-1, 10 * MiB, 4 * MiB)).toThrow(/out of range/);
    expect(() => pieceSpan(0.5, 10 * MiB, 4 * MiB)).toThrow(/out of range/);
  });

  it('finds the pieces overlapping a range', () => {
    expect(piecesForRange(0, 1, 10 * MiB, 4 * MiB).map((s) => s.number)).toEqual([0]);
    expect(piecesForRange(4 * MiB - 1, 2, 10 * MiB, 4 * MiB).map((s) => s.number)).toEqual([0, 1]);
    expect(piecesForRange(9 * MiB, 100 * MiB, 10 * MiB, 4 * MiB).map((s) => s.number)).toEqual([2]);
    expect(piecesForRange(10 * MiB, 1, 10 * MiB, 4 * MiB)).toEqual([]);
  });
});
