import { Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { ByteRateLimiter, ConditionalLimiter, Semaphore } from './rateLimit.js';

describe('ConditionalLimiter', () => {
  it('charges the extra bucket only while engaged; the base bucket always', () => {
    const MiB = 1024 * 1024;
    const base = new ByteRateLimiter(0);
    const prefetch = new ByteRateLimiter(MiB);
    let engaged = false;
    const limiter = new ConditionalLimiter(base, prefetch, () => engaged);
    expect(limiter.unlimited).toBe(false);
    expect(limiter.reserve(8 * MiB)).toBe(0); // a requester follows: not held back, and prefetch is not charged
    engaged = true;
    expect(limiter.reserve(MiB)).toBe(0); // the prefetch bucket still has its one-second burst
    expect(limiter.reserve(MiB)).toBeGreaterThan(900);
    expect(new ConditionalLimiter(base, new ByteRateLimiter(0), () => true).unlimited).toBe(true);
  });
});

describe('ByteRateLimiter', () => {
  it('lets a burst through, then asks the excess to wait at the configured rate', () => {
    const limiter = new ByteRateLimiter(2 * 1024 * 1024);
    expect(limiter.reserve(2 * 1024 * 1024)).toBe(0);
    const wait = limiter.reserve(1024 * 1024);
    expect(wait).toBeGreaterThan(400);
    expect(wait).toBeLessThan(600);
  });

  it('returns the source stream itself when unlimited', () => {
    const source = Readable.from([Buffer.alloc(1)]);
    expect(new ByteRateLimiter(0).wrap(source)).toBe(source);
    expect(new ByteRateLimiter(Number.POSITIVE_INFINITY).unlimited).toBe(true);
  });

  it('under a parent, a byte must pass both buckets: the tighter one sets the wait, and both are charged', () => {
    const MiB = 1024 * 1024;
    const host = new ByteRateLimiter(4 * MiB);
    const source = new ByteRateLimiter(2 * MiB, host);
    expect(source.reserve(2 * MiB)).toBe(0);
    const sourceBound = source.reserve(MiB);
    expect(sourceBound).toBeGreaterThan(400); // 1 MiB over a 2 MiB/s bucket: ~500 ms; the host bucket still has room
    expect(sourceBound).toBeLessThan(600);
    expect(host.reserve(MiB)).toBe(0); // the host bucket was charged 3 of its 4 MiB by the source bytes
    expect(host.reserve(MiB)).toBeGreaterThan(200);
    const hostBound = new ByteRateLimiter(0, new ByteRateLimiter(MiB));
    expect(hostBound.unlimited).toBe(false);
    expect(hostBound.reserve(MiB)).toBe(0);
    expect(hostBound.reserve(MiB)).toBeGreaterThan(900);
    expect(new ByteRateLimiter(0, new ByteRateLimiter(0)).unlimited).toBe(true);
  });

  it('paces a stream and forwards source errors', async () => {
    const limiter = new ByteRateLimiter(1024 * 1024);
    const bytes: Buffer[] = [];
    for await (const chunk of limiter.wrap(Readable.from([Buffer.alloc(1024), Buffer.alloc(1024)]))) bytes.push(chunk as Buffer);
    expect(Buffer.concat(bytes).length).toBe(2048);
    const failing = new Readable({ read() {} });
    const paced = limiter.wrap(failing);
    const done = (async () => {
      for await (const _ of paced) void _;
    })();
    failing.destroy(new Error('source broke'));
    await expect(done).rejects.toThrow('source broke');
  });
});

describe('Semaphore', () => {
  it('limits concurrency and hands slots to waiters in order', async () => {
    const semaphore = new Semaphore(2);
    expect(semaphore.tryAcquire()).toBe(true);
    expect(semaphore.tryAcquire()).toBe(true);
    expect(semaphore.tryAcquire()).toBe(false);
    const order: number[] = [];
    const first = semaphore.acquire().then(() => order.push(1));
    const second = semaphore.acquire().then(() => order.push(2));
    semaphore.release();
    semaphore.release();
    await Promise.all([first, second]);
    expect(order).toEqual([1, 2]);
    expect(semaphore.inUse).toBe(2);
  });
});
