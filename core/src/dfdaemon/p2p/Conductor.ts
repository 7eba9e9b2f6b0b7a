import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { commonV2, schedulerV2 } from '@d7y/proto';

import { createError, ErrorCodes, isD7yError } from '../../common/errors.js';
import { redactUrl } from '../../common/ids.js';
import type { PieceSpan } from '../../common/pieces.js';
import { timerDelay } from '../../common/timers.js';
import { TRACEPARENT } from '../../common/tracing/Tracing.js';
import type { ByteRateLimiter } from '../../common/rateLimit.js';
import type { Logger, PieceRecord, StorageEngine } from '../../plugin-api/index.js';
import type { DownloadRequest, TrafficType } from '../task/types.js';
import { AsyncQueue } from './AsyncQueue.js';
import { registerDownload, reportedPiece } from './messages.js';
import { ParentSearch } from './ParentSearch.js';
import { PieceCollector } from './PieceCollector.js';
import type { SchedulerPool } from './SchedulerPool.js';
import { TrustedDigests } from './TrustedDigests.js';

/** What one P2P download needs. */
export interface ConductorOptions {
  taskId: string;
  peerId: string;
  hostId: string;
  request: DownloadRequest;
  sizes: { contentLength: number; pieceLength: number; pieceCount: number };
  missing: readonly PieceSpan[];
  /**
   * The bytes asked for when this download serves a range request: registered with the scheduler, which then
   * knows this peer holds only part of the task (it is not listed as caching it, and does not complete the task).
   */
  range?: { start: number; length: number };
  storage: StorageEngine;
  limiter: ByteRateLimiter;
  concurrency: number;
  pieceTimeoutMs: number;
  maxScheduleCount: number;
  /**
   * How long to wait for the scheduler's answer to a registration or a reschedule (`scheduler.scheduleTimeout`);
   * past it the scheduler counts as lost for this task: the next one is tried, then the source.
   */
  scheduleTimeoutMs: number;
  /** `download.collectedPieceTimeout` (see `PieceCollector`). */
  collectedPieceTimeoutMs?: number;
  /** False when back-to-source is disabled by the request or by `scheduler.enableBackToSource: false`. */
  backToSourceAllowed: boolean;
  pool: SchedulerPool;
  logger: Logger;
  signal: AbortSignal;
  /** Stores-and-reports hook: called for every stored piece. */
  onPiece(record: PieceRecord, trafficType: TrafficType): void;
  /** Downloads the given pieces from the source, calling `report` for each stored piece. */
  backToSource(pieces: readonly PieceSpan[], report: (record: PieceRecord) => void): Promise<void>;
}

type ConductorEvent =
  | { type: 'response'; response: schedulerV2.AnnouncePeerResponse__Output }
  | { type: 'error'; error: ServiceError }
  | { type: 'end' }
  | { type: 'done' }
  | { type: 'starved'; blocked: string[] }
  | { type: 'scheduleTimeout' };

/** The scheduler could not be used for this task; the caller may try another or go to the source. */
class SchedulerLost extends Error {}

/**
 * The scheduler answered, and its answer is no: a policy decision (a LEVEL1 priority is forbidden, LEVEL2 finds
 * no candidate parents), not a fault. The scheduler stays healthy and no other is asked (they share the policy);
 * the download goes to the source when allowed, as Dragonfly's client does.
 */
class SchedulerRefused extends Error {}

/**
 * Drives one peer's download through a scheduler (Dragonfly's AnnouncePeer exchange): register, then either
 * collect pieces from the candidate parents it names (reporting each piece, rescheduling when parents run dry) or
 * go back to source when told to. When no scheduler can be used it falls back to the source unless that is
 * disabled.
 */
export class Conductor {
  private remaining: Map<number, PieceSpan>;

  constructor(private readonly options: ConductorOptions) {
    this.remaining = new Map(options.missing.map((span) => [span.number, span]));
  }

  /** Runs the download; resolves with how it ended. */
  async run(): Promise<'p2p' | 'back-to-source'> {
    const { pool, taskId, logger } = this.options;
    let lastError: unknown;
    let refusal: SchedulerRefused | undefined;
    for (const { addr, client } of pool.schedulersFor(taskId)) {
      try {
        return await this.withScheduler(addr, client, true);
      } catch (error) {
        if (error instanceof SchedulerRefused) {
          refusal = error;
          logger.warn({ taskId, scheduler: addr, reason: error.message }, 'scheduler refused the download');
          break;
        }
        if (!(error instanceof SchedulerLost)) throw error;
        lastError = error.cause;
        pool.markUnhealthy(addr);
        logger.warn({ taskId, scheduler: addr, err: error.cause }, 'scheduler unusable for this task');
      }
    }
    const url = redactUrl(this.options.request.url);
    if (!this.options.backToSourceAllowed) {
      if (refusal) throw createError(ErrorCodes.FAILED_PRECONDITION, `the scheduler refused ${url} (${refusal.message}) and back-to-source is disabled`, { cause: refusal.cause });
      throw createError(ErrorCodes.UNAVAILABLE, `no scheduler could serve ${url} and back-to-source is disabled`, { cause: lastError });
    }
    if (refusal) logger.warn({ taskId }, 'refused by the scheduler; downloading from the source');
    else logger.warn({ taskId }, 'no scheduler available; downloading from the source');
    await this.fetchFromSource();
    return 'back-to-source';
  }

  /**
   * Tells the scheduler that this host holds the whole task (a local cache hit), so that it can be offered as a
   * parent: registers, then reports every stored piece and the peer as finished — as back-to-source pieces when
   * the scheduler asks for back-to-source (seed peers), which also gives it trusted digests.
   */
  async announceStored(pieces: readonly PieceRecord[]): Promise<void> {
    const { pool, taskId, peerId, hostId } = this.options;
    const target = pool.schedulersFor(taskId)[0];
    if (!target) return;
    const call = target.client.AnnouncePeer(traceMetadata(this.options.request.traceparent));
    const send = (message: Omit<schedulerV2.AnnouncePeerRequest, 'hostId' | 'taskId' | 'peerId'>) => call.write({ hostId, taskId, peerId, ...message });
    await new Promise<void>((resolve, reject) => {
      call.on('error', reject);
      call.on('end', resolve);
      call.once('data', (response: schedulerV2.AnnouncePeerResponse__Output) => {
        if (response.response === 'needBackToSourceResponse') {
          send({ downloadPeerBackToSourceStartedRequest: {} });
          for (const piece of pieces) send({ downloadPieceBackToSourceFinishedRequest: { piece: reportedPiece(piece, 'BACK_TO_SOURCE') } });
          send({ downloadPeerBackToSourceFinishedRequest: {} });
        } else {
          send({ downloadPeerStartedRequest: {} });
          for (const piece of pieces) send({ downloadPieceFinishedRequest: { piece: reportedPiece(piece, 'LOCAL_PEER') } });
          send({ downloadPeerFinishedRequest: {} });
        }
        call.end();
      });
      send({ registerPeerRequest: { download: registerDownload(this.options.request, this.options.sizes, this.options.concurrency, this.options.range) } });
    });
  }

  private async fetchFromSource(): Promise<void> {
    await this.options.backToSource([...this.remaining.values()], (record) => {
      this.remaining.delete(record.number);
      this.options.onPiece(record, 'BACK_TO_SOURCE');
    });
  }

  private async withScheduler(addr: string, client: schedulerV2.SchedulerClient, mayReannounce: boolean): Promise<'p2p' | 'back-to-source'> {
    const { taskId, peerId, hostId, logger, signal } = this.options;
    const call = client.AnnouncePeer(traceMetadata(this.options.request.traceparent));
    const queue = new AsyncQueue<ConductorEvent>();
    call.on('data', (response: schedulerV2.AnnouncePeerResponse__Output) => queue.push({ type: 'response', response }));
    call.on('error', (error: ServiceError) => queue.push({ type: 'error', error }));
    call.on('end', () => queue.push({ type: 'end' }));
    const onAbort = () => call.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    const send = (message: Omit<schedulerV2.AnnouncePeerRequest, 'hostId' | 'taskId' | 'peerId'>) => {
      if (!call.writableEnded) call.write({ hostId, taskId, peerId, ...message });
    };
    const digests = new TrustedDigests(() => this.statTask(client));
    let collector: PieceCollector | undefined;
    let started = false;
    let rounds = 0;
    /** Reschedules sent only to find more parents: their answers do not count as scheduling rounds. */
    let searchesInFlight = 0;
    const search = new ParentSearch(
      () => collector !== undefined && collector.onlySeedParents && collector.remaining.length > 0,
      () => {
        searchesInFlight++;
        send({ reschedulePeerRequest: { candidateParents: [], description: 'only seed peers as parents; looking for more' } });
      },
    );
    let anyResponse = false;
    // Armed while a scheduling answer is awaited (after registering and after each counted reschedule).
    let answerTimer: NodeJS.Timeout | undefined;
    const awaitAnswer = () => {
      clearTimeout(answerTimer);
      answerTimer = setTimeout(() => queue.push({ type: 'scheduleTimeout' }), timerDelay(this.options.scheduleTimeoutMs));
    };
    send({ registerPeerRequest: { download: registerDownload(this.options.request, this.options.sizes, this.options.concurrency, this.options.range) } });
    awaitAnswer();
    try {
      for (;;) {
        const event = await queue.next();
        signal.throwIfAborted();
        if (event.type === 'response') {
          anyResponse = true;
          clearTimeout(answerTimer);
          const { response } = event;
          if (response.response === 'emptyTaskResponse') {
            send({ downloadPeerStartedRequest: {} });
            send({ downloadPeerFinishedRequest: {} });
            return 'p2p';
          }
          if (response.response === 'needBackToSourceResponse') {
            await collector?.stop();
            return await this.backToSourceViaScheduler(send, response.needBackToSourceResponse?.description);
          }
          if (response.response === 'normalTaskResponse') {
            if (searchesInFlight > 0) searchesInFlight--;
            else rounds++;
            if (!started) send({ downloadPeerStartedRequest: {} });
            started = true;
            collector ??= this.createCollector(digests, send, queue);
            collector.addParents(response.normalTaskResponse?.candidateParents ?? []);
            search.start();
          }
        } else if (event.type === 'done') {
          send({ downloadPeerFinishedRequest: {} });
          return 'p2p';
        } else if (event.type === 'starved') {
          if (rounds >= this.options.maxScheduleCount) {
            send({ downloadPeerFailedRequest: { description: 'max schedule count exceeded' } });
            throw new SchedulerLost('max schedule count exceeded', { cause: createError(ErrorCodes.UNAVAILABLE, 'max schedule count exceeded') });
          }
          logger.info({ taskId, blocked: event.blocked.length, missing: this.remaining.size }, 'parents exhausted; rescheduling');
          send({ reschedulePeerRequest: { candidateParents: event.blocked.map((id) => ({ id })), description: 'parents exhausted' } });
          awaitAnswer();
        } else if (event.type === 'scheduleTimeout') {
          const waited = `no scheduling answer in ${this.options.scheduleTimeoutMs} ms (scheduler.scheduleTimeout)`;
          send({ downloadPeerFailedRequest: { description: waited } });
          throw new SchedulerLost(waited, { cause: createError(ErrorCodes.TIMEOUT, waited) });
        } else {
          const error = event.type === 'error' ? event.error : undefined;
          if (error?.code === GrpcStatus.NOT_FOUND && !anyResponse && mayReannounce) {
            const announced = await this.options.pool.announce(addr).then(
              () => true,
              () => false,
            );
            if (!announced) throw new SchedulerLost('the scheduler does not know this host and refused its announcement', { cause: error });
            return await this.withScheduler(addr, client, false);
          }
          // Refusals of the registration by priority (spec 4.2 step 5). NOT_FOUND only counts once the host has
          // just been announced again (before that it means the scheduler does not know this host).
          const refused = error?.code === GrpcStatus.FAILED_PRECONDITION || (error?.code === GrpcStatus.NOT_FOUND && !anyResponse && !mayReannounce);
          if (error && refused) throw new SchedulerRefused(error.details || 'refused', { cause: error });
          if (error?.code === GrpcStatus.PERMISSION_DENIED || error?.code === GrpcStatus.INVALID_ARGUMENT) {
            throw createError(error.code === GrpcStatus.PERMISSION_DENIED ? ErrorCodes.PERMISSION_DENIED : ErrorCodes.INVALID_ARGUMENT, `scheduler refused the download: ${error.details}`);
          }
          throw new SchedulerLost(`scheduler stream ${event.type === 'end' ? 'ended' : 'failed'}`, { cause: error ?? createError(ErrorCodes.UNAVAILABLE, 'stream ended') });
        }
      }
    } finally {
      clearTimeout(answerTimer);
      search.stop();
      signal.removeEventListener('abort', onAbort);
      await collector?.stop();
      if (!call.writableEnded) call.end();
    }
  }

  private createCollector(digests: TrustedDigests, send: (message: Omit<schedulerV2.AnnouncePeerRequest, 'hostId' | 'taskId' | 'peerId'>) => void, queue: AsyncQueue<ConductorEvent>): PieceCollector {
    const collector = new PieceCollector({
      taskId: this.options.taskId,
      hostId: this.options.hostId,
      missing: [...this.remaining.values()],
      storage: this.options.storage,
      limiter: this.options.limiter,
      concurrency: this.options.concurrency,
      pieceTimeoutMs: this.options.pieceTimeoutMs,
      collectedPieceTimeoutMs: this.options.collectedPieceTimeoutMs,
      digests,
      logger: this.options.logger,
      events: {
        onPiece: (record) => {
          this.remaining.delete(record.number);
          this.options.onPiece(record, 'REMOTE_PEER');
          send({ downloadPieceFinishedRequest: { piece: reportedPiece(record, 'REMOTE_PEER') } });
        },
        onPieceFailed: (pieceNumber, parentId, error) => {
          send({ downloadPieceFailedRequest: { pieceNumber, parentId, temporary: !(isD7yError(error) && error.code === ErrorCodes.DIGEST_MISMATCH) } });
        },
        onStarved: (blocked) => queue.push({ type: 'starved', blocked }),
      },
    });
    void collector.done.then(() => queue.push({ type: 'done' }));
    return collector;
  }

  private async backToSourceViaScheduler(
    send: (message: Omit<schedulerV2.AnnouncePeerRequest, 'hostId' | 'taskId' | 'peerId'>) => void,
    description: string | undefined,
  ): Promise<'back-to-source'> {
    if (!this.options.backToSourceAllowed) {
      send({ downloadPeerFailedRequest: { description: 'back-to-source is disabled' } });
      throw createError(ErrorCodes.FAILED_PRECONDITION, `no peer has ${redactUrl(this.options.request.url)} and back-to-source is disabled (${description ?? 'scheduler asked for back-to-source'})`);
    }
    send({ downloadPeerBackToSourceStartedRequest: { description } });
    try {
      await this.options.backToSource([...this.remaining.values()], (record) => {
        this.remaining.delete(record.number);
        this.options.onPiece(record, 'BACK_TO_SOURCE');
        send({ downloadPieceBackToSourceFinishedRequest: { piece: reportedPiece(record, 'BACK_TO_SOURCE') } });
      });
    } catch (error) {
      send({ downloadPeerBackToSourceFailedRequest: { description: isD7yError(error) ? error.message : 'back-to-source failed' } });
      throw error;
    }
    send({ downloadPeerBackToSourceFinishedRequest: {} });
    return 'back-to-source';
  }

  private statTask(client: schedulerV2.SchedulerClient): Promise<commonV2.Task__Output | undefined> {
    return new Promise((resolve) => {
      client.StatTask({ hostId: this.options.hostId, taskId: this.options.taskId }, { deadline: Date.now() + 3000 }, (error: ServiceError | null, task?: commonV2.Task__Output) =>
        resolve(error ? undefined : task),
      );
    });
  }
}

/** gRPC metadata carrying the download's `traceparent` (empty without tracing). */
function traceMetadata(traceparent: string | undefined): Metadata {
  const metadata = new Metadata();
  if (traceparent) metadata.set(TRACEPARENT, traceparent);
  return metadata;
}
