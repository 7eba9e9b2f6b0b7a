/**
 * Marks schedulers and seed peers inactive when their keep-alive went stale: a sender killed while its
 * stream was held by a manager that also died (or by another replica that lost its database link) would
 * otherwise stay "active" in the console forever. Safe with several replicas, since a live sender refreshes
 * `last_keep_alive_at` far more often than the stale window.
 */
import type { Logger } from '../plugin-api/Logger.js';
import type { Repositories } from './models/index.js';

/** Periodic liveness expiry. */
export class LivenessSweeper {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repos: Pick<Repositories, 'schedulers' | 'seedPeers'>,
    private readonly staleAfterMs: number,
    private readonly logger: Logger,
    /** Called after a sweep changed rows (the manager invalidates cached scheduler lists). */
    private readonly onExpired: () => Promise<void> = async () => undefined,
  ) {}

  /** Sweeps now and then every `intervalMs`. */
  start(intervalMs: number): void {
    void this.sweep();
    this.#timer = setInterval(() => void this.sweep(), intervalMs);
    this.#timer.unref();
  }

  /** Stops sweeping. */
  stop(): void {
    clearInterval(this.#timer);
  }

  /** One sweep; returns how many rows were marked inactive (0 when the database is unreachable). */
  async sweep(now = Date.now()): Promise<number> {
    const before = new Date(now - this.staleAfterMs);
    try {
      const n = (await this.repos.schedulers.expireStale(before)) + (await this.repos.seedPeers.expireStale(before));
      if (n > 0) {
        this.logger.info({ rows: n, staleAfterMs: this.staleAfterMs }, 'marked stale schedulers and seed peers inactive');
        await this.onExpired();
      }
      return n;
    } catch (error) {
      this.logger.warn({ err: error }, 'liveness sweep failed');
      return 0;
    }
  }
}
