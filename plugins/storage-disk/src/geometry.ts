/**
 * Piece geometry: which pieces a task has and where they lie. Piece `n` starts at `n × pieceLength`; every piece
 * is `pieceLength` long except the last, which holds the remainder. While the content length is unknown (-1),
 * any piece of at most `pieceLength` bytes at its proper offset is accepted.
 */
import { createError, ErrorCodes, type PieceWrite } from '@d7y/core/plugin-api';

/** The task fields geometry depends on. */
export interface TaskShape {
  readonly pieceLength: number;
  /** -1 while unknown. */
  readonly contentLength: number;
  readonly pieceCount: number;
}

/** Number of pieces of a content of `contentLength` bytes (0 for empty or unknown content). */
export function expectedPieceCount(contentLength: number, pieceLength: number): number {
  return contentLength <= 0 ? 0 : Math.ceil(contentLength / pieceLength);
}

/** A reason the piece does not belong to the task, or undefined when it does. */
export function pieceMisfit(task: TaskShape, piece: { number: number; offset: number; length: number }): string | undefined {
  const { number, offset, length } = piece;
  if (!Number.isSafeInteger(number) || number < 0) return `piece number ${String(number)} is not a non-negative integer`;
  if (!Number.isSafeInteger(offset) || offset < 0) return `piece ${number}: offset ${String(offset)} is not a non-negative integer`;
  if (!Number.isSafeInteger(length) || length <= 0) return `piece ${number}: length ${String(length)} is not a positive integer`;
  const start = number * task.pieceLength;
  if (!Number.isSafeInteger(start + task.pieceLength)) return `piece number ${number} is out of range`;
  if (task.contentLength >= 0) {
    if (number >= task.pieceCount) return `piece number ${number} is out of range: the task has ${task.pieceCount} pieces`;
    const expected = Math.min(task.pieceLength, task.contentLength - start);
    if (offset !== start || length !== expected) {
      return `piece ${number} must be at offset ${start} with length ${expected}, got offset ${offset} length ${length}`;
    }
    return undefined;
  }
  if (offset !== start) return `piece ${number} must be at offset ${start}, got ${offset}`;
  if (length > task.pieceLength) return `piece ${number}: length ${length} exceeds the piece length ${task.pieceLength}`;
  return undefined;
}

/** Throws `D7Y_ERR_INVALID_ARGUMENT` unless the piece belongs to the task. */
export function assertPieceFits(task: TaskShape, piece: Pick<PieceWrite, 'number' | 'offset' | 'length'>): void {
  const misfit = pieceMisfit(task, piece);
  if (misfit !== undefined) throw createError(ErrorCodes.INVALID_ARGUMENT, misfit, { details: { number: piece.number } });
}

/** The numbers of the first and last pieces covering `[start, start + length)`; `length` must be positive. */
export function coveringPieces(pieceLength: number, start: number, length: number): { first: number; last: number } {
  return { first: Math.floor(start / pieceLength), last: Math.floor((start + length - 1) / pieceLength) };
}
