import { createError, ErrorCodes } from '../../common/errors.js';
import { MAX_PEERS_PER_TASK } from '../constants.js';
import type { Host } from './Host.js';
import { Peer, type PeerInit } from './Peer.js';
import type { Task } from './Task.js';

/** Peers by id (Dragonfly's `PeerManager`); keeps each peer's task DAG and host in step. */
export class PeerManager {
  readonly #peers = new Map<string, Peer>();

  get size(): number {
    return this.#peers.size;
  }

  get(id: string): Peer | undefined {
    return this.#peers.get(id);
  }

  all(): Peer[] {
    return [...this.#peers.values()];
  }

  /**
   * Creates a Pending peer in `task`'s DAG and on `host`. Throws `D7Y_ERR_ALREADY_EXISTS` for a known id and
   * `D7Y_ERR_RESOURCE_EXHAUSTED` when the task has too many peers.
   */
  create(init: PeerInit, task: Task, host: Host, now = Date.now()): Peer {
    if (this.#peers.has(init.id)) throw createError(ErrorCodes.ALREADY_EXISTS, `peer ${init.id} already exists`);
    if (task.peerCount >= MAX_PEERS_PER_TASK) {
      throw createError(ErrorCodes.RESOURCE_EXHAUSTED, `task ${task.id} has too many peers (${MAX_PEERS_PER_TASK})`);
    }
    const peer = new Peer(init, task, host, now);
    task.addPeer(peer);
    host.peerIds.add(peer.id);
    this.#peers.set(peer.id, peer);
    return peer;
  }

  /** Moves the peer to Leave (if it is not there already). */
  leave(peer: Peer): void {
    if (peer.fsm.can('Leave')) peer.fsm.event('Leave');
  }

  /** Removes the peer from its task DAG, its host and the table. */
  delete(peer: Peer): void {
    if (this.#peers.get(peer.id) !== peer) return;
    peer.task.deletePeer(peer.id);
    peer.host.peerIds.delete(peer.id);
    this.#peers.delete(peer.id);
  }
}
