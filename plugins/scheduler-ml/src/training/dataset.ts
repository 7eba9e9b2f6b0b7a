import type { RecordedPiece } from './types.js';

/** What the model predicts: `log1p(bytes per millisecond)` of a piece; a failed piece scores 0 (the worst). */
export const TARGET_DESCRIPTION = 'log1p(piece bytes per millisecond); failed pieces 0';

/** The training target of one piece (see `TARGET_DESCRIPTION`). */
export function pieceTarget(piece: Pick<RecordedPiece, 'bytes' | 'costMs' | 'success'>): number {
  return piece.success && piece.bytes > 0 ? Math.log1p(piece.bytes / Math.max(piece.costMs, 1)) : 0;
}

/** Rows and targets. */
export interface Dataset {
  readonly x: readonly (readonly number[])[];
  readonly y: readonly number[];
}

/** The pieces as a dataset. */
export function datasetOf(pieces: readonly RecordedPiece[]): Dataset {
  return { x: pieces.map((p) => p.features), y: pieces.map(pieceTarget) };
}

/**
 * Splits pieces into training and held-out sets by decision, so that the pieces of one decision (which share
 * their features) never sit on both sides: a decision is held out when `hash(decisionId) < holdout`.
 */
export function splitByDecision<T extends { decisionId: number }>(pieces: readonly T[], holdout: number): { train: T[]; test: T[] } {
  const held = (id: number) => ((Math.imul(id ^ 0x9e3779b9, 0x85ebca6b) >>> 0) / 4294967296) < holdout;
  const train: T[] = [];
  const test: T[] = [];
  for (const piece of pieces) (held(piece.decisionId) ? test : train).push(piece);
  return { train, test };
}

/** Root mean squared error of `predicted` against `actual`; NaN when empty. */
export function rmse(predicted: readonly number[], actual: readonly number[]): number {
  if (actual.length === 0) return NaN;
  return Math.sqrt(actual.reduce((sum, y, i) => sum + (predicted[i] - y) ** 2, 0) / actual.length);
}
