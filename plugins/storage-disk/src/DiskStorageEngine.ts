/**
 * The disk `StorageEngine`: one sparse content file per task, a JSON task file and an append-only piece journal
 * per task (see `paths.ts`, `TaskMetadataStore.ts`, `PieceJournal.ts`, `recovery.ts`).
 *
 * Why files and not an embedded database: the store needs atomic replacement of a few small task records and
 * a durable, ordered log of piece records per task. A rename-replaced JSON file and a checksummed append-only
 * journal give exactly that with no native dependency, survive kill -9 and power loss (every commit point is
 * fsynced), keep per-piece work O(1) (one small append), and are readable with `cat` when debugging.
 *
 * Commit order of a piece (see `commitPiece.ts`): bytes → content file at the piece offset (digested on the
 * way) → digest check → fdatasync(content) → journal record → fdatasync(journal) → visible to readers. A record
 * therefore exists only for bytes that are on disk and matched their digest, so recovery trusts recorded
 * pieces as they are.
 */
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';

import {
  createError,
  ErrorCodes,
  type Logger,
  type PieceRecord,
  type PieceWrite,
  type StorageEngine,
  type TaskInit,
  type TaskRecord,
  type TaskUsage,
} from '@d7y/core/plugin-api';

import { fsyncDir } from './atomicFile.js';
import { resolveDiskStorageConfig, type DiskStorageConfig, type DiskStorageConfigInput } from './config.js';
import { assertSameDigest, checkPieceExtras, commitPiece, taskGone } from './commitPiece.js';
import { formatDigest, parseDigest } from './digest.js';
import { errnoCode, toStorageError } from './fsErrors.js';
import { assertPieceFits, coveringPieces } from './geometry.js';
import { KeyedMutex } from './KeyedMutex.js';
import { PieceJournal } from './PieceJournal.js';
import { assertTaskId, StoragePaths } from './paths.js';
import { recoverStore, wipeStore } from './recovery.js';
import { assertSizeChangeAllowed, validateTaskInit, type ValidTaskInit } from './taskInit.js';
import { TaskMetadataStore, type StoredTask } from './TaskMetadataStore.js';
import { TaskState } from './TaskState.js';

/** Options of `DiskStorageEngine`: the plugin config plus an optional logger. */
export type DiskStorageEngineOptions = DiskStorageConfigInput & { logger?: Logger };

const SILENT: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => SILENT,
};

/** Piece storage on the local disk; see the file comment for the on-disk format and commit order. */
export class DiskStorageEngine implements StorageEngine {
  /** The validated config. */
  readonly config: DiskStorageConfig;
  /** Where every file lives. */
  readonly paths: StoragePaths;
  readonly #store: TaskMetadataStore;
  readonly #logger: Logger;
  readonly #tasks = new Map<string, TaskState>();
  readonly #locks = new KeyedMutex();
  readonly #running = new Set<Promise<unknown>>();
  #state: 'new' | 'opening' | 'open' | 'closed' = 'new';

  constructor(options: DiskStorageEngineOptions) {
    const { logger, ...config } = options;
    this.config = resolveDiskStorageConfig(config);
    this.paths = new StoragePaths(this.config.dir);
    this.#store = new TaskMetadataStore(this.paths);
    this.#logger = logger ?? SILENT;
  }

  /** Wipes the store (`keep: false`) or recovers it (`keep: true`). Calling it again once open is a no-op. */
  async open(): Promise<void> {
    if (this.#state === 'open') return;
    if (this.#state !== 'new') throw createError(ErrorCodes.FAILED_PRECONDITION, `disk storage cannot open while ${this.#state}`);
    this.#state = 'opening';
    try {
      if (!this.config.keep) {
        await wipeStore(this.paths);
        this.#logger.info({ dir: this.config.dir }, 'storage opened empty (keep is off)');
      } else {
        const report = await recoverStore(this.paths, this.#store, this.#logger);
        for (const [id, state] of report.tasks) this.#tasks.set(id, state);
        for (const { id, reason } of report.dropped) this.#logger.warn({ taskId: id, reason }, 'dropped damaged task');
        for (const { id, bytes } of report.truncated) this.#logger.warn({ taskId: id, bytes }, 'cut torn piece journal tail');
        this.#logger.info(
          { dir: this.config.dir, tasks: report.tasks.size, dropped: report.dropped.length, removedFiles: report.removedFiles },
          'storage recovered',
        );
      }
      this.#state = 'open';
    } catch (error) {
      for (const state of this.#tasks.values()) await state.journal.close().catch(() => undefined);
      this.#tasks.clear();
      this.#state = 'new';
      throw toStorageError(error, `opening ${this.config.dir}`);
    }
  }

  /** Waits for running operations, then closes every journal. Later calls fail with `D7Y_ERR_FAILED_PRECONDITION`. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
    await Promise.allSettled([...this.#tasks.values()].map((state) => state.journal.close()));
    this.#tasks.clear();
  }

  async putTask(init: TaskInit): Promise<TaskRecord> {
    this.#assertOpen();
    const valid = validateTaskInit(init);
    return this.#track(
      this.#locks.run(valid.id, async () => {
        const state = this.#tasks.get(valid.id);
        return (state ? await this.#updateTask(state, valid) : await this.#createTask(valid)).toRecord();
      }),
      `storing task ${valid.id}`,
    );
  }

  async getTask(taskId: string): Promise<TaskRecord | undefined> {
    this.#assertOpen();
    assertTaskId(taskId);
    return this.#tasks.get(taskId)?.toRecord();
  }

  async listTasks(): Promise<TaskRecord[]> {
    this.#assertOpen();
    return [...this.#tasks.values()].map((state) => state.toRecord());
  }

  /**
   * Writes one piece (see `StorageEngine.writePiece` and the commit order above). `data` is consumed, or
   * destroyed unread when the call fails early or the piece is already stored.
   */
  async writePiece(taskId: string, piece: PieceWrite, data: Readable | Uint8Array): Promise<PieceRecord> {
    // A stream may fail before it is read (while the file opens): keep that from becoming an uncaught
    // 'error' event. The reader still sees the error, as the stream stays errored.
    const stream = data instanceof Uint8Array ? undefined : data;
    stream?.on('error', ignore);
    const work = async () => {
      this.#assertOpen();
      assertTaskId(taskId);
      const state = this.#requireTask(taskId);
      assertPieceFits(state.stored, piece);
      checkPieceExtras(piece);
      const expected = piece.expectedDigest === undefined ? undefined : parseDigest(piece.expectedDigest);
      for (;;) {
        const stored = state.pieces.get(piece.number);
        if (stored) {
          discard(data);
          assertSameDigest(taskId, stored, expected);
          return stored;
        }
        const running = state.writing.get(piece.number);
        if (!running) break;
        await running.catch(() => undefined);
        if (state.deleted) throw taskGone(taskId);
      }
      const write = commitPiece(state, this.paths.contentFile(taskId), piece, expected, data, this.config.writeBufferSize);
      state.writing.set(piece.number, write);
      try {
        return await write;
      } finally {
        if (state.writing.get(piece.number) === write) state.writing.delete(piece.number);
      }
    };
    return this.#track(
      work()
        .catch((error: unknown) => {
          discard(data);
          throw error;
        })
        .finally(() => stream?.off('error', ignore)),
      `writing piece ${String(piece?.number)} of task ${taskId}`,
    );
  }

  async getPiece(taskId: string, pieceNumber: number): Promise<PieceRecord | undefined> {
    this.#assertOpen();
    assertTaskId(taskId);
    return this.#tasks.get(taskId)?.pieces.get(pieceNumber);
  }

  async listPieces(taskId: string): Promise<PieceRecord[]> {
    this.#assertOpen();
    assertTaskId(taskId);
    return this.#tasks.get(taskId)?.sortedPieces() ?? [];
  }

  async readPiece(taskId: string, pieceNumber: number): Promise<Readable> {
    this.#assertOpen();
    assertTaskId(taskId);
    const piece = this.#tasks.get(taskId)?.pieces.get(pieceNumber);
    if (!piece) throw createError(ErrorCodes.NOT_FOUND, `piece ${String(pieceNumber)} of task ${taskId} is not stored`);
    return this.#openRange(taskId, piece.offset, piece.length);
  }

  async readRange(taskId: string, start: number, length: number): Promise<Readable> {
    this.#assertOpen();
    assertTaskId(taskId);
    if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(length) || length < 0 || !Number.isSafeInteger(start + length)) {
      throw createError(ErrorCodes.INVALID_ARGUMENT, `invalid range start ${String(start)} length ${String(length)}`);
    }
    const state = this.#requireTask(taskId);
    const { contentLength, pieceLength } = state.stored;
    if (contentLength >= 0 && start + length > contentLength) {
      throw createError(ErrorCodes.INVALID_ARGUMENT, `range ${start}+${length} exceeds the ${contentLength} bytes of task ${taskId}`);
    }
    if (length === 0) return Readable.from([]);
    const { first, last } = coveringPieces(pieceLength, start, length);
    for (let number = first; number <= last; number++) {
      const piece = state.pieces.get(number);
      if (!piece || piece.offset + piece.length < Math.min(start + length, (number + 1) * pieceLength)) {
        throw createError(ErrorCodes.NOT_FOUND, `range ${start}+${length} of task ${taskId} needs piece ${number}, which is not stored`);
      }
    }
    return this.#openRange(taskId, start, length);
  }

  async finishTask(taskId: string, digest?: string): Promise<TaskRecord> {
    this.#assertOpen();
    assertTaskId(taskId);
    const verified = digest === undefined ? undefined : formatDigest(parseDigest(digest));
    return this.#track(
      this.#locks.run(taskId, async () => {
        const state = this.#requireTask(taskId);
        const { stored } = state;
        if (stored.contentLength < 0) throw createError(ErrorCodes.FAILED_PRECONDITION, `task ${taskId} cannot finish: its content length is unknown`);
        if (state.pieces.size < stored.pieceCount) {
          let missing = 0;
          while (state.pieces.has(missing)) missing++;
          throw createError(
            ErrorCodes.FAILED_PRECONDITION,
            `task ${taskId} cannot finish: ${stored.pieceCount - state.pieces.size} of ${stored.pieceCount} pieces are not stored (first missing: ${missing})`,
          );
        }
        if (stored.finishedAt !== undefined && (verified === undefined || verified === stored.digest)) return state.toRecord();
        const now = Date.now();
        const { failedAt: _failed, ...rest } = stored;
        await this.#save(state, { ...rest, finishedAt: stored.finishedAt ?? now, updatedAt: now, ...(verified ?? stored.digest ? { digest: verified ?? stored.digest } : {}) });
        return state.toRecord();
      }),
      `finishing task ${taskId}`,
    );
  }

  async failTask(taskId: string): Promise<void> {
    await this.#updateFields(taskId, 'marking failed', (now) => ({ failedAt: now, updatedAt: now }));
  }

  async touchTask(taskId: string): Promise<void> {
    await this.#updateFields(taskId, 'touching', (now) => ({ updatedAt: now }));
  }

  /** Deletes the task. Open read streams keep reading the unlinked file; running writes fail `D7Y_ERR_NOT_FOUND`. */
  async deleteTask(taskId: string): Promise<void> {
    this.#assertOpen();
    assertTaskId(taskId);
    await this.#track(
      this.#locks.run(taskId, async () => {
        const state = this.#tasks.get(taskId);
        this.#tasks.delete(taskId);
        if (state) {
          state.deleted = true;
          await state.journal.close().catch(() => undefined);
        }
        // Task file first: a crash in between leaves orphans that the next recovery removes.
        await this.#store.remove(taskId);
        await rm(this.paths.journalFile(taskId), { force: true });
        await rm(this.paths.contentFile(taskId), { force: true });
      }),
      `deleting task ${taskId}`,
    );
  }

  contentPath(taskId: string): string | undefined {
    assertTaskId(taskId);
    if (this.#state !== 'open') return undefined;
    return this.#tasks.get(taskId)?.stored.finishedAt !== undefined ? this.paths.contentFile(taskId) : undefined;
  }

  async usage(): Promise<TaskUsage[]> {
    this.#assertOpen();
    return Promise.all(
      [...this.#tasks.values()].map(async (state) => {
        const bytes = await stat(this.paths.contentFile(state.stored.id)).then(
          (info) => info.blocks * 512,
          () => 0,
        );
        return Object.freeze({
          id: state.stored.id,
          bytes,
          updatedAt: state.updatedAt,
          finished: state.stored.finishedAt !== undefined,
          failed: state.stored.failedAt !== undefined,
        });
      }),
    );
  }

  async #createTask(init: ValidTaskInit): Promise<TaskState> {
    const { id } = init;
    const contentDir = this.paths.contentDir(id);
    await mkdir(contentDir, { recursive: true });
    await mkdir(this.paths.metadataDir(id), { recursive: true });
    // Content file and journal first, task file last: a task file always has both, and a crash before it
    // leaves orphans that recovery removes. 'w' also empties leftovers of an earlier, deleted task.
    await (await open(this.paths.contentFile(id), 'w')).close();
    const journal = await PieceJournal.create(this.paths.journalFile(id), id);
    const now = Date.now();
    const stored: StoredTask = {
      id,
      url: init.url,
      pieceLength: init.pieceLength,
      contentLength: init.contentLength,
      pieceCount: init.pieceCount,
      responseHeader: init.responseHeader ?? {},
      createdAt: now,
      updatedAt: now,
    };
    try {
      await fsyncDir(contentDir);
      await this.#store.write(stored);
    } catch (error) {
      await journal.close().catch(() => undefined);
      await Promise.all([rm(this.paths.journalFile(id), { force: true }), rm(this.paths.contentFile(id), { force: true })]);
      throw error;
    }
    const state = new TaskState(stored, journal);
    this.#tasks.set(id, state);
    return state;
  }

  async #updateTask(state: TaskState, init: ValidTaskInit): Promise<TaskState> {
    assertSizeChangeAllowed(state.stored, init, state.pieces.values());
    const { stored } = state;
    const responseHeader = init.responseHeader ?? stored.responseHeader;
    const same =
      init.url === stored.url &&
      init.contentLength === stored.contentLength &&
      init.pieceCount === stored.pieceCount &&
      JSON.stringify(responseHeader) === JSON.stringify(stored.responseHeader);
    if (same) return state;
    const { url, contentLength, pieceCount } = init;
    await this.#save(state, { ...stored, url, contentLength, pieceCount, responseHeader, updatedAt: Date.now() });
    return state;
  }

  async #updateFields(taskId: string, what: string, change: (now: number) => Partial<StoredTask>): Promise<void> {
    this.#assertOpen();
    assertTaskId(taskId);
    await this.#track(
      this.#locks.run(taskId, async () => {
        const state = this.#requireTask(taskId);
        await this.#save(state, { ...state.stored, ...change(Date.now()) });
      }),
      `${what} task ${taskId}`,
    );
  }

  /** Persists new task fields, then publishes them. */
  async #save(state: TaskState, next: StoredTask): Promise<void> {
    await this.#store.write(next);
    state.stored = next;
  }

  async #openRange(taskId: string, start: number, length: number): Promise<Readable> {
    let handle;
    try {
      handle = await open(this.paths.contentFile(taskId), 'r');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw taskGone(taskId);
      throw toStorageError(error, `reading task ${taskId}`);
    }
    return handle.createReadStream({ start, end: start + length - 1, highWaterMark: this.config.readBufferSize });
  }

  #requireTask(taskId: string): TaskState {
    const state = this.#tasks.get(taskId);
    if (!state) throw createError(ErrorCodes.NOT_FOUND, `task ${taskId} is not stored`);
    return state;
  }

  #assertOpen(): void {
    if (this.#state !== 'open') throw createError(ErrorCodes.FAILED_PRECONDITION, `disk storage is ${this.#state === 'closed' ? 'closed' : 'not open'}`);
  }

  /** Keeps `close()` waiting for the operation, and codes filesystem errors. */
  async #track<T>(operation: Promise<T>, what: string): Promise<T> {
    this.#running.add(operation);
    try {
      return await operation;
    } catch (error) {
      throw toStorageError(error, what);
    } finally {
      this.#running.delete(operation);
    }
  }
}


function ignore(): void {}

function discard(data: Readable | Uint8Array): void {
  if (!(data instanceof Uint8Array) && typeof data?.destroy === 'function' && !data.destroyed) data.destroy();
}
