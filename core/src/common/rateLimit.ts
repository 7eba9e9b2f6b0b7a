import { type Readable, Transform, type TransformCallback } from 'node:stream';

/**
 * A token bucket over bytes shared by many streams. `rate` is bytes per second; 0 or Infinity means unlimited.
 * Burst is one second of rate (at least 1 MiB) so that large chunks pass without being split. With a `parent`,
 * bytes must pass both buckets (a per-kind limit under a host-wide one), still through one stream hop.
 */
export class ByteRateLimiter {
  private tokens: number;
  private last = performance.now();
  private readonly burst: number;

  constructor(
    readonly rate: number,
    private readonly parent?: ByteRateLimiter,
  ) {
    this.burst = Math.max(rate, 1024 * 1024);
    this.tokens = this.burst;
  }

  /** True when neither this bucket nor its parent limits anything. */
  get unlimited(): boolean {
    return this.ownUnlimited && (this.parent?.unlimited ?? true);
  }

  private get ownUnlimited(): boolean {
    return !Number.isFinite(this.rate) || this.rate <= 0;
  }

  /** Milliseconds to wait before `bytes` may pass; takes the tokens (possibly going negative) here and in the parent. */
  reserve(bytes: number): number {
    const parentWait = this.parent?.reserve(bytes) ?? 0;
    if (this.ownUnlimited) return parentWait;
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.tokens -= bytes;
    return Math.max(parentWait, this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000);
  }

  /**
   * Paces a readable through this limiter. Returns the stream itself when unlimited, so the hot path pays for
   * no extra stream hop; errors of the source are forwarded to the paced stream.
   */
  wrap<T extends Readable>(source: T): T | Transform {
    if (this.unlimited) return source;
    const paced = this.throttle();
    source.on('error', (error) => paced.destroy(error));
    return source.pipe(paced);
  }

  /** A pass-through stream that paces its chunks through this limiter. */
  throttle(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) => {
        const wait = this.reserve(chunk.length);
        if (wait <= 0) done(null, chunk);
        else setTimeout(() => done(null, chunk), wait);
      },
    });
  }
}

/**
 * Bytes always pass `base`, and also `extra` while `engaged()` holds: a prefetch download is held to
 * `proxy.prefetchBandwidthLimit` (one `extra` shared by all prefetches) only once no requester waits for it.
 */
export class ConditionalLimiter extends ByteRateLimiter {
  constructor(
    private readonly base: ByteRateLimiter,
    private readonly extra: ByteRateLimiter,
    private readonly engaged: () => boolean,
  ) {
    super(0);
  }

  override get unlimited(): boolean {
    return this.base.unlimited && this.extra.unlimited;
  }

  override reserve(bytes: number): number {
    const wait = this.base.reserve(bytes);
    return this.engaged() ? Math.max(wait, this.extra.reserve(bytes)) : wait;
  }
}

/** A counting semaphore for concurrency limits. */
export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  /** Takes a slot if one is free; false otherwise. */
  tryAcquire(): boolean {
    if (this.active >= this.limit) return false;
    this.active++;
    return true;
  }

  /** Waits for a slot. */
  async acquire(): Promise<void> {
    if (this.tryAcquire()) return;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Gives a slot back, handing it to the next waiter if any. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }

  /** Runs `work` holding a slot. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}
