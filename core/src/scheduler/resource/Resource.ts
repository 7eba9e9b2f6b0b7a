import type { Host } from './Host.js';
import { HostManager } from './HostManager.js';
import type { Peer } from './Peer.js';
import { PeerManager } from './PeerManager.js';
import type { Task } from './Task.js';
import { TaskManager } from './TaskManager.js';

/** The scheduler's in-memory resources (Dragonfly's `resource.Resource`): hosts, tasks and peers. */
export class Resource {
  readonly hosts = new HostManager();
  readonly tasks = new TaskManager();
  readonly peers = new PeerManager();

  /** The peer leaves and is removed at once (DeletePeer, DeleteHost). */
  removePeer(peer: Peer): void {
    this.peers.leave(peer);
    this.peers.delete(peer);
  }

  /** The host leaves: its peers leave and are removed, then the host (DeleteHost, host GC). */
  removeHost(host: Host): void {
    for (const id of [...host.peerIds]) {
      const peer = this.peers.get(id);
      if (peer) this.removePeer(peer);
    }
    this.hosts.delete(host.id);
  }

  /** The peers of `task` on `host`. */
  peersOf(task: Task, host: Host): Peer[] {
    return [...host.peerIds].map((id) => this.peers.get(id)).filter((peer): peer is Peer => peer?.task === task);
  }
}
