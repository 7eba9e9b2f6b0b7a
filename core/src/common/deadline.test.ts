import { describe, expect, it } from 'vitest';

import { deadline } from './deadline.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deadline', () => {
  it('aborts with a TimeoutError once the deadline passes, and says so', async () => {
    const limit = deadline([], 20);
    await sleep(60);
    expect(limit.signal.aborted).toBe(true);
    expect((limit.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(limit.timedOut).toBe(true);
  });

  it('fires even when nothing else references the timer and a garbage collection runs', async () => {
    const limit = deadline([new AbortController().signal], 30);
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let i = 0; i < 5; i++) {
      gc?.();
      // Allocate enough to provoke collections where --expose-gc is not given.
      void new Array(200_000).fill({ i });
      await sleep(10);
    }
    await sleep(40);
    expect(limit.signal.aborted).toBe(true);
  });

  it('follows the given signals, with their reason, and is not a timeout then', () => {
    const parent = new AbortController();
    const limit = deadline([undefined, parent.signal], 10_000);
    parent.abort(new Error('gone'));
    expect(limit.signal.aborted).toBe(true);
    expect((limit.signal.reason as Error).message).toBe('gone');
    expect(limit.timedOut).toBe(false);
  });

  it('starts aborted when a given signal already is', () => {
    const limit = deadline([AbortSignal.abort('early')], 10_000);
    expect(limit.signal.aborted).toBe(true);
    expect(limit.signal.reason).toBe('early');
  });

  it('clear() stops the timer and detaches from the given signals', async () => {
    const parent = new AbortController();
    const limit = deadline([parent.signal], 20);
    limit.clear();
    await sleep(50);
    parent.abort();
    expect(limit.signal.aborted).toBe(false);
  });

  it('without a deadline only the given signals abort it', async () => {
    const limit = deadline([new AbortController().signal]);
    await sleep(20);
    expect(limit.signal.aborted).toBe(false);
  });
});
