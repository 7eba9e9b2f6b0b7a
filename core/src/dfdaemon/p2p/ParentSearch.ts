/** Delays, in ms, between the requests for more parents while a child has only seed peers to take from. */
export const PARENT_SEARCH_DELAYS_MS: readonly number[] = Object.freeze([100, 250, 500, 1000, 2000, 4000]);

/**
 * Asks the scheduler for more parents while a child's only usable parents are seed peers.
 *
 * Peers that register together are each other's best parents, but the scheduler can offer a peer only once it
 * has started (Dragonfly's bad-parent rule excludes peers still in ReceivedNormal), so a flash crowd's first
 * answers name the seed alone. Without a second look every child would take the whole file from the seed.
 * The search asks again on a doubling delay while `wanted()` holds, and stops after the last delay.
 */
export class ParentSearch {
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;

  /**
   * @param wanted whether the child still needs more parents (only seeds usable and pieces missing)
   * @param ask sends one reschedule request that blocks nobody
   */
  constructor(
    private readonly wanted: () => boolean,
    private readonly ask: () => void,
    private readonly delaysMs: readonly number[] = PARENT_SEARCH_DELAYS_MS,
  ) {}

  /** Starts (or keeps) the search; a no-op once every delay has been used. */
  start(): void {
    if (this.timer || this.attempt >= this.delaysMs.length) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.attempt++;
      if (!this.wanted()) return;
      this.ask();
      this.start();
    }, this.delaysMs[this.attempt]);
  }

  /** Stops the search for good. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.attempt = this.delaysMs.length;
  }
}
