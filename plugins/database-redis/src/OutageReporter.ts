import type { Logger } from '@d7y/core/plugin-api';

/**
 * Logs outages of one backend's connections once: a warning when the first connection goes down, an info
 * line when the last one is back. Blocking connections are not reported (they come and go with the pool).
 */
export class OutageReporter {
  readonly #down = new Set<string>();
  #everUp = false;

  constructor(
    private readonly where: string,
    private readonly logger?: Logger,
  ) {}

  /** `name` lost its connection (or never got one) because of `reason`. */
  down(name: string, reason: string | undefined): void {
    if (this.#down.has(name)) return;
    this.#down.add(name);
    if (this.#down.size > 1) return;
    const fields = { redis: this.where, reason };
    if (this.#everUp) this.logger?.warn(fields, 'redis connection lost; shared-state calls fail with D7Y_ERR_UNAVAILABLE until it is back');
    else this.logger?.warn(fields, 'cannot connect to redis; retrying in the background');
  }

  /** `name` is connected. */
  up(name: string): void {
    const wasDown = this.#down.delete(name);
    if (wasDown && this.#down.size === 0) this.logger?.info({ redis: this.where }, 'redis connection restored');
    this.#everUp = true;
  }
}
