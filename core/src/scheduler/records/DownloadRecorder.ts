import type { EvaluatorPeer } from '../../plugin-api/scheduling/Evaluator.js';
import { PARENT_FEATURE_NAMES, PARENT_FEATURES_VERSION, parentFeatures } from '../../plugin-api/scheduling/features.js';
import { Ring } from './Ring.js';
import { RECORDED_PIECE_COSTS, RECORDS_FORMAT, RECORDS_VERSION, type DecisionRecord, type PieceRecord, type RecordLine, type RecordsHeader } from './types.js';

/** Bounds of the store (`scheduler.records.*`). */
export interface DownloadRecorderOptions {
  /** Decisions kept; older ones are overwritten. */
  readonly decisionCapacity: number;
  /** Piece records kept; older ones are overwritten. */
  readonly pieceCapacity: number;
  readonly now?: () => number;
}

/** What a child was given a parent with: the decision and the features at that moment. */
interface Assignment {
  readonly decisionId: number;
  readonly features: readonly number[];
}

/** Parents remembered per child; a child rescheduled more often forgets its oldest assignments. */
export const MAX_ASSIGNMENTS_PER_CHILD = 64;

/** A view with only the newest `RECORDED_PIECE_COSTS` piece costs, so a decision record stays small. */
function trimmed(view: EvaluatorPeer): EvaluatorPeer {
  return view.pieceCosts.length <= RECORDED_PIECE_COSTS ? view : { ...view, pieceCosts: view.pieceCosts.slice(-RECORDED_PIECE_COSTS) };
}

/**
 * The scheduler's bounded rolling store of download records (see `types.ts`). `decided` is called for every
 * scheduling decision, `pieceFinished`/`pieceFailed` for every piece a child reports with a parent; a piece
 * from a parent this recorder never saw assigned (another scheduler's, or before records were enabled) is
 * not recorded. Assignments are held in a `WeakMap` keyed by the child object, so they go with the peer.
 */
export class DownloadRecorder {
  readonly decisions: Ring<DecisionRecord>;
  readonly pieces: Ring<PieceRecord>;
  readonly #assignments = new WeakMap<object, Map<string, Assignment>>();
  readonly #now: () => number;
  #nextId = 1;

  constructor(options: DownloadRecorderOptions) {
    this.decisions = new Ring(options.decisionCapacity);
    this.pieces = new Ring(options.pieceCapacity);
    this.#now = options.now ?? Date.now;
  }

  /**
   * Records one decision: `candidates` in the evaluator's order, `chosen` the ids given to the child.
   * `childKey` identifies the child for later piece reports (the scheduler's peer object).
   */
  decided(childKey: object, taskId: string, child: EvaluatorPeer, candidates: readonly EvaluatorPeer[], chosen: readonly string[], totalPieceCount: number): void {
    const id = this.#nextId++;
    this.decisions.push({
      type: 'decision',
      id,
      at: this.#now(),
      taskId,
      totalPieceCount,
      child: trimmed(child),
      candidates: candidates.map(trimmed),
      chosen: [...chosen],
    });
    let assigned = this.#assignments.get(childKey);
    if (!assigned) this.#assignments.set(childKey, (assigned = new Map()));
    for (const parentId of chosen) {
      const parent = candidates.find((c) => c.id === parentId);
      if (!parent) continue;
      assigned.delete(parentId);
      assigned.set(parentId, { decisionId: id, features: parentFeatures(parent, child, totalPieceCount) });
      if (assigned.size > MAX_ASSIGNMENTS_PER_CHILD) assigned.delete(assigned.keys().next().value as string);
    }
  }

  /** Records a piece `childId` fetched from `parentId`: `bytes` in `costMs`. */
  pieceFinished(childKey: object, taskId: string, childId: string, parentId: string, bytes: number, costMs: number): void {
    this.#piece(childKey, taskId, childId, parentId, bytes, costMs, true);
  }

  /** Records a piece `childId` failed to fetch from `parentId`. */
  pieceFailed(childKey: object, taskId: string, childId: string, parentId: string): void {
    this.#piece(childKey, taskId, childId, parentId, 0, 0, false);
  }

  /** The export: a header line, then decisions and pieces, each oldest first. */
  *lines(): IterableIterator<RecordLine> {
    const header: RecordsHeader = {
      type: 'header',
      format: RECORDS_FORMAT,
      version: RECORDS_VERSION,
      featuresVersion: PARENT_FEATURES_VERSION,
      features: PARENT_FEATURE_NAMES,
      exportedAt: new Date(this.#now()).toISOString(),
      dropped: { decisions: this.decisions.dropped, pieces: this.pieces.dropped },
    };
    yield header;
    yield* this.decisions;
    yield* this.pieces;
  }

  /** `lines()` as NDJSON text. */
  toNdjson(): string {
    let out = '';
    for (const line of this.lines()) out += `${JSON.stringify(line)}\n`;
    return out;
  }

  #piece(childKey: object, taskId: string, childId: string, parentId: string, bytes: number, costMs: number, success: boolean): void {
    const assignment = this.#assignments.get(childKey)?.get(parentId);
    if (!assignment) return;
    this.pieces.push({ type: 'piece', decisionId: assignment.decisionId, at: this.#now(), taskId, childId, parentId, features: assignment.features, bytes, costMs, success });
  }
}
