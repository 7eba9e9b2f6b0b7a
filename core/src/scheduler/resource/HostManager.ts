import { createError, ErrorCodes } from '../../common/errors.js';
import { MAX_HOSTS, NORMAL_HOST_UPLOAD_LIMIT, SEED_HOST_UPLOAD_LIMIT } from '../constants.js';
import { Host, type HostInfo } from './Host.js';

/** Announced hosts by id (Dragonfly's `HostManager`). */
export class HostManager {
  readonly #hosts = new Map<string, Host>();
  #uploadLimits = { normal: NORMAL_HOST_UPLOAD_LIMIT, seed: SEED_HOST_UPLOAD_LIMIT };

  /**
   * Sets the concurrent uploads each host may serve before it stops being offered as a parent (the clusters'
   * `load_limit`): `normal` for peers, `seed` for seed peers. Applies to known hosts at once.
   */
  setUploadLimits(normal: number, seed: number): void {
    this.#uploadLimits = { normal, seed };
    for (const host of this.#hosts.values()) this.#applyLimit(host);
  }

  #applyLimit(host: Host): void {
    host.concurrentUploadLimit = host.isSeed ? this.#uploadLimits.seed : this.#uploadLimits.normal;
  }

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
      this.#applyLimit(known);
      if (observedIp) known.observedIp = observedIp;
      return known;
    }
    if (this.#hosts.size >= MAX_HOSTS) throw createError(ErrorCodes.RESOURCE_EXHAUSTED, `host table is full (${MAX_HOSTS} hosts)`);
    const host = new Host(info, observedIp, now);
    this.#applyLimit(host);
    this.#hosts.set(info.id, host);
    return host;
  }

  /** Removes a host from the table (its peers are handled by `Resource.deleteHost`). */
  delete(id: string): void {
    this.#hosts.delete(id);
  }
}
