import { createError, ErrorCodes } from '../plugin-api/errors.js';

export const MIN_PIECE_LENGTH = 4 * 1024 * 1024;
export const MAX_PIECE_LENGTH = 64 * 1024 * 1024;
/** Pieces per task the optimised piece length aims for. */
export const TARGET_PIECE_COUNT = 500;

/**
 * The piece length for a task (spec 5.2). A user-fixed length is used as is (and must lie within
 * [4 MiB, 64 MiB]); otherwise `nextPowerOfTwo(floor(contentLength / 500))` clamped to [4 MiB, 64 MiB].
 */
export function pieceLength(contentLength: number, fixed?: number): number {
  if (fixed !== undefined) {
    if (!Number.isInteger(fixed) || fixed < MIN_PIECE_LENGTH || fixed > MAX_PIECE_LENGTH) {
      throw createError(
        ErrorCodes.INVALID_ARGUMENT,
        `piece length must be an integer between ${MIN_PIECE_LENGTH} (4MiB) and ${MAX_PIECE_LENGTH} (64MiB), got ${fixed}`,
      );
    }
    return fixed;
  }
  const candidate = nextPowerOfTwo(Math.floor(Math.max(0, contentLength) / TARGET_PIECE_COUNT));
  if (candidate >= MAX_PIECE_LENGTH) return MAX_PIECE_LENGTH;
  if (candidate > MIN_PIECE_LENGTH) return candidate;
  return MIN_PIECE_LENGTH;
}

/** Number of pieces: `ceil(contentLength / pieceLength)`; 0 for empty content. */
export function pieceCount(contentLength: number, length: number): number {
  if (contentLength <= 0) return 0;
  return Math.ceil(contentLength / length);
}

/** Offset and length of piece `number`. */
export interface PieceSpan {
  number: number;
  offset: number;
  length: number;
}

/** The span of piece `number`; throws `D7Y_ERR_INVALID_ARGUMENT` when the number is out of range. */
export function pieceSpan(number: number, contentLength: number, length: number): PieceSpan {
  const count = pieceCount(contentLength, length);
  if (!Number.isInteger(number) || number < 0 || number >= count) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `piece number ${number} is out of range [0, ${count})`);
  }
  const offset = number * length;
  return { number, offset, length: Math.min(length, contentLength - offset) };
}

/** Every piece of a task, in order. */
export function allPieces(contentLength: number, length: number): PieceSpan[] {
  const count = pieceCount(contentLength, length);
  const spans: PieceSpan[] = [];
  for (let n = 0; n < count; n++) spans.push(pieceSpan(n, contentLength, length));
  return spans;
}

/** Pieces overlapping the byte range `[start, start + rangeLength)`. */
export function piecesForRange(start: number, rangeLength: number, contentLength: number, length: number): PieceSpan[] {
  if (rangeLength <= 0 || start >= contentLength) return [];
  const end = Math.min(contentLength, start + rangeLength) - 1;
  const first = Math.floor(start / length);
  const last = Math.floor(end / length);
  const spans: PieceSpan[] = [];
  for (let n = first; n <= last; n++) spans.push(pieceSpan(n, contentLength, length));
  return spans;
}

function nextPowerOfTwo(value: number): number {
  if (value <= 1) return 1;
  return 2 ** Math.ceil(Math.log2(value));
}
