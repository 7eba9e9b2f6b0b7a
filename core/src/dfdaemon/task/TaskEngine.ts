import { createError, ErrorCodes } from '../../common/errors.js';
import { deadline } from '../../common/deadline.js';
import { digestFile, parseDigest, digestsEqual } from '../../common/digests.js';
import { filterUrl, peerId as newPeerId, redactUrl, taskId as computeTaskId } from '../../common/ids.js';
import { parseRange } from '../../common/httpRange.js';
import { allPieces, pieceCount, pieceLength as choosePieceLength, piecesForRange } from '../../common/pieces.js';
import { type ByteRateLimiter, ConditionalLimiter } from '../../common/rateLimit.js';
import type { Logger, PieceRecord, SourceClient, SourceRequest, SourceStat, StorageEngine, TaskRecord } from '../../plugin-api/index.js';
import { Conductor } from '../p2p/Conductor.js';
import type { SchedulerPool } from '../p2p/SchedulerPool.js';
import { assertNotBlocked, type DownloadBlockList } from '../dynconfig/blockList.js';
import { fetchRangedPieces, fetchSequentialPieces, withRetries } from './backToSource.js';
import { EventLog } from './EventLog.js';
import { placeOutput } from './output.js';
import type { DownloadRequest, FinishedPiece, TaskEvent, TrafficType } from './types.js';

/** Settings of the task engine, from dfdaemon.yaml. */
export interface TaskEngineOptions {
  storage: StorageEngine;
  sourceFor(url: string): SourceClient;
  logger: Logger;
  /** Shared limiter for all incoming bytes (`download.bandwidthLimit`). */
  downloadLimiter: ByteRateLimiter;
  /**
   * Limiter for bytes from the source (`download.backToSourceBandwidthLimit`), normally a child of
   * `downloadLimiter` so source bytes count against both; defaults to `downloadLimiter`.
   */
  backToSourceLimiter?: ByteRateLimiter;
  concurrentPieceCount: number;
  hostIp: string;
  hostname: string;
  seed: boolean;
  /** Attempts per piece against the source. */
  maxSourceAttempts?: number;
  /** Deadline for one source request, headers and idle body (`download.pieceTimeout`). */
  sourceTimeoutMs?: number;
  /** P2P settings; without them every download goes to the source. */
  p2p?: P2PSettings;
  /**
   * Shared limiter of prefetch downloads (`proxy.prefetchBandwidthLimit`): a run started for a range request with
   * prefetch passes it, on top of the download limits, once no requester follows the run any more.
   */
  prefetchLimiter?: ByteRateLimiter;
  /** The cluster's download block list in force now (from the manager); none when absent. */
  blockList?: () => DownloadBlockList | undefined;
  /** Called for each download the block list refuses (metrics). */
  onBlocked?: (request: DownloadRequest) => void;
}

/** How downloads use schedulers and parents. */
export interface P2PSettings {
  pool: SchedulerPool;
  hostId: string;
  pieceTimeoutMs: number;
  /** `scheduler.scheduleTimeout`: longest wait for a scheduling answer. */
  scheduleTimeoutMs: number;
  /** `download.collectedPieceTimeout`: longest wait without any piece progress from parents. */
  collectedPieceTimeoutMs?: number;
  maxScheduleCount: number;
  /** `scheduler.enableBackToSource`. */
  enableBackToSource: boolean;
}

/** Tasks up to this size skip the scheduler and go to the source directly, as Dragonfly's client does. */
export const DIRECT_DOWNLOAD_MAX_BYTES = 4 * 1024 * 1024;

/** A download in progress for one requester. */
export interface DownloadHandle {
  readonly taskId: string;
  readonly peerId: string;
  /** Started, then pieces; ends when the content is complete, verified and placed at the output path. */
  readonly events: AsyncGenerator<TaskEvent>;
}

/** Response headers worth keeping with a task. */
const KEPT_HEADERS = ['content-type', 'etag', 'last-modified', 'content-disposition', 'cache-control', 'content-encoding'];

interface TaskRun {
  readonly log: EventLog<TaskEvent>;
  readonly done: Promise<TaskRecord>;
  readonly controller: AbortController;
  /** Requests following the run; when the last one leaves before the end, the run is cancelled. */
  followers: number;
  /** Runs on without followers (see `DownloadRequest.detach`). */
  detached: boolean;
}

/**
 * Runs downloads: one shared run per task id (concurrent requests for one task fetch it once), local cache hits
 * without touching the origin, whole-content digest checks per request, and atomic placement of the output.
 */
export class TaskEngine {
  private readonly runs = new Map<string, TaskRun>();
  /** Range downloads running now, per task (not shared: each serves one request; see `followRange`). */
  private readonly rangeRuns = new Map<string, number>();
  private readonly announcing = new Set<string>();

  constructor(private readonly options: TaskEngineOptions) {}

  /** Number of tasks downloading now. */
  get activeTasks(): number {
    return this.runs.size;
  }

  /** Cancels every running download (shutdown) and waits for them to settle. */
  async abortAll(reason = 'dfdaemon is stopping'): Promise<void> {
    const runs = [...this.runs.values()];
    for (const run of runs) run.controller.abort(createError(ErrorCodes.UNAVAILABLE, reason));
    await Promise.allSettled(runs.map((run) => run.done));
  }

  /** True while the task is downloading here. */
  isActive(taskId: string): boolean {
    return this.runs.has(taskId) || this.rangeRuns.has(taskId);
  }

  /**
   * Stored pieces of a task, then each new one while it downloads here; ends when the task is no longer
   * downloading (or throws its failure).
   */
  async *watchPieces(taskId: string, signal?: AbortSignal): AsyncGenerator<PieceRecord> {
    const run = this.runs.get(taskId);
    if (!run) {
      yield* await this.options.storage.listPieces(taskId);
      return;
    }
    for await (const event of run.log.read(signal)) if (event.type === 'piece') yield event.piece;
  }

  /** The task id a request maps to. */
  taskIdOf(request: DownloadRequest): string {
    return computeTaskId({
      url: request.url,
      tag: request.tag,
      application: request.application,
      pieceLength: request.pieceLength,
      filteredQueryParams: request.filteredQueryParams,
      contentForCalculatingTaskId: request.contentForCalculatingTaskId,
      enableTaskIdBasedBlobDigest: request.enableTaskIdBasedBlobDigest,
    });
  }

  /** Starts or joins the download of a request. */
  download(request: DownloadRequest, signal?: AbortSignal): DownloadHandle {
    if (request.digest !== undefined) parseDigest(request.digest);
    try {
      assertNotBlocked(this.options.blockList?.(), request);
    } catch (error) {
      this.options.onBlocked?.(request);
      throw error;
    }
    const taskId = this.taskIdOf(request);
    const peerId = newPeerId(this.options.hostIp, this.options.hostname, this.options.seed);
    return { taskId, peerId, events: this.follow(taskId, peerId, request, signal) };
  }

  private async *follow(taskId: string, peerId: string, request: DownloadRequest, signal?: AbortSignal): AsyncGenerator<TaskEvent> {
    let run = this.runs.get(taskId);
    if (!run) {
      const local = await this.localHit(taskId);
      if (local) {
        this.announceStored(taskId, peerId, request);
        yield* local;
        await this.complete(taskId, request, true);
        return;
      }
      if (request.rangeHeader !== undefined && !this.runs.has(taskId)) {
        yield* this.followRange(taskId, peerId, request, signal);
        return;
      }
      run = this.runs.get(taskId) ?? this.start(taskId, request, peerId);
    }
    if (request.detach) run.detached = true;
    run.followers++;
    const limit = deadline([signal], request.timeoutMs || undefined);
    try {
      yield* run.log.read(limit.signal);
      await run.done;
    } catch (error) {
      if (limit.timedOut) throw createError(ErrorCodes.TIMEOUT, `download of ${redactUrl(request.url)} timed out`);
      throw error;
    } finally {
      limit.clear();
      if (--run.followers === 0 && !run.log.closed && !run.detached) {
        run.controller.abort(createError(ErrorCodes.CANCELLED, 'every requester of the task has gone'));
      }
    }
    await this.complete(taskId, request, false);
  }

  /**
   * A download of only the pieces a range covers, run for this request alone and cancelled when it leaves. The
   * pieces stay stored (a later full download reuses them); the task is finished only if it became complete.
   */
  private async *followRange(taskId: string, peerId: string, request: DownloadRequest, signal?: AbortSignal): AsyncGenerator<TaskEvent> {
    this.rangeRuns.set(taskId, (this.rangeRuns.get(taskId) ?? 0) + 1);
    const limit = deadline([signal], request.timeoutMs || undefined);
    const log = new EventLog<TaskEvent>();
    const done = this.runDownload(taskId, peerId, request, log, limit.signal).then(
      () => log.end(),
      (error: unknown) => {
        log.fail(error);
        throw error;
      },
    );
    done.catch(() => undefined);
    try {
      yield* log.read(limit.signal);
      await done;
    } catch (error) {
      if (limit.timedOut) throw createError(ErrorCodes.TIMEOUT, `download of ${redactUrl(request.url)} timed out`);
      throw error;
    } finally {
      limit.clear();
      await done.catch(() => undefined);
      const left = (this.rangeRuns.get(taskId) ?? 1) - 1;
      if (left <= 0) this.rangeRuns.delete(taskId);
      else this.rangeRuns.set(taskId, left);
    }
  }

  /**
   * In the background, tells the scheduler that this host holds a complete task, so it is offered as a parent
   * (needed after a scheduler restart, and for seeds asked to fetch what they already have). At most one
   * announcement per task runs at a time.
   */
  private announceStored(taskId: string, peerId: string, request: DownloadRequest): void {
    const { p2p, storage, logger } = this.options;
    if (!p2p || this.announcing.has(taskId)) return;
    this.announcing.add(taskId);
    void (async () => {
      const task = await storage.getTask(taskId);
      if (!task || (task.contentLength <= DIRECT_DOWNLOAD_MAX_BYTES && request.alwaysP2P !== true)) return;
      const pieces = await storage.listPieces(taskId);
      const conductor = new Conductor({
        taskId,
        peerId,
        hostId: p2p.hostId,
        request: { ...request, outputPath: undefined },
        sizes: { contentLength: task.contentLength, pieceLength: task.pieceLength, pieceCount: task.pieceCount },
        missing: [],
        storage,
        limiter: this.options.downloadLimiter,
        concurrency: this.options.concurrentPieceCount,
        pieceTimeoutMs: p2p.pieceTimeoutMs,
        scheduleTimeoutMs: p2p.scheduleTimeoutMs,
        maxScheduleCount: p2p.maxScheduleCount,
        backToSourceAllowed: false,
        pool: p2p.pool,
        logger,
        signal: AbortSignal.timeout(30_000),
        onPiece: () => undefined,
        backToSource: async () => undefined,
      });
      await conductor.announceStored(pieces);
    })()
      .catch((error: unknown) => logger.warn({ taskId, err: error }, 'announcing a stored task to the scheduler failed'))
      .finally(() => this.announcing.delete(taskId));
  }

  /** Replays a finished task from local storage, or undefined when it is not complete here. */
  private async localHit(taskId: string): Promise<TaskEvent[] | undefined> {
    const task = await this.options.storage.getTask(taskId);
    if (!task?.finishedAt) return undefined;
    const pieces = await this.options.storage.listPieces(taskId);
    if (pieces.length !== task.pieceCount) return undefined;
    await this.options.storage.touchTask(taskId);
    return [
      started(task, true),
      ...pieces.map((piece): TaskEvent => ({ type: 'piece', piece: { ...piece, trafficType: 'LOCAL_PEER' } })),
    ];
  }

  private start(taskId: string, request: DownloadRequest, peerId: string): TaskRun {
    const log = new EventLog<TaskEvent>();
    const controller = new AbortController();
    const done = this.runDownload(taskId, peerId, request, log, controller.signal).then(
      (task) => {
        log.end();
        return task;
      },
      (error: unknown) => {
        log.fail(error);
        throw error;
      },
    );
    done.catch(() => undefined).finally(() => this.runs.delete(taskId));
    const run: TaskRun = { log, done, controller, followers: 0, detached: request.detach === true };
    this.runs.set(taskId, run);
    return run;
  }

  /**
   * The byte limiters of a run: `download.bandwidthLimit` for every byte, `download.backToSourceBandwidthLimit`
   * on top for source bytes, and for a proxy prefetch `proxy.prefetchBandwidthLimit` once no requester follows it.
   */
  private limitersFor(taskId: string, request: DownloadRequest): { download: ByteRateLimiter; backToSource: ByteRateLimiter } {
    const download = this.options.downloadLimiter;
    const backToSource = this.options.backToSourceLimiter ?? download;
    const prefetch = request.prefetch ? this.options.prefetchLimiter : undefined;
    if (!prefetch) return { download, backToSource };
    const alone = () => this.runs.get(taskId)?.followers === 0;
    return { download: new ConditionalLimiter(download, prefetch, alone), backToSource: new ConditionalLimiter(backToSource, prefetch, alone) };
  }

  private async runDownload(
    taskId: string,
    peerId: string,
    request: DownloadRequest,
    log: EventLog<TaskEvent>,
    signal: AbortSignal,
  ): Promise<TaskRecord> {
    const limiters = this.limitersFor(taskId, request);
    const { storage, logger, p2p } = this.options;
    if (request.disableBackToSource && !p2p) {
      throw createError(ErrorCodes.FAILED_PRECONDITION, `${redactUrl(request.url)} is not cached here and back-to-source is disabled`);
    }
    const source = this.options.sourceFor(request.url);
    const sourceRequest: SourceRequest = {
      url: new URL(request.url),
      headers: request.requestHeader,
      objectStorage: request.objectStorage,
      hdfs: request.hdfs,
      timeoutMs: this.options.sourceTimeoutMs,
      signal,
    };
    const stat = await withRetries(this.options.maxSourceAttempts ?? 3, signal, () => source.stat(sourceRequest));
    if (stat.isDir) throw createError(ErrorCodes.INVALID_ARGUMENT, `${redactUrl(request.url)} is a directory; use a recursive download`);
    const known = stat.contentLength >= 0;
    const length = choosePieceLength(Math.max(0, stat.contentLength), request.pieceLength);
    const header = keptHeaders(stat);
    const existing = await this.reusable(taskId, stat, length);
    const task = await storage.putTask({
      id: taskId,
      url: filterUrl(request.url, request.filteredQueryParams ?? []),
      pieceLength: length,
      contentLength: stat.contentLength,
      pieceCount: known ? pieceCount(stat.contentLength, length) : 0,
      responseHeader: header,
    });
    log.append(started(task, false));
    const stored = new Set(existing.map((piece) => piece.number));
    for (const piece of existing) log.append({ type: 'piece', piece: { ...piece, trafficType: 'LOCAL_PEER' } });
    logger.info({ taskId, url: redactUrl(request.url), contentLength: stat.contentLength, resumed: stored.size }, 'downloading');

    const onPiece = (piece: PieceRecord) => log.append({ type: 'piece', piece: { ...piece, trafficType: 'BACK_TO_SOURCE' as TrafficType } });
    const ctx = {
      taskId,
      source,
      request: sourceRequest,
      storage,
      limiter: limiters.backToSource,
      concurrency: this.options.concurrentPieceCount,
      maxAttempts: this.options.maxSourceAttempts ?? 3,
      signal,
      onPiece,
    };
    const ranged = known && (stat.acceptRanges || pieceCount(stat.contentLength, length) <= 1);
    const byteRange = known && ranged ? requestedRange(request, stat.contentLength) : undefined;
    const wanted = byteRange === undefined ? undefined : byteRange === 'unsatisfiable' ? [] : piecesForRange(byteRange.start, byteRange.length, stat.contentLength, length);
    const missing = known ? (wanted ?? allPieces(stat.contentLength, length)).filter((span) => !stored.has(span.number)) : [];
    // Small content goes straight to the source, unless asked otherwise or triggered by a scheduler (which waits
    // for this seed's piece reports).
    const viaScheduler = stat.contentLength > DIRECT_DOWNLOAD_MAX_BYTES || request.alwaysP2P === true || request.needBackToSource === true;
    if (p2p && ranged && viaScheduler && missing.length > 0) {
      const conductor = new Conductor({
        taskId,
        peerId,
        hostId: p2p.hostId,
        request,
        sizes: { contentLength: stat.contentLength, pieceLength: length, pieceCount: pieceCount(stat.contentLength, length) },
        missing,
        range: byteRange === undefined || byteRange === 'unsatisfiable' ? undefined : byteRange,
        storage,
        limiter: limiters.download,
        concurrency: this.options.concurrentPieceCount,
        pieceTimeoutMs: p2p.pieceTimeoutMs,
        scheduleTimeoutMs: p2p.scheduleTimeoutMs,
        collectedPieceTimeoutMs: p2p.collectedPieceTimeoutMs,
        maxScheduleCount: p2p.maxScheduleCount,
        backToSourceAllowed: p2p.enableBackToSource && !request.disableBackToSource,
        pool: p2p.pool,
        logger,
        signal,
        onPiece: (piece, trafficType) => log.append({ type: 'piece', piece: { ...piece, trafficType } }),
        backToSource: (pieces, report) => fetchRangedPieces({ ...ctx, onPiece: report }, pieces),
      });
      const how = await conductor.run();
      logger.info({ taskId, how }, 'task downloaded');
    } else if (request.disableBackToSource) {
      throw createError(ErrorCodes.FAILED_PRECONDITION, `${redactUrl(request.url)} is not cached here and back-to-source is disabled`);
    } else if (ranged) {
      await fetchRangedPieces(ctx, missing);
    } else {
      const seen = await fetchSequentialPieces(ctx, length);
      if (!known) {
        await storage.putTask({ id: taskId, url: task.url, pieceLength: length, contentLength: seen, pieceCount: pieceCount(seen, length), responseHeader: header });
      }
    }
    if (wanted !== undefined && (await storage.listPieces(taskId)).length < task.pieceCount) return (await storage.getTask(taskId)) ?? task;
    // Finished first so the content path exists; the run stays registered until verification ends, so no other
    // request can take the content before the initiator's digest check has passed.
    const finished = await storage.finishTask(taskId);
    if (request.digest === undefined) return finished;
    return storage.finishTask(taskId, await this.verify(taskId, request.digest, undefined));
  }


  /**
   * Pieces kept from an interrupted earlier run that may be resumed: only when the piece length and size agree
   * and the origin's validators (etag, last-modified) did not change. Otherwise the old task is dropped.
   */
  private async reusable(taskId: string, stat: SourceStat, length: number): Promise<PieceRecord[]> {
    const { storage } = this.options;
    const previous = await storage.getTask(taskId);
    if (!previous) return [];
    const same =
      previous.pieceLength === length &&
      previous.contentLength === stat.contentLength &&
      stat.contentLength >= 0 &&
      ['etag', 'last-modified'].every((name) => previous.responseHeader[name] === stat.headers[name]);
    if (!same) {
      await storage.deleteTask(taskId);
      return [];
    }
    return storage.listPieces(taskId);
  }

  /**
   * Checks the stored content against the expected digest. Skips the hash when the task already carries the same
   * verified digest. On mismatch the task is deleted, so nothing unverified stays shared.
   */
  private async verify(taskId: string, expected: string, recorded: string | undefined): Promise<string> {
    if (recorded !== undefined && digestsEqual(recorded, expected)) return recorded;
    const path = this.options.storage.contentPath(taskId);
    if (!path) throw createError(ErrorCodes.INTERNAL, `storage engine gives no content path for task ${taskId}`);
    const actual = await digestFile(path, parseDigest(expected).algorithm);
    if (!digestsEqual(actual, expected)) {
      await this.options.storage.deleteTask(taskId);
      throw createError(ErrorCodes.DIGEST_MISMATCH, `digest mismatch: expected ${expected}, got ${actual}; the downloaded content was discarded`, {
        details: { expected, actual },
      });
    }
    return actual;
  }

  /** Per-request completion: digest check for joiners and cache hits, then the output file. */
  private async complete(taskId: string, request: DownloadRequest, fromCache: boolean): Promise<void> {
    const { storage } = this.options;
    const task = await storage.getTask(taskId);
    if (!task?.finishedAt) throw createError(ErrorCodes.INTERNAL, `task ${taskId} ended without being finished`);
    if (request.digest !== undefined) {
      const verified = await this.verify(taskId, request.digest, task.digest);
      if (task.digest === undefined) await storage.finishTask(taskId, verified);
    }
    if (request.outputPath) {
      const path = storage.contentPath(taskId);
      if (!path) throw createError(ErrorCodes.INTERNAL, `storage engine gives no content path for task ${taskId}`);
      const method = await placeOutput(path, request.outputPath, { overwrite: request.overwrite, forceHardLink: request.forceHardLink });
      this.options.logger.info({ taskId, output: request.outputPath, method, fromCache }, 'output placed');
    }
  }
}

function started(task: TaskRecord, isFinished: boolean): TaskEvent {
  return {
    type: 'started',
    contentLength: task.contentLength,
    pieceLength: task.pieceLength,
    pieceCount: task.pieceCount,
    responseHeader: { ...task.responseHeader },
    isFinished,
  };
}

function keptHeaders(stat: SourceStat): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = stat.headers[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

export type { FinishedPiece };

/** The bytes a range request asks for, 'unsatisfiable' when they cannot be served, or undefined without a range. */
function requestedRange(request: DownloadRequest, contentLength: number): { start: number; length: number } | 'unsatisfiable' | undefined {
  if (request.rangeHeader === undefined) return undefined;
  const parsed = parseRange(request.rangeHeader, contentLength);
  if (parsed.kind !== 'range') return 'unsatisfiable';
  return { start: parsed.range.start, length: parsed.range.end - parsed.range.start + 1 };
}
