/**
 * Download records: what the scheduler knew when it chose parents, and how the pieces fetched from them
 * went. Exported as NDJSON (`d7y records export`), one JSON object per line: a header, then decisions and
 * pieces, oldest first. `d7y train` learns from the pieces; `d7y evaluate` replays the decisions.
 */
import type { EvaluatorPeer } from '../../plugin-api/scheduling/Evaluator.js';

/** Value of `format` in the header line. */
export const RECORDS_FORMAT = 'd7y-download-records';
/** Version of the line formats below. */
export const RECORDS_VERSION = 1;
/** Piece costs kept per peer view in a decision record (the newest ones). */
export const RECORDED_PIECE_COSTS = 20;

/** First line of an export: names the feature order of every `piece.features`. */
export interface RecordsHeader {
  readonly type: 'header';
  readonly format: typeof RECORDS_FORMAT;
  readonly version: number;
  readonly featuresVersion: number;
  readonly features: readonly string[];
  readonly exportedAt: string;
  /** Records overwritten by newer ones since the scheduler started (the store is bounded). */
  readonly dropped: { readonly decisions: number; readonly pieces: number };
}

/** One scheduling decision: every filtered candidate, in the evaluator's order, and the parents given. */
export interface DecisionRecord {
  readonly type: 'decision';
  readonly id: number;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly taskId: string;
  readonly totalPieceCount: number;
  readonly child: EvaluatorPeer;
  readonly candidates: readonly EvaluatorPeer[];
  /** Ids of the parents the child was given (connected in the DAG), best first. */
  readonly chosen: readonly string[];
}

/** One piece a child fetched (or failed to fetch) from a parent the scheduler had given it. */
export interface PieceRecord {
  readonly type: 'piece';
  /** The decision that gave this parent to this child. */
  readonly decisionId: number;
  readonly at: number;
  readonly taskId: string;
  readonly childId: string;
  readonly parentId: string;
  /** `parentFeatures(parent, child, total)` when the parent was chosen (order: header `features`). */
  readonly features: readonly number[];
  readonly bytes: number;
  /** Milliseconds the child took; 0 for failures. */
  readonly costMs: number;
  readonly success: boolean;
}

/** Any line of an export. */
export type RecordLine = RecordsHeader | DecisionRecord | PieceRecord;
