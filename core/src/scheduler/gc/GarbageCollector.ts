import type { Logger } from '../../plugin-api/Logger.js';
import { PEER_COUNT_LIMIT_FOR_TASK } from '../constants.js';
import type { Peer } from '../resource/Peer.js';
import type { Resource } from '../resource/Resource.js';

/** `scheduler.gc.*` (ms). */
export interface GcSettings {
  readonly pieceDownloadTimeoutMs: number;
  readonly peerGCIntervalMs: number;
  readonly peerTTLMs: number;
  readonly taskGCIntervalMs: number;
  readonly hostGCIntervalMs: number;
  readonly hostTTLMs: number;
}

/** Why GC removed a peer. */
export type PeerGcReason = 'left' | 'piece-timeout' | 'ttl' | 'disable-shared' | 'failed' | 'dag-too-large';

/**
 * Reclaims in-memory resources (spec 3.5): peers that left, stalled (no piece for `pieceDownloadTimeout`),
 * outlived `peerTTL`, failed, finished on a host that shares nothing, or are finished leaves of a DAG larger
 * than 300 peers; tasks without peers; hosts not announced within `hostTTL` (or twice their announce
 * interval), together with their peers.
 */
export class GarbageCollector {
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly resource: Resource,
    private readonly settings: GcSettings,
    private readonly logger: Logger,
    private readonly onHostRemoved: (hostId: string) => void = () => {},
  ) {}

  start(): void {
    const every = (ms: number, run: () => void) => {
      const timer = setInterval(() => {
        try {
          run();
        } catch (error) {
          this.logger.error({ err: error }, 'gc run failed');
        }
      }, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.settings.peerGCIntervalMs, () => this.runPeerGC());
    every(this.settings.taskGCIntervalMs, () => this.runTaskGC());
    every(this.settings.hostGCIntervalMs, () => this.runHostGC());
  }

  stop(): void {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
  }

  /** One peer GC round; returns the removed peers with their reasons. */
  runPeerGC(now = Date.now()): Array<{ id: string; reason: PeerGcReason }> {
    const removed: Array<{ id: string; reason: PeerGcReason }> = [];
    for (const peer of this.resource.peers.all()) {
      const reason = this.#peerReason(peer, now);
      if (!reason) continue;
      this.resource.removePeer(peer);
      removed.push({ id: peer.id, reason });
    }
    if (removed.length > 0) this.logger.debug({ removed: removed.length }, 'peer gc');
    return removed;
  }

  /** One task GC round: tasks without peers leave and are removed. Returns their ids. */
  runTaskGC(): string[] {
    const removed: string[] = [];
    for (const task of this.resource.tasks.all()) {
      if (task.peerCount > 0) continue;
      if (task.fsm.can('Leave')) task.fsm.event('Leave');
      this.resource.tasks.delete(task.id);
      removed.push(task.id);
    }
    if (removed.length > 0) this.logger.debug({ removed: removed.length }, 'task gc');
    return removed;
  }

  /** One host GC round: hosts silent for `hostTTL` (or twice their announce interval) are removed. */
  runHostGC(now = Date.now()): string[] {
    const removed: string[] = [];
    for (const host of this.resource.hosts.all()) {
      const idle = now - host.updatedAt;
      const interval = host.info.announceIntervalMs;
      if (idle <= this.settings.hostTTLMs && !(interval > 0 && idle > 2 * interval)) continue;
      this.resource.removeHost(host);
      this.onHostRemoved(host.id);
      removed.push(host.id);
    }
    if (removed.length > 0) this.logger.info({ hosts: removed }, 'host gc');
    return removed;
  }

  #peerReason(peer: Peer, now: number): PeerGcReason | undefined {
    if (peer.state === 'Leave') return 'left';
    if (peer.fsm.is('Running', 'BackToSource') && now - peer.pieceUpdatedAt > this.settings.pieceDownloadTimeoutMs) return 'piece-timeout';
    if (now - peer.updatedAt > this.settings.peerTTLMs) return 'ttl';
    if (peer.state === 'Failed') return 'failed';
    if (peer.state === 'Succeeded' && peer.host.info.disableShared) return 'disable-shared';
    if (peer.state === 'Succeeded' && peer.task.peerCount > PEER_COUNT_LIMIT_FOR_TASK && peer.task.dag.outDegree(peer.id) === 0) {
      return 'dag-too-large';
    }
    return undefined;
  }
}
