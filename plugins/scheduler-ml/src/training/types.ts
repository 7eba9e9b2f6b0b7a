/**
 * The download records the trainer reads, typed structurally (the scheduler's export format, see
 * `core/src/scheduler/records/types.ts`): the plugin depends only on the plugin API.
 */
import type { EvaluatorPeer } from '@d7y/core/plugin-api';

/** One recorded scheduling decision. */
export interface RecordedDecision {
  readonly id: number;
  readonly totalPieceCount: number;
  readonly child: EvaluatorPeer;
  readonly candidates: readonly EvaluatorPeer[];
  readonly chosen: readonly string[];
}

/** One recorded piece: the parent's features when chosen and the outcome. */
export interface RecordedPiece {
  readonly decisionId: number;
  readonly parentId: string;
  readonly features: readonly number[];
  readonly bytes: number;
  readonly costMs: number;
  readonly success: boolean;
}

/** A records export, parsed. */
export interface TrainingRecords {
  readonly features: readonly string[];
  readonly featuresVersion: number;
  readonly decisions: readonly RecordedDecision[];
  readonly pieces: readonly RecordedPiece[];
}
