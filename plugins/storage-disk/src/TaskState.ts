/** The in-memory state of one stored task: its persisted fields, stored pieces and open journal. */
import type { PieceRecord, TaskRecord } from '@d7y/core/plugin-api';

import type { PieceJournal } from './PieceJournal.js';
import type { StoredTask } from './TaskMetadataStore.js';

/** One task as the engine holds it between calls. */
export class TaskState {
  /** The persisted task fields (replaced as a whole on every change). */
  stored: StoredTask;
  /** Durably stored pieces by number. */
  readonly pieces = new Map<number, PieceRecord>();
  /** Writes in progress by piece number, so a second writer of the same piece waits instead of racing. */
  readonly writing = new Map<number, Promise<PieceRecord>>();
  /** Set once `deleteTask` has taken the task away; in-flight writes then fail instead of recording. */
  deleted = false;
  #lastPieceAt = 0;

  constructor(
    stored: StoredTask,
    readonly journal: PieceJournal,
    pieces: Iterable<PieceRecord> = [],
  ) {
    this.stored = stored;
    for (const piece of pieces) this.addPiece(piece);
  }

  /** Records a durably stored piece. */
  addPiece(piece: PieceRecord): void {
    this.pieces.set(piece.number, piece);
    if (piece.createdAt > this.#lastPieceAt) this.#lastPieceAt = piece.createdAt;
  }

  /** Last activity: the task file's `updatedAt` or the newest piece, whichever is later. */
  get updatedAt(): number {
    return Math.max(this.stored.updatedAt, this.#lastPieceAt);
  }

  /** A frozen snapshot for callers. */
  toRecord(): TaskRecord {
    return Object.freeze({
      ...this.stored,
      responseHeader: Object.freeze({ ...this.stored.responseHeader }),
      finishedPieceCount: this.pieces.size,
      updatedAt: this.updatedAt,
    });
  }

  /** Stored pieces ordered by number. */
  sortedPieces(): PieceRecord[] {
    return [...this.pieces.values()].sort((a, b) => a.number - b.number);
  }
}
