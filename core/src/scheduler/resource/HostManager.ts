import { createError, ErrorCodes } from '../../common/errors.js';
import { MAX_HOSTS } from '../constants.js';
import { Host, type HostInfo } from './Host.js';

/** Announced hosts by id (Dragonfly's `HostManager`). */
export class HostManager {
  readonly #hosts = new Map<string, Host>();

  get size(): number {
    return this.#hosts.size;
  }

  get(id: string): Host | undefined {
    return this.#hosts.get(id);
  }

  /** Every host, in announce order. */
  all(): Host[] {
    return [...this.#hosts.values()];
  }

  /** Hosts of type super (seed peers), in announce order (`LoadAllSeeds`). */
  seeds(): Host[] {
    return this.all().filter((host) => host.isSeed);
  }

  /**
   * Creates or refreshes a host. A re-announce keeps the counters. Throws `D7Y_ERR_RESOURCE_EXHAUSTED` when
   * the table is full.
   */
  upsert(info: HostInfo, observedIp: string, now = Date.now()): Host {
    const known = this.#hosts.get(info.id);
    if (known) {
      known.update(info, now);
      if (observedIp) known.observedIp = observedIp;
      return known;
    }
    if (this.#hosts.size >= MAX_HOSTS) throw createError(ErrorCodes.RESOURCE_EXHAUSTED, `host table is full (${MAX_HOSTS} hosts)`);
    const host = new Host(info, observedIp, now);
    this.#hosts.set(info.id, host);
    return host;
  }

  /** Removes a host from the table (its peers are handled by `Resource.deleteHost`). */
  delete(id: string): void {
    this.#hosts.delete(id);
  }
}
