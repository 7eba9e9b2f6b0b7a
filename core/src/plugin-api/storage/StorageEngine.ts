import type { Readable } from 'node:stream';

/** Metadata of one task as stored locally. Times are epoch milliseconds. */
export interface TaskRecord {
  /** 64-char lower-case hex task id. */
  readonly id: string;
  /** The URL the task was created for (with filtered query params removed); informational. */
  readonly url: string;
  readonly pieceLength: number;
  /** Size in bytes; -1 while unknown. */
  readonly contentLength: number;
  /** Number of pieces; 0 while unknown. */
  readonly pieceCount: number;
  /** Selected origin response headers, lower-case names. */
  readonly responseHeader: Readonly<Record<string, string>>;
  /** Whole-content digest `algo:hex`, when known and verified. */
  readonly digest?: string;
  /** Number of pieces durably stored. */
  readonly finishedPieceCount: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Set when every piece is stored and the task was committed as complete. */
  readonly finishedAt?: number;
  /** Set when the task was marked failed. */
  readonly failedAt?: number;
}

/** What the caller supplies to create or update a task. */
export interface TaskInit {
  id: string;
  url: string;
  pieceLength: number;
  contentLength: number;
  pieceCount: number;
  responseHeader?: Record<string, string>;
}

/** Metadata of one stored piece. */
export interface PieceRecord {
  readonly number: number;
  readonly offset: number;
  readonly length: number;
  /** Digest of the piece bytes as written, `algo:value` (for example `sha256:<hex>` or `crc32:<decimal>`). */
  readonly digest: string;
  /** Peer the piece came from; absent for back-to-source pieces. */
  readonly parentId?: string;
  /** Milliseconds the download of this piece took, as reported by the writer. */
  readonly costMs: number;
  readonly createdAt: number;
}

/** A piece to write. */
export interface PieceWrite {
  number: number;
  offset: number;
  length: number;
  /**
   * Trusted digest the bytes must match (`algo:value`). When given, a mismatch fails the write and nothing is
   * recorded. When absent, the engine computes `sha256` and records it.
   */
  expectedDigest?: string;
  parentId?: string;
  costMs?: number;
}

/** Disk use of one task, for garbage collection. */
export interface TaskUsage {
  readonly id: string;
  /** Bytes the task occupies on disk (allocated bytes of its content). */
  readonly bytes: number;
  readonly updatedAt: number;
  readonly finished: boolean;
  readonly failed: boolean;
}

/**
 * Local piece storage (the `storage` plugin kind): task and piece metadata plus piece content.
 *
 * Durability contract: a piece is recorded as stored only after its bytes are written and synced, so after a
 * crash every recorded piece reads back with its recorded digest. Reads never return bytes of pieces that are
 * not recorded.
 */
export interface StorageEngine {
  /** Opens the store: recovers metadata kept from a previous run, or clears it when the role does not keep it. */
  open(): Promise<void>;
  /** Flushes and closes. */
  close(): Promise<void>;
  /** Creates a task or updates its size fields. Idempotent for equal input; refuses to change a known piece length. */
  putTask(init: TaskInit): Promise<TaskRecord>;
  /** The task's record, or undefined. */
  getTask(taskId: string): Promise<TaskRecord | undefined>;
  /** Every task's record. */
  listTasks(): Promise<TaskRecord[]>;
  /**
   * Writes one piece at its offset from `data` (exactly `piece.length` bytes), digests it while writing,
   * checks `expectedDigest`, syncs the data, then records the piece. Concurrent writes of different pieces of
   * one task are allowed; a second write of a stored piece is a no-op returning the stored record.
   */
  writePiece(taskId: string, piece: PieceWrite, data: Readable | Uint8Array): Promise<PieceRecord>;
  /** The record of a stored piece, or undefined. */
  getPiece(taskId: string, pieceNumber: number): Promise<PieceRecord | undefined>;
  /** Records of all stored pieces of the task, ordered by number. */
  listPieces(taskId: string): Promise<PieceRecord[]>;
  /** Streams a stored piece; fails with `D7Y_ERR_NOT_FOUND` if it is not stored. */
  readPiece(taskId: string, pieceNumber: number): Promise<Readable>;
  /** Streams `length` bytes from `start`; fails with `D7Y_ERR_NOT_FOUND` unless every covering piece is stored. */
  readRange(taskId: string, start: number, length: number): Promise<Readable>;
  /** Marks the task complete (all pieces stored); records the verified whole-content digest if given. */
  finishTask(taskId: string, digest?: string): Promise<TaskRecord>;
  /** Marks the task failed; its stored pieces stay readable until deleted. */
  failTask(taskId: string): Promise<void>;
  /** Refreshes `updatedAt` (a task in use is not garbage). */
  touchTask(taskId: string): Promise<void>;
  /** Deletes the task's content and metadata. Deleting a missing task is not an error. */
  deleteTask(taskId: string): Promise<void>;
  /**
   * Absolute path of a finished task's content file on this host, for hard links and copies to a local output
   * path. Undefined for engines without files. Never sent over the network.
   */
  contentPath(taskId: string): string | undefined;
  /** Disk use per task, for garbage collection. */
  usage(): Promise<TaskUsage[]>;
}
