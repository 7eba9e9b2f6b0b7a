import type { PeerState } from '../../plugin-api/scheduling/Evaluator.js';
import { DEFAULT_CONCURRENT_PIECE_COUNT, MAX_BLOCKED_PARENTS, PIECE_COSTS_WINDOW } from '../constants.js';
import { Fsm, type Transition } from './Fsm.js';
import type { Host } from './Host.js';
import type { Task } from './Task.js';

export type { PeerState };

/** Events of the standard peer FSM (spec 3.1). */
export type PeerEvent =
  | 'RegisterEmpty'
  | 'RegisterTiny'
  | 'RegisterSmall'
  | 'RegisterNormal'
  | 'Download'
  | 'DownloadBackToSource'
  | 'DownloadSucceeded'
  | 'DownloadFailed'
  | 'Leave';

/** Download priority names (common.v2.Priority). */
export type Priority = 'LEVEL0' | 'LEVEL1' | 'LEVEL2' | 'LEVEL3' | 'LEVEL4' | 'LEVEL5' | 'LEVEL6';

const RECEIVED: PeerState[] = ['ReceivedEmpty', 'ReceivedTiny', 'ReceivedSmall', 'ReceivedNormal'];

/** Dragonfly's standard peer transitions (`resource/standard/peer.go`). */
export const PEER_TRANSITIONS: Readonly<Record<PeerEvent, Transition<PeerState>>> = Object.freeze({
  RegisterEmpty: { from: ['Pending'], to: 'ReceivedEmpty' },
  RegisterTiny: { from: ['Pending'], to: 'ReceivedTiny' },
  RegisterSmall: { from: ['Pending'], to: 'ReceivedSmall' },
  RegisterNormal: { from: ['Pending'], to: 'ReceivedNormal' },
  Download: { from: RECEIVED, to: 'Running' },
  DownloadBackToSource: { from: [...RECEIVED, 'Running'], to: 'BackToSource' },
  DownloadSucceeded: { from: [...RECEIVED, 'Running', 'BackToSource'], to: 'Succeeded' },
  DownloadFailed: { from: ['Pending', ...RECEIVED, 'Running', 'BackToSource', 'Succeeded'], to: 'Failed' },
  Leave: {
    from: ['Pending', ...RECEIVED, 'Running', 'BackToSource', 'Succeeded', 'Failed'],
    to: 'Leave',
  },
});

/** What a peer is created with. */
export interface PeerInit {
  id: string;
  priority: Priority;
  concurrentPieceCount?: number;
  range?: { start: number; length: number };
}

/**
 * One host's download of one task (Dragonfly's `standard.Peer`): the FSM, finished pieces, the rolling
 * piece-cost window, the parents it must not be given again, and timestamps GC reads.
 */
export class Peer {
  readonly id: string;
  readonly task: Task;
  readonly host: Host;
  readonly priority: Priority;
  readonly range: { start: number; length: number } | undefined;
  readonly concurrentPieceCount: number;
  readonly fsm: Fsm<PeerState, PeerEvent>;
  /** Piece numbers this peer holds. */
  readonly finishedPieces = new Set<number>();
  /** Recent piece costs (ms), oldest first, at most `PIECE_COSTS_WINDOW`. */
  readonly pieceCosts: number[] = [];
  /** Parents never to offer again: self, rescheduled parents and parents of failed pieces. */
  readonly blockParents = new Set<string>();
  /** Every parent this scheduler offered to this peer (failures only count against these). */
  readonly assignedParents = new Set<string>();
  /** Parents whose host already got an upload failure counted from this peer. */
  readonly failureCountedParents = new Set<string>();
  /** The peer must fetch from the origin (request, seed host, LEVEL3, or no seed peer). */
  needBackToSource = false;
  /** The scheduler answered need_back_to_source; only then do its back-to-source pieces become trusted. */
  backToSourceGranted = false;
  readonly createdAt: number;
  updatedAt: number;
  /** Last piece report (GC: pieceDownloadTimeout). */
  pieceUpdatedAt: number;

  constructor(init: PeerInit, task: Task, host: Host, now = Date.now()) {
    this.id = init.id;
    this.task = task;
    this.host = host;
    this.priority = init.priority;
    this.range = init.range;
    this.concurrentPieceCount = init.concurrentPieceCount || DEFAULT_CONCURRENT_PIECE_COUNT;
    this.createdAt = now;
    this.updatedAt = now;
    this.pieceUpdatedAt = now;
    this.fsm = new Fsm<PeerState, PeerEvent>('Pending', PEER_TRANSITIONS, (event, from) => this.#afterTransition(event, from));
  }

  get state(): PeerState {
    return this.fsm.current;
  }

  /**
   * False for a peer that registered for a byte range short of the whole task (a proxy or dfget range request):
   * once finished it holds only that range's pieces, so it does not complete the task and is not listed as
   * caching it. With the task's size unknown, any range counts as partial.
   */
  holdsWholeTask(): boolean {
    if (this.range === undefined) return true;
    const contentLength = this.task.contentLength;
    return contentLength >= 0 && this.range.start === 0 && this.range.length >= contentLength;
  }

  /** Appends a piece cost to the rolling window. */
  appendPieceCost(costMs: number): void {
    this.pieceCosts.push(costMs);
    if (this.pieceCosts.length > PIECE_COSTS_WINDOW) this.pieceCosts.splice(0, this.pieceCosts.length - PIECE_COSTS_WINDOW);
  }

  /** Blocks a parent for this peer; false when the block list is full. */
  blockParent(parentId: string): boolean {
    if (this.blockParents.has(parentId)) return true;
    if (this.blockParents.size >= MAX_BLOCKED_PARENTS) return false;
    this.blockParents.add(parentId);
    return true;
  }

  /** Bits per second this peer may pull from one parent: `piece_length × concurrent_piece_count × 8`. */
  get peakBandwidthUsage(): number {
    return Math.max(0, this.task.pieceLength) * this.concurrentPieceCount * 8;
  }

  /** Marks the peer as active now. */
  touch(now = Date.now()): void {
    this.updatedAt = now;
  }

  #afterTransition(event: PeerEvent, from: PeerState): void {
    this.updatedAt = Date.now();
    switch (event) {
      case 'DownloadBackToSource':
        this.task.backToSourcePeers.add(this.id);
        this.task.deletePeerInEdges(this.id);
        break;
      case 'DownloadSucceeded':
        if (from === 'BackToSource') this.task.backToSourcePeers.delete(this.id);
        this.task.deletePeerInEdges(this.id);
        break;
      case 'Leave':
        this.task.backToSourcePeers.delete(this.id);
        this.task.deletePeerInEdges(this.id);
        break;
      default:
        break;
    }
  }
}
