/**
 * A FIFO lock for async work. SQLite has one connection per driver, so a transaction, which spans awaits, must
 * keep every other statement off the connection until it ends.
 */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #held = false;
  #waiting = 0;

  /** True while someone holds the lock or waits for it. */
  get locked(): boolean {
    return this.#held || this.#waiting > 0;
  }

  /** Waits for the lock; returns the function that releases it (idempotent). */
  async acquire(): Promise<() => void> {
    this.#waiting++;
    const previous = this.#tail;
    let open!: () => void;
    this.#tail = new Promise<void>((resolve) => (open = resolve));
    await previous;
    this.#waiting--;
    this.#held = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held = false;
      open();
    };
  }
}
