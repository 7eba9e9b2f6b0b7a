/**
 * An append-only log of events with any number of readers. Every reader sees every event from the start, in
 * order, then waits for new ones until the log ends or fails. Late readers therefore never miss a piece.
 */
export class EventLog<T> {
  private readonly items: T[] = [];
  private ended = false;
  private error: unknown;
  private wakeups: Array<() => void> = [];

  /** Events appended so far. */
  get size(): number {
    return this.items.length;
  }

  get closed(): boolean {
    return this.ended;
  }

  append(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.wake();
  }

  /** Ends the log successfully. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
  }

  /** Ends the log with an error that every reader receives after the events before it. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.error = error;
    this.ended = true;
    this.wake();
  }

  /** Reads every event from the first; throws the failure, if any, after the last event. */
  async *read(signal?: AbortSignal): AsyncGenerator<T> {
    let index = 0;
    for (;;) {
      while (index < this.items.length) yield this.items[index++]!;
      if (this.ended) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.wakeups.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const wakeups = this.wakeups;
    this.wakeups = [];
    for (const wake of wakeups) wake();
  }
}
