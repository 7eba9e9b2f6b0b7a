import { TokenBucket } from './TokenBucket.js';

/**
 * Admission for a server's requests (Dragonfly's `requestRateLimit` with `requestBufferSize`): `rate` requests
 * per second pass at once; past that, up to `bufferSize` requests wait for their turn, and any more are refused.
 */
export class RequestGate {
  readonly #bucket: TokenBucket;
  #waiting = 0;

  constructor(
    readonly rate: number,
    readonly bufferSize: number,
  ) {
    this.#bucket = new TokenBucket(rate);
  }

  /** Requests waiting for a token now. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Resolves true when the request may run (at once, or after waiting its turn); false when the buffer is full. */
  async admit(): Promise<boolean> {
    if (this.#bucket.take()) return true;
    if (this.#waiting >= this.bufferSize) return false;
    this.#waiting++;
    try {
      const interval = Math.max(1, 1000 / this.rate);
      while (!this.#bucket.take()) await new Promise((resolve) => setTimeout(resolve, interval));
      return true;
    } finally {
      this.#waiting--;
    }
  }
}
