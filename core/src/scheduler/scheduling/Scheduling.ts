import { createError, ErrorCodes } from '../../common/errors.js';
import type { Logger } from '../../plugin-api/Logger.js';
import type { Evaluator, EvaluatorPeer } from '../../plugin-api/scheduling/Evaluator.js';
import type { Peer } from '../resource/Peer.js';
import { peerView } from '../resource/views.js';
import { abortableSleep, jitteredInterval, type Sleep } from './delay.js';
import { filterCandidateParents } from './filterParents.js';

/** Knobs of the scheduling loop (`scheduler.*` plus Dragonfly's parent limits). */
export interface SchedulingConfig {
  readonly retryLimit: number;
  readonly retryBackToSourceLimit: number;
  readonly retryIntervalMs: number;
  readonly candidateParentLimit: number;
  readonly filterParentLimit: number;
}

/** The evaluator's view of one decision, for `SchedulingObserver`. */
interface RankedCandidates {
  /** The parents to offer, best first, at most `candidateParentLimit`. */
  readonly parents: Peer[];
  readonly child: EvaluatorPeer;
  /** Every filtered candidate in the evaluator's order. */
  readonly ranked: readonly Peer[];
  readonly views: ReadonlyMap<Peer, EvaluatorPeer>;
}

/** Told about every decision that gave a peer parents (d7y: the download records). */
export interface SchedulingObserver {
  /** `ranked`: every filtered candidate as the evaluator saw it, in its order; `chosen`: ids connected in the DAG. */
  decided(peer: Peer, child: EvaluatorPeer, ranked: readonly EvaluatorPeer[], chosen: readonly string[]): void;
}

/** What the loop decided for a peer. */
export type ScheduleDecision =
  | { readonly kind: 'needBackToSource'; readonly description: string }
  | { readonly kind: 'normal'; readonly parents: readonly Peer[] };

/**
 * Parent selection (Dragonfly's `scheduling.Scheduling`, v2): the `ScheduleCandidateParents` retry loop
 * (spec 4.3) around filtering, evaluator ranking and DAG edge insertion.
 */
export class Scheduling {
  constructor(
    private readonly evaluator: Evaluator,
    private readonly config: SchedulingConfig,
    private readonly logger: Logger,
    private readonly sleep: Sleep = abortableSleep,
    private readonly now: () => number = Date.now,
    private readonly observer?: SchedulingObserver,
  ) {}

  /**
   * Runs the loop for `peer` until it has parents, must go back-to-source, or the retry limit is hit
   * (`D7Y_ERR_FAILED_PRECONDITION`, "scheduling exceeded RetryLimit"). Rejects with `D7Y_ERR_CANCELLED` when
   * `signal` aborts. The returned parents are connected to the peer in the DAG and recorded as assigned.
   * d7y addition: attempts made while the task's triggered seed peer is still pending
   * (`Task.isSeedPeerPending`, at most `SEED_PEER_PENDING_TIMEOUT_MS`) do not count as retries.
   */
  async scheduleCandidateParents(peer: Peer, signal?: AbortSignal): Promise<ScheduleDecision> {
    const { retryLimit, retryBackToSourceLimit, retryIntervalMs } = this.config;
    const task = peer.task;
    for (let n = 0, attempt = 0; ; attempt++) {
      if (signal?.aborted) throw createError(ErrorCodes.CANCELLED, 'scheduling cancelled');
      if (peer.state === 'Leave' || task.dag.get(peer.id) !== peer) throw createError(ErrorCodes.NOT_FOUND, `peer ${peer.id} left while being scheduled`);
      if (task.canBackToSource()) {
        if (peer.needBackToSource) return { kind: 'needBackToSource', description: "peer's NeedBackToSource is true" };
        if (n >= retryBackToSourceLimit) return { kind: 'needBackToSource', description: 'scheduling exceeded RetryBackToSourceLimit' };
      }
      if (n >= retryLimit) throw createError(ErrorCodes.FAILED_PRECONDITION, 'scheduling exceeded RetryLimit');

      task.deletePeerInEdges(peer.id);
      const decision = await this.#rankCandidates(peer);
      const candidates = decision?.parents ?? [];
      const added = candidates.filter((parent) => task.dag.has(parent.id) && task.addPeerEdge(parent, peer));
      if (added.length > 0) {
        for (const parent of added) peer.assignedParents.add(parent.id);
        if (decision && this.observer) this.#notify(peer, decision, added);
        this.logger.debug({ peerId: peer.id, taskId: task.id, parents: added.map((p) => p.id), attempt }, 'scheduled candidate parents');
        return { kind: 'normal', parents: added };
      }
      // d7y: while a triggered seed peer is on its way, waiting for it is not a failed attempt.
      const waitingForSeed = task.isSeedPeerPending(this.now());
      if (!waitingForSeed) n++;
      this.logger.debug({ peerId: peer.id, taskId: task.id, attempt, waitingForSeed }, 'no candidate parents; retrying');
      await this.sleep(jitteredInterval(retryIntervalMs), signal);
    }
  }

  /**
   * `FindCandidateParents`: the filtered candidates ranked by the evaluator, at most `candidateParentLimit`.
   * Empty unless the peer is ReceivedNormal or Running. An evaluator error is logged and the filter order kept.
   */
  async findCandidateParents(peer: Peer): Promise<Peer[]> {
    return (await this.#rankCandidates(peer))?.parents ?? [];
  }

  /** `findCandidateParents` plus the views the evaluator saw (for the observer); undefined when none. */
  async #rankCandidates(peer: Peer): Promise<RankedCandidates | undefined> {
    if (!peer.fsm.is('ReceivedNormal', 'Running')) return undefined;
    const filtered = filterCandidateParents(peer, this.evaluator, this.config.filterParentLimit, this.logger);
    if (filtered.length === 0) return undefined;
    const byView = new Map<EvaluatorPeer, Peer>(filtered.map((candidate) => [peerView(candidate), candidate]));
    const child = peerView(peer);
    let ranked: Peer[];
    try {
      const order = await this.evaluator.evaluateParents([...byView.keys()], child, peer.task.pieceCount);
      ranked = order.map((view) => byView.get(view)).filter((candidate): candidate is Peer => candidate !== undefined);
    } catch (error) {
      this.logger.error({ err: error, peerId: peer.id }, 'evaluator failed to rank parents; using filter order');
      ranked = filtered;
    }
    const views = new Map<Peer, EvaluatorPeer>([...byView].map(([view, candidate]) => [candidate, view]));
    return { parents: [...new Set(ranked)].slice(0, this.config.candidateParentLimit), child, views, ranked };
  }

  #notify(peer: Peer, decision: RankedCandidates, added: readonly Peer[]): void {
    const ranked = decision.ranked.map((candidate) => decision.views.get(candidate)).filter((view): view is EvaluatorPeer => view !== undefined);
    try {
      this.observer?.decided(peer, decision.child, ranked, added.map((parent) => parent.id));
    } catch (error) {
      this.logger.error({ err: error, peerId: peer.id }, 'scheduling observer failed');
    }
  }
}
