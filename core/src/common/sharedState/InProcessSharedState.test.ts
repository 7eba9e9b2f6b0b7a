import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Fifo } from './Fifo.js';
import { InProcessSharedState } from './InProcessSharedState.js';
import { selectSharedState } from './selectSharedState.js';

describe('InProcessSharedState', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('expires cache entries after their TTL and keeps entries without one', async () => {
    const state = new InProcessSharedState();
    await state.set('a', '1', 100);
    await state.set('b', '2');
    vi.advanceTimersByTime(99);
    expect(await state.get('a')).toBe('1');
    vi.advanceTimersByTime(1);
    expect(await state.get('a')).toBeUndefined();
    vi.advanceTimersByTime(10 ** 9);
    expect(await state.get('b')).toBe('2');
  });

  it('set replaces value and expiry; fractional TTLs round up', async () => {
    const state = new InProcessSharedState();
    await state.set('a', '1', 0.2);
    expect(await state.get('a')).toBe('1');
    await state.set('a', '2');
    vi.advanceTimersByTime(10);
    expect(await state.get('a')).toBe('2');
  });

  it('evicts expired entries first, then the least recently used', async () => {
    const state = new InProcessSharedState({ maxEntries: 3 });
    await state.set('old', 'x', 10);
    await state.set('a', '1');
    await state.set('b', '2');
    vi.advanceTimersByTime(20);
    await state.set('c', '3');
    expect([await state.get('a'), await state.get('b'), await state.get('c')]).toEqual(['1', '2', '3']);
    await state.get('a'); // a is now most recently used; b is the oldest
    await state.set('d', '4');
    expect(await state.get('b')).toBeUndefined();
    expect([await state.get('a'), await state.get('c'), await state.get('d')]).toEqual(['1', '3', '4']);
  });

  it('counts a fixed window from the first event, refused calls included', async () => {
    const state = new InProcessSharedState();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await state.allow('k', 3, 1000));
    expect(results).toEqual([true, true, true, false]);
    vi.advanceTimersByTime(999);
    expect(await state.allow('k', 3, 1000)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await state.allow('k', 3, 1000)).toBe(true);
    expect(await state.allow('zero', 0, 1000)).toBe(false);
  });

  it('bounds the number of rate-limit counters', async () => {
    const state = new InProcessSharedState({ maxEntries: 2 });
    await state.allow('a', 1, 1000);
    await state.allow('b', 1, 1000);
    await state.allow('c', 1, 1000); // evicts a: its window restarts
    expect(await state.allow('a', 1, 1000)).toBe(true);
  });

  it('keeps messages FIFO and serves waiters in arrival order', async () => {
    const state = new InProcessSharedState();
    const first = state.dequeue('q', 1000);
    const second = state.dequeue('q', 1000);
    await state.enqueue('q', 'm1');
    await state.enqueue('q', 'm2');
    await state.enqueue('q', 'm3');
    expect(await first).toBe('m1');
    expect(await second).toBe('m2');
    expect(await state.dequeue('q', 0)).toBe('m3');
    expect(await state.dequeue('q', 0)).toBeUndefined();
  });

  it('a timed-out waiter does not swallow a later message', async () => {
    const state = new InProcessSharedState();
    const timedOut = state.dequeue('q', 50);
    vi.advanceTimersByTime(50);
    expect(await timedOut).toBeUndefined();
    await state.enqueue('q', 'm');
    expect(await state.dequeue('q', 0)).toBe('m');
  });

  it('refuses enqueue on a full queue with RESOURCE_EXHAUSTED', async () => {
    const state = new InProcessSharedState({ maxQueueLength: 2 });
    await state.enqueue('q', 'a');
    await state.enqueue('q', 'b');
    await expect(state.enqueue('q', 'c')).rejects.toMatchObject({ code: 'D7Y_ERR_RESOURCE_EXHAUSTED', message: "queue 'q' is full (2 messages)" });
    await state.enqueue('other', 'c');
    await state.dequeue('q', 0);
    await state.enqueue('q', 'c');
  });

  it('close resolves waiters with undefined and refuses further calls', async () => {
    const state = new InProcessSharedState();
    const waiting = state.dequeue('q', 60_000);
    await state.close();
    expect(await waiting).toBeUndefined();
    await expect(state.get('a')).rejects.toMatchObject({ code: 'D7Y_ERR_FAILED_PRECONDITION' });
    await expect(state.ping()).rejects.toMatchObject({ code: 'D7Y_ERR_FAILED_PRECONDITION' });
    await state.close();
  });

  it('validates arguments and options', async () => {
    const state = new InProcessSharedState();
    await expect(state.get('')).rejects.toMatchObject({ code: 'D7Y_ERR_INVALID_ARGUMENT' });
    await expect(state.set('k', 'v', 0)).rejects.toMatchObject({ code: 'D7Y_ERR_INVALID_ARGUMENT' });
    await expect(state.set('k', 1 as unknown as string)).rejects.toMatchObject({ code: 'D7Y_ERR_INVALID_ARGUMENT' });
    await expect(state.allow('k', 1.5, 10)).rejects.toMatchObject({ code: 'D7Y_ERR_INVALID_ARGUMENT' });
    await expect(state.allow('k', 1, Infinity)).rejects.toMatchObject({ code: 'D7Y_ERR_INVALID_ARGUMENT' });
    await expect(state.dequeue('q', -1)).rejects.toMatchObject({ code: 'D7Y_ERR_INVALID_ARGUMENT' });
    expect(() => new InProcessSharedState({ maxEntries: 0 })).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_CONFIG' }));
  });
});

describe('Fifo', () => {
  it('stays ordered across compactions', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 5000; i++) fifo.push(i);
    for (let i = 0; i < 3000; i++) expect(fifo.shift()).toBe(i);
    fifo.push(5000);
    expect(fifo.length).toBe(2001);
    for (let i = 3000; i <= 5000; i++) expect(fifo.shift()).toBe(i);
    expect(fifo.shift()).toBeUndefined();
  });
});

describe('selectSharedState', () => {
  it('uses Redis only when addrs are configured', () => {
    const redis = { fake: true } as never;
    expect(selectSharedState({ redisAddrs: ['r:6379'], resolveRedis: () => redis })).toEqual({ kind: 'redis', backend: redis });
    const choice = selectSharedState({ redisAddrs: [], resolveRedis: () => { throw new Error('must not be called'); } });
    expect(choice.kind).toBe('in-process');
    expect(choice.backend).toBeInstanceOf(InProcessSharedState);
  });
});
