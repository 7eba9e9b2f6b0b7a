import { SEED_PEER_FAILED_TIMEOUT_MS, SEED_PEER_PENDING_TIMEOUT_MS, TINY_FILE_SIZE } from '../constants.js';
import { Dag, type RemovedEdge } from './Dag.js';
import { Fsm, type Transition } from './Fsm.js';
import type { Peer } from './Peer.js';
import { TrustedPieces } from './TrustedPieces.js';

/** Standard task states (spec 3.2). */
export type TaskState = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Leave';
/** Standard task events (spec 3.2). */
export type TaskEvent = 'Download' | 'DownloadSucceeded' | 'DownloadFailed' | 'Leave';
/** common.v2.SizeScope names. */
export type SizeScope = 'NORMAL' | 'SMALL' | 'TINY' | 'EMPTY' | 'UNKNOW';

/** Dragonfly's standard task transitions (`resource/standard/task.go`). */
export const TASK_TRANSITIONS: Readonly<Record<TaskEvent, Transition<TaskState>>> = Object.freeze({
  Download: { from: ['Pending', 'Succeeded', 'Failed', 'Leave'], to: 'Running' },
  DownloadSucceeded: { from: ['Leave', 'Running', 'Failed'], to: 'Succeeded' },
  DownloadFailed: { from: ['Running'], to: 'Failed' },
  Leave: { from: ['Pending', 'Running', 'Succeeded', 'Failed'], to: 'Leave' },
});

/** Load an edge puts on the parent's host; removed again with the edge. */
export interface EdgeLoad {
  readonly txBandwidth: number;
  readonly contentLength: number;
  readonly pieces: number;
}

/** What a task is created with (from the first registration). */
export interface TaskInit {
  id: string;
  url: string;
  digest?: string;
  tag?: string;
  application?: string;
  filteredQueryParams: readonly string[];
  requestHeader: Readonly<Record<string, string>>;
  /** `scheduler.backToSourceCount`. */
  backToSourceLimit: number;
}

/**
 * The content addressed by a task id (Dragonfly's `standard.Task`): FSM, sizes, the DAG of its peers
 * (parent -> child, no cycles), the peers downloading from the origin, and the trusted piece digests.
 */
export class Task {
  readonly id: string;
  readonly url: string;
  readonly digest: string | undefined;
  readonly tag: string | undefined;
  readonly application: string | undefined;
  readonly filteredQueryParams: readonly string[];
  readonly requestHeader: Readonly<Record<string, string>>;
  readonly backToSourceLimit: number;
  readonly fsm = new Fsm<TaskState, TaskEvent>('Pending', TASK_TRANSITIONS);
  readonly dag = new Dag<Peer, EdgeLoad>();
  readonly backToSourcePeers = new Set<string>();
  readonly trustedPieces = new TrustedPieces();
  /** Bytes; -1 while unknown. */
  contentLength = -1;
  /** Bytes; 0 while unknown. */
  pieceLength = 0;
  /** 0 while unknown (or empty). */
  pieceCount = 0;
  /** When a seed peer last failed this task (0 = never). */
  seedPeerFailedAt = 0;
  /** When a seed peer was last triggered for this task (0 = never). */
  seedPeerTriggeredAt = 0;
  readonly createdAt: number;
  updatedAt: number;

  constructor(init: TaskInit, now = Date.now()) {
    this.id = init.id;
    this.url = init.url;
    this.digest = init.digest;
    this.tag = init.tag;
    this.application = init.application;
    this.filteredQueryParams = init.filteredQueryParams;
    this.requestHeader = init.requestHeader;
    this.backToSourceLimit = init.backToSourceLimit;
    this.createdAt = now;
    this.updatedAt = now;
  }

  get state(): TaskState {
    return this.fsm.current;
  }

  get peerCount(): number {
    return this.dag.size;
  }

  /** True once the content length is known. */
  get sizeKnown(): boolean {
    return this.contentLength >= 0 && this.pieceLength > 0;
  }

  /** Dragonfly's `SizeScope()`. */
  sizeScope(): SizeScope {
    if (this.contentLength < 0 || this.pieceCount < 0) return 'UNKNOW';
    if (this.contentLength === 0) return 'EMPTY';
    if (this.contentLength <= TINY_FILE_SIZE) return 'TINY';
    if (this.pieceCount === 1) return 'SMALL';
    return 'NORMAL';
  }

  /** Sets the sizes (from a registration's actual_* values). */
  setSizes(contentLength: number, pieceLength: number, pieceCount: number): void {
    this.contentLength = contentLength;
    this.pieceLength = pieceLength;
    this.pieceCount = pieceCount;
  }

  /** Forgets the sizes after a failed back-to-source (spec 3.2: content length -1, piece count 0). */
  resetSizes(): void {
    this.contentLength = -1;
    this.pieceCount = 0;
  }

  /** `CanBackToSource()`: at most `backToSourceCount` peers fetch from the origin. */
  canBackToSource(): boolean {
    return this.backToSourcePeers.size <= this.backToSourceLimit;
  }

  /** True while a seed peer failure for this task is recent (`SeedPeerFailedTimeout`). */
  isSeedPeerFailed(now = Date.now()): boolean {
    return this.seedPeerFailedAt > 0 && now - this.seedPeerFailedAt < SEED_PEER_FAILED_TIMEOUT_MS;
  }

  /**
   * True while a triggered seed peer is expected to become a parent soon: triggered less than
   * `SEED_PEER_PENDING_TIMEOUT_MS` ago, not failed since, and no seed peer of the task is downloading yet.
   */
  isSeedPeerPending(now = Date.now()): boolean {
    if (this.seedPeerTriggeredAt === 0 || now - this.seedPeerTriggeredAt >= SEED_PEER_PENDING_TIMEOUT_MS) return false;
    if (this.seedPeerFailedAt >= this.seedPeerTriggeredAt) return false;
    return !this.dag.values().some((peer) => peer.host.isSeed && peer.fsm.is('Running', 'BackToSource', 'Succeeded'));
  }

  /** True if a peer not in `blocklist` and not on `exceptHostId` could serve or is about to. */
  hasAvailablePeer(blocklist: ReadonlySet<string>, exceptHostId?: string): boolean {
    return this.dag.values().some(
      (peer) =>
        !blocklist.has(peer.id) &&
        peer.host.id !== exceptHostId &&
        peer.fsm.is('Pending', 'Running', 'Succeeded', 'BackToSource'),
    );
  }

  addPeer(peer: Peer): void {
    this.dag.addVertex(peer.id, peer);
  }

  /** Removes a peer and all its edges (releasing host load). */
  deletePeer(id: string): void {
    this.#release([...this.dag.deleteInEdges(id), ...this.dag.deleteOutEdges(id)]);
    this.dag.deleteVertex(id);
    this.backToSourcePeers.delete(id);
  }

  /** True if `parent -> child` can be added without a cycle. */
  canAddPeerEdge(parentId: string, childId: string): boolean {
    return this.dag.canAddEdge(parentId, childId);
  }

  /**
   * Adds `parent -> child` and charges the parent's host: one concurrent upload, the child's peak bandwidth,
   * the task's content length and the child's piece concurrency. Returns false (and changes nothing) when the
   * edge would close a cycle or a vertex is gone.
   */
  addPeerEdge(parent: Peer, child: Peer): boolean {
    if (!this.dag.canAddEdge(parent.id, child.id)) return false;
    const load: EdgeLoad = {
      txBandwidth: child.peakBandwidthUsage,
      contentLength: Math.max(0, this.contentLength),
      pieces: child.concurrentPieceCount,
    };
    this.dag.addEdge(parent.id, child.id, load);
    const host = parent.host;
    host.concurrentUploadCount++;
    host.txBandwidth += load.txBandwidth;
    host.uploadContentLength += load.contentLength;
    host.concurrentUploadPieceCount += load.pieces;
    return true;
  }

  /** Removes every edge into `id` (its parents), releasing their hosts' load. */
  deletePeerInEdges(id: string): void {
    this.#release(this.dag.deleteInEdges(id));
  }

  /** Removes every edge out of `id` (its children), releasing its host's load. */
  deletePeerOutEdges(id: string): void {
    this.#release(this.dag.deleteOutEdges(id));
  }

  #release(edges: RemovedEdge<EdgeLoad>[]): void {
    for (const edge of edges) {
      const host = this.dag.get(edge.from)?.host;
      if (!host) continue;
      host.concurrentUploadCount = Math.max(0, host.concurrentUploadCount - 1);
      host.txBandwidth = Math.max(0, host.txBandwidth - edge.data.txBandwidth);
      host.uploadContentLength = Math.max(0, host.uploadContentLength - edge.data.contentLength);
      host.concurrentUploadPieceCount = Math.max(0, host.concurrentUploadPieceCount - edge.data.pieces);
    }
  }
}
