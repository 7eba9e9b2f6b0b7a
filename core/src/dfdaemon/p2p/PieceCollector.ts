import { credentials, type ClientReadableStream } from '@grpc/grpc-js';
import { type commonV2, type dfdaemonV2, grpcChannelOptions, loadProtos } from '@d7y/proto';

import { deadline } from '../../common/deadline.js';
import { isD7yError } from '../../common/errors.js';
import type { PieceSpan } from '../../common/pieces.js';
import type { ByteRateLimiter } from '../../common/rateLimit.js';
import { timerDelay } from '../../common/timers.js';
import type { Logger, PieceRecord, StorageEngine } from '../../plugin-api/index.js';
import { fetchPiece } from './pieceFetch.js';
import { selectPieces, shuffled } from './pieceSelection.js';
import type { TrustedDigests } from './TrustedDigests.js';

/** Refreshes of the trusted digests without news before the collector gives up on its parents. */
const MAX_FRUITLESS_DIGEST_REFRESHES = 100;

/**
 * How long a child with non-seed parents waits for them to deliver a piece before it asks a seed for pieces only
 * the seed has (see `selectPieces`).
 */
export const SEED_PATIENCE_MS = 1000;

/** `download.collectedPieceTimeout` default (Dragonfly's 360 s). */
export const DEFAULT_COLLECTED_PIECE_TIMEOUT_MS = 360_000;

/** Host type of a normal peer in `common.v2.Host.type`; every other type is a seed peer. */
const NORMAL_HOST_TYPE = 0;

/** One candidate parent and what the child knows about it. */
interface ParentState {
  id: string;
  ip: string;
  uploadPort: number;
  downloadPort: number;
  /** A seed peer: its upload link is shared by the whole swarm. */
  seed: boolean;
  available: Set<number>;
  inflight: number;
  blocked: boolean;
  syncEnded: boolean;
  sync?: ClientReadableStream<dfdaemonV2.SyncPiecesResponse__Output>;
  client?: dfdaemonV2.DfdaemonUploadClient;
}

/** What the collector reports to the conductor. */
export interface CollectorEvents {
  /** A piece was fetched from a parent, verified against its trusted digest and stored. */
  onPiece(record: PieceRecord, parentId: string): void;
  /** A piece fetch from a parent failed; the parent is now blocked for this task. */
  onPieceFailed(pieceNumber: number, parentId: string, error: unknown): void;
  /** No parent can provide the missing pieces any more: ask the scheduler for others. */
  onStarved(blockedParentIds: string[]): void;
}

export interface CollectorOptions {
  taskId: string;
  hostId: string;
  missing: readonly PieceSpan[];
  storage: StorageEngine;
  limiter: ByteRateLimiter;
  concurrency: number;
  pieceTimeoutMs: number;
  /**
   * `download.collectedPieceTimeout`: longest time without progress (no parent announcing a piece this child
   * needs, no piece arriving) while nothing is being fetched. Then the parents that have nothing to give are
   * blocked and the scheduler is asked for others, so a parent that hangs with its piece stream open cannot stall
   * the download forever. Default 360 s, as Dragonfly.
   */
  collectedPieceTimeoutMs?: number;
  digests: TrustedDigests;
  logger: Logger;
  events: CollectorEvents;
}

/**
 * Collects a task's missing pieces from several parents at once. Learns which parent has which piece from
 * their SyncPieces streams, sends each piece request to the least busy parent that has it, verifies every piece
 * against the trusted digest while storing it, and blocks parents that fail, stall or serve bad bytes.
 */
export class PieceCollector {
  private readonly parents = new Map<string, ParentState>();
  private readonly missing = new Map<number, PieceSpan>();
  /** The order this child asks for pieces in: random, so that children starting together spread out. */
  private readonly order: number[];
  private readonly inflight = new Set<number>();
  private readonly controller = new AbortController();
  private resolveDone!: () => void;
  private starvedReported = false;
  /** When a non-seed parent last delivered a piece (or the first one was added). */
  private lastPeerPieceAt = 0;
  /** Re-runs `pump` when the seed patience runs out. */
  private patienceTimer: NodeJS.Timeout | undefined;
  /** Fires after `collectedPieceTimeoutMs` without progress. */
  private progressTimer: NodeJS.Timeout | undefined;
  readonly done: Promise<void>;

  constructor(private readonly options: CollectorOptions) {
    for (const span of options.missing) this.missing.set(span.number, span);
    this.order = shuffled(this.missing.keys());
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    if (this.missing.size === 0) this.resolveDone();
    else this.progressed();
  }

  /** Numbers of pieces still missing. */
  get remaining(): number[] {
    return [...this.missing.keys()];
  }

  /** True while every usable parent is a seed peer (and there is at least one). */
  get onlySeedParents(): boolean {
    const live = [...this.parents.values()].filter((parent) => !parent.blocked);
    return live.length > 0 && live.every((parent) => parent.seed);
  }

  /** Ids of parents blocked for this task. */
  get blockedParents(): string[] {
    return [...this.parents.values()].filter((parent) => parent.blocked).map((parent) => parent.id);
  }

  /** Adds candidate parents from a scheduler answer and starts following their pieces. */
  addParents(peers: readonly commonV2.Peer__Output[]): void {
    this.starvedReported = false;
    for (const peer of peers) {
      if (this.parents.has(peer.id) || !peer.host?.ip || !peer.host.port || !peer.host.downloadPort) continue;
      this.options.digests.addFrom(peer.task);
      if (peer.host.type === NORMAL_HOST_TYPE && ![...this.parents.values()].some((known) => !known.seed)) this.lastPeerPieceAt = performance.now();
      const parent: ParentState = {
        id: peer.id,
        ip: peer.host.ip,
        uploadPort: peer.host.port,
        downloadPort: peer.host.downloadPort,
        seed: peer.host.type !== NORMAL_HOST_TYPE,
        available: new Set(),
        inflight: 0,
        blocked: false,
        syncEnded: false,
      };
      this.parents.set(peer.id, parent);
      this.follow(parent);
    }
    this.pump();
  }

  /** Stops following parents and aborts piece fetches in flight; waits for them to settle. */
  async stop(): Promise<void> {
    this.controller.abort();
    clearTimeout(this.patienceTimer);
    clearTimeout(this.progressTimer);
    for (const parent of this.parents.values()) this.close(parent);
    while (this.inflight.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  private follow(parent: ParentState): void {
    const { dfdaemon } = loadProtos();
    parent.client = new dfdaemon.v2.DfdaemonUpload(`${parent.ip.includes(':') ? `[${parent.ip}]` : parent.ip}:${parent.uploadPort}`, credentials.createInsecure(), grpcChannelOptions());
    const sync = parent.client.SyncPieces({ hostId: this.options.hostId, taskId: this.options.taskId, interestedPieceNumbers: this.remaining });
    parent.sync = sync;
    sync.on('data', (piece: dfdaemonV2.SyncPiecesResponse__Output) => {
      if (this.missing.has(piece.number)) {
        if (!parent.available.has(piece.number)) this.progressed();
        parent.available.add(piece.number);
        this.pump();
      }
    });
    sync.on('error', (error) => {
      if (this.controller.signal.aborted) return;
      this.options.logger.debug({ parent: parent.id, err: error }, 'piece sync with parent failed');
      this.block(parent);
    });
    sync.on('end', () => {
      parent.syncEnded = true;
      this.pump();
    });
  }

  private close(parent: ParentState): void {
    parent.sync?.cancel();
    parent.client?.close();
  }

  private block(parent: ParentState): void {
    if (parent.blocked) return;
    parent.blocked = true;
    this.close(parent);
    this.pump();
  }

  /** Starts as many fetches as the concurrency allows (see `selectPieces`); reports starvation when nothing can progress. */
  private pump(): void {
    if (this.controller.signal.aborted) return;
    const { digests, concurrency } = this.options;
    const patienceLeft = this.lastPeerPieceAt + SEED_PATIENCE_MS - performance.now();
    const { picks, waitingForDigest, seedHeldBack } = selectPieces({
      order: this.order.filter((number) => this.missing.has(number) && !this.inflight.has(number)),
      parents: [...this.parents.values()],
      slots: concurrency - this.inflight.size,
      seedLimit: Math.max(2, Math.ceil(concurrency / 4)),
      peersStalled: patienceLeft <= 0,
      hasDigest: (number) => digests.get(number) !== undefined,
    });
    for (const { number, parent } of picks) void this.fetch(parent, this.missing.get(number)!, digests.get(number)!);
    // Held back only for patience: look again when it runs out (a piece arriving from a peer pumps anyway).
    if (seedHeldBack && patienceLeft > 0 && !this.patienceTimer) {
      this.patienceTimer = setTimeout(() => {
        this.patienceTimer = undefined;
        this.pump();
      }, patienceLeft);
    }
    if (picks.length > 0 || seedHeldBack) return;
    if (waitingForDigest) {
      if (digests.fruitlessRefreshes > MAX_FRUITLESS_DIGEST_REFRESHES) return this.starve();
      void digests.refresh().then(() => this.pump());
      return;
    }
    if (this.inflight.size === 0 && this.missing.size > 0) {
      const hopeful = [...this.parents.values()].some((parent) => !parent.blocked && !parent.syncEnded);
      if (!hopeful) this.starve();
    }
  }

  /** Restarts the no-progress watchdog (`collectedPieceTimeoutMs`). */
  private progressed(): void {
    clearTimeout(this.progressTimer);
    if (this.missing.size === 0 || this.controller.signal.aborted) return;
    const timeoutMs = this.options.collectedPieceTimeoutMs ?? DEFAULT_COLLECTED_PIECE_TIMEOUT_MS;
    this.progressTimer = setTimeout(() => this.noProgress(timeoutMs), timerDelay(timeoutMs));
    this.progressTimer.unref?.();
  }

  /** Nothing arrived for `timeoutMs`: parents holding nothing this child needs are given up, and the scheduler asked again. */
  private noProgress(timeoutMs: number): void {
    if (this.controller.signal.aborted || this.missing.size === 0) return;
    if (this.inflight.size > 0) return this.progressed(); // fetches have their own piece timeout
    const idle = [...this.parents.values()].filter((parent) => !parent.blocked && ![...parent.available].some((number) => this.missing.has(number)));
    this.options.logger.warn({ taskId: this.options.taskId, timeoutMs, idleParents: idle.map((parent) => parent.id), missing: this.missing.size }, 'no piece collected within download.collectedPieceTimeout');
    for (const parent of idle) {
      parent.blocked = true;
      this.close(parent);
    }
    this.starvedReported = false;
    this.starve();
    this.progressed();
  }

  private starve(): void {
    if (this.starvedReported) return;
    this.starvedReported = true;
    // A parent whose piece sync has ended and that holds none of the missing pieces (it downloaded only a range,
    // or lost pieces) can never help this download: blocked here and named in the reschedule, so the scheduler
    // stops offering it.
    for (const parent of this.parents.values()) {
      if (!parent.blocked && parent.syncEnded && ![...parent.available].some((number) => this.missing.has(number))) {
        parent.blocked = true;
        this.close(parent);
      }
    }
    this.options.events.onStarved(this.blockedParents);
  }

  private async fetch(parent: ParentState, span: PieceSpan, digest: string): Promise<void> {
    const { storage, taskId, limiter, pieceTimeoutMs, events } = this.options;
    this.inflight.add(span.number);
    parent.inflight++;
    const timeout = deadline([this.controller.signal], pieceTimeoutMs);
    const { signal } = timeout;
    const started = performance.now();
    try {
      const body = await fetchPiece({ ip: parent.ip, port: parent.downloadPort }, taskId, span.number, span.length, signal);
      const record = await storage.writePiece(
        taskId,
        { number: span.number, offset: span.offset, length: span.length, expectedDigest: digest, parentId: parent.id, costMs: Math.round(performance.now() - started) },
        limiter.wrap(body),
      );
      if (!parent.seed) this.lastPeerPieceAt = performance.now();
      this.missing.delete(span.number);
      this.progressed();
      events.onPiece(record, parent.id);
      if (this.missing.size === 0) this.resolveDone();
    } catch (error) {
      if (!this.controller.signal.aborted) {
        this.options.logger.warn({ parent: parent.id, piece: span.number, err: isD7yError(error) ? error.message : error }, 'piece from parent failed; blocking the parent');
        events.onPieceFailed(span.number, parent.id, error);
        parent.available.delete(span.number);
        this.block(parent);
      }
    } finally {
      timeout.clear();
      parent.inflight--;
      this.inflight.delete(span.number);
      this.pump();
    }
  }
}
