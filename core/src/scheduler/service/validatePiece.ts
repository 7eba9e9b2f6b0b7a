import type { commonV2 } from '@d7y/proto';

import { formatDigest, parseDigest } from '../../common/digests.js';
import { isD7yError } from '../../common/errors.js';
import { MAX_PIECE_COST_MS, MAX_PIECE_LENGTH, MAX_UNKNOWN_PIECE_NUMBER } from '../constants.js';
import type { Task } from '../resource/Task.js';
import { assertId, boundedInt, boundedText, durationMs, invalid } from './validateCommon.js';

/** A validated piece report. */
export interface ReportedPiece {
  readonly number: number;
  readonly offset: number;
  readonly length: number;
  /** Normalised `algorithm:encoded`. */
  readonly digest: string;
  readonly costMs: number;
  readonly parentId: string | undefined;
}

/**
 * The highest piece number + 1 a report may name for `task`: its piece count once the size is known,
 * otherwise a fixed bound (no allocation ever follows a claimed number).
 */
export function pieceNumberLimit(task: Task): number {
  return task.sizeKnown ? task.pieceCount : MAX_UNKNOWN_PIECE_NUMBER;
}

/** Validates a piece number against `task` (`field` names it in the error). */
export function assertPieceNumber(number: unknown, task: Task, field: string): number {
  const limit = pieceNumberLimit(task);
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0 || number >= limit) {
    invalid(`${field} must be a piece number below ${limit}`, field);
  }
  return number;
}

/**
 * Validates a reported Piece against its task: the number below the piece count, offset and length exactly
 * those of that piece once the task's sizes are known (else offset = number × piece length and length at
 * most one piece), a well-formed digest, and a cost from 0 to one day.
 */
export function validatePiece(piece: commonV2.Piece__Output | null | undefined, task: Task): ReportedPiece {
  if (!piece) invalid('piece is required', 'piece');
  const number = assertPieceNumber(piece.number, task, 'piece.number');
  const offset = boundedInt(piece.offset, 'piece.offset', 0, Number.MAX_SAFE_INTEGER);
  const length = boundedInt(piece.length, 'piece.length', 1, MAX_PIECE_LENGTH);
  if (task.sizeKnown) {
    const expectedOffset = number * task.pieceLength;
    const expectedLength = Math.min(task.pieceLength, task.contentLength - expectedOffset);
    if (offset !== expectedOffset || length !== expectedLength) {
      invalid(`piece ${number} must have offset ${expectedOffset} and length ${expectedLength}`, 'piece');
    }
  } else if (task.pieceLength > 0 && (offset !== number * task.pieceLength || length > task.pieceLength)) {
    invalid(`piece ${number} must start at ${number * task.pieceLength} and be at most ${task.pieceLength} bytes`, 'piece');
  }
  const rawDigest = boundedText(piece.digest, 'piece.digest', 200);
  let digest: string;
  try {
    digest = formatDigest(parseDigest(rawDigest));
  } catch (error) {
    invalid(isD7yError(error) ? `piece.digest: ${error.message}` : 'piece.digest is malformed', 'piece.digest');
  }
  const costMs = durationMs(piece.cost, 'piece.cost', MAX_PIECE_COST_MS);
  const parentId = piece.parentId ? assertId(piece.parentId, 'piece.parent_id') : undefined;
  return { number, offset, length, digest, costMs, parentId };
}
