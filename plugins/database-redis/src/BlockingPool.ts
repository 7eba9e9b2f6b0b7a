import type { Connection } from './connection.js';

/**
 * Connections for blocking `dequeue`s (BLPOP). A blocking command occupies its connection until it returns,
 * so each concurrent `dequeue` holds one of these, never the shared command connections. At most `max` exist;
 * idle ones are reused, broken ones are dropped and replaced on demand.
 */
export class BlockingPool {
  readonly #idle: Connection[] = [];
  readonly #busy = new Set<Connection>();
  readonly #slotWaiters = new Set<() => void>();
  #size = 0;
  #closed = false;

  constructor(
    readonly max: number,
    private readonly open: () => Connection,
  ) {}

  /**
   * A ready connection, or undefined when all `max` are busy until `deadline` (epoch ms). Throws the
   * connection error when a new connection cannot be opened.
   */
  async acquire(deadline: number): Promise<Connection | undefined> {
    for (;;) {
      if (this.#closed) return undefined;
      for (let c = this.#idle.pop(); c !== undefined; c = this.#idle.pop()) {
        this.#busy.add(c);
        if (c.client.status === 'ready') return c;
        this.discard(c);
      }
      if (this.#size < this.max) return this.#create();
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      await this.#waitForSlot(remaining);
    }
  }

  /** Returns a healthy connection after use. */
  release(connection: Connection): void {
    if (!this.#busy.delete(connection)) return;
    if (this.#closed || connection.client.status !== 'ready') {
      this.#drop(connection);
      return;
    }
    this.#idle.push(connection);
    this.#wakeOne();
  }

  /** Drops a connection that failed or may still be blocked server-side. */
  discard(connection: Connection): void {
    if (this.#busy.delete(connection)) this.#drop(connection);
  }

  /** Disconnects every connection, idle or busy (a pending BLPOP then rejects), and wakes slot waiters. */
  close(): void {
    this.#closed = true;
    for (const c of this.#idle.splice(0)) c.client.disconnect();
    for (const c of this.#busy) c.client.disconnect();
    this.#busy.clear();
    for (const wake of [...this.#slotWaiters]) wake();
  }

  async #create(): Promise<Connection> {
    this.#size += 1;
    const connection = this.open();
    this.#busy.add(connection);
    try {
      await connection.ready();
      return connection;
    } catch (err) {
      this.discard(connection);
      throw err;
    }
  }

  #drop(connection: Connection): void {
    this.#size -= 1;
    connection.client.disconnect();
    this.#wakeOne();
  }

  #waitForSlot(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#slotWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#slotWaiters.add(wake);
    });
  }

  #wakeOne(): void {
    const first = this.#slotWaiters.values().next();
    if (!first.done) first.value();
  }
}
