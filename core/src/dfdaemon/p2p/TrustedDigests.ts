import type { commonV2 } from '@d7y/proto';

/**
 * Piece digests the child trusts: those the scheduler recorded from back-to-source reports (never the serving
 * parent's own claim). Refreshed from the scheduler on demand, at most once per `minIntervalMs`.
 */
export class TrustedDigests {
  private readonly digests = new Map<number, string>();
  private refreshing: Promise<void> | undefined;
  private lastRefresh = 0;
  /** Refreshes that brought nothing new in a row. */
  fruitlessRefreshes = 0;

  constructor(
    private readonly fetchTask: () => Promise<commonV2.Task__Output | undefined>,
    private readonly minIntervalMs = 100,
  ) {}

  get(number: number): string | undefined {
    return this.digests.get(number);
  }

  /** Adds digests from a task message (candidate parents carry one). */
  addFrom(task: commonV2.Task__Output | null | undefined): number {
    let added = 0;
    for (const piece of task?.pieces ?? []) {
      if (piece.digest && !this.digests.has(piece.number)) {
        this.digests.set(piece.number, piece.digest);
        added++;
      }
    }
    return added;
  }

  /** Asks the scheduler for the task's trusted digests (debounced); resolves when the answer is in. */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    const wait = Math.max(0, this.lastRefresh + this.minIntervalMs - Date.now());
    this.refreshing = new Promise<void>((resolve) => setTimeout(resolve, wait))
      .then(() => this.fetchTask())
      .then(
        (task) => {
          const added = this.addFrom(task);
          this.fruitlessRefreshes = added > 0 ? 0 : this.fruitlessRefreshes + 1;
        },
        () => {
          this.fruitlessRefreshes++;
        },
      )
      .finally(() => {
        this.lastRefresh = Date.now();
        this.refreshing = undefined;
      });
    return this.refreshing;
  }
}
