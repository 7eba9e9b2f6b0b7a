/**
 * The embedded `SharedStateBackend`, used when `database.redis.addrs` is empty (`npm start`, tests, a single
 * manager). It has the same observable semantics as the redis plugin's `RedisSharedState`; the conformance
 * suite (test/integration/shared-state-conformance.test.ts) runs the same cases against both.
 */
import { createError, ErrorCodes } from '../../plugin-api/errors.js';
import type { SharedStateBackend } from '../../plugin-api/database/SharedStateBackend.js';
import { checkDuration, checkKey, checkLimit, checkValue, closedError } from './arguments.js';
import { Fifo } from './Fifo.js';

/** Limits of the in-process backend. */
export interface InProcessSharedStateOptions {
  /**
   * Most cache entries kept (default 10 000); beyond it the least recently used entry is evicted, after
   * expired ones. The same bound applies to rate-limit counters. (Redis has no such bound of its own: its
   * `maxmemory` policy decides.)
   */
  readonly maxEntries?: number;
  /** Most messages one queue holds (default 100 000); `enqueue` on a full queue fails `D7Y_ERR_RESOURCE_EXHAUSTED`. */
  readonly maxQueueLength?: number;
}

/** Default `maxEntries`. */
export const DEFAULT_MAX_ENTRIES = 10_000;
/** Default `maxQueueLength`, shared with the redis plugin. */
export const DEFAULT_MAX_QUEUE_LENGTH = 100_000;

interface Entry {
  value: string;
  /** Epoch ms after which the entry is gone; undefined: never. */
  expiresAt: number | undefined;
}

interface Counter {
  count: number;
  resetAt: number;
}

interface Waiter {
  resolve(message: string | undefined): void;
  timer: NodeJS.Timeout;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw createError(ErrorCodes.INVALID_CONFIG, `${name} must be an integer >= 1, got ${value}`);
  return value;
}

/**
 * Cache, fixed-window rate limiter and FIFO queues in this process's memory. Semantics:
 * - cache, counters and queues are separate namespaces (a cache key and a counter may share a name);
 * - `set` replaces value and expiry; without `ttlMs` the entry never expires (but may be evicted, see options);
 * - `allow` opens a window of `windowMs` at the first event for a key and counts every call in it, refused
 *   ones included; the call is allowed while the count is at most `limit`;
 * - `dequeue` hands a message to the longest-waiting caller first; `waitMs` 0 never blocks;
 * - after `close()` every method fails `D7Y_ERR_FAILED_PRECONDITION`, and pending `dequeue`s resolve undefined.
 */
export class InProcessSharedState implements SharedStateBackend {
  readonly #maxEntries: number;
  readonly #maxQueueLength: number;
  readonly #cache = new Map<string, Entry>();
  readonly #counters = new Map<string, Counter>();
  readonly #queues = new Map<string, Fifo<string>>();
  /** Waiting `dequeue`s per queue; a Set keeps insertion order and removes timed-out waiters in O(1). */
  readonly #waiters = new Map<string, Set<Waiter>>();
  #closed = false;

  constructor(options: InProcessSharedStateOptions = {}) {
    this.#maxEntries = positiveInt('maxEntries', options.maxEntries, DEFAULT_MAX_ENTRIES);
    this.#maxQueueLength = positiveInt('maxQueueLength', options.maxQueueLength, DEFAULT_MAX_QUEUE_LENGTH);
  }

  /** The cached string, or undefined when absent or expired. A hit makes the entry most recently used. */
  async get(key: string): Promise<string | undefined> {
    this.#assertOpen();
    checkKey('key', key);
    const entry = this.#cache.get(key);
    if (entry === undefined) return undefined;
    this.#cache.delete(key);
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) return undefined;
    this.#cache.set(key, entry);
    return entry.value;
  }

  /** Stores a string, expiring `ttlMs` (rounded up to whole ms) from now when given. */
  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.#assertOpen();
    checkKey('key', key);
    checkValue('value', value);
    const ttl = ttlMs === undefined ? undefined : checkDuration('ttlMs', ttlMs, 1);
    this.#cache.delete(key);
    this.#cache.set(key, { value, expiresAt: ttl === undefined ? undefined : Date.now() + ttl });
    if (this.#cache.size > this.#maxEntries) this.#evict(this.#cache, (entry, now) => entry.expiresAt !== undefined && entry.expiresAt <= now);
  }

  /** Removes cache keys; absent keys are ignored. */
  async delete(...keys: string[]): Promise<void> {
    this.#assertOpen();
    for (const key of keys) checkKey('key', key);
    for (const key of keys) this.#cache.delete(key);
  }

  /** Counts one event for `key`; true while at most `limit` events happened in the current fixed window. */
  async allow(key: string, limit: number, windowMs: number): Promise<boolean> {
    this.#assertOpen();
    checkKey('key', key);
    checkLimit(limit);
    const window = checkDuration('windowMs', windowMs, 1);
    const now = Date.now();
    let counter = this.#counters.get(key);
    if (counter === undefined || counter.resetAt <= now) {
      counter = { count: 0, resetAt: now + window };
      this.#counters.delete(key);
      this.#counters.set(key, counter);
      if (this.#counters.size > this.#maxEntries) this.#evict(this.#counters, (c, at) => c.resetAt <= at);
    }
    counter.count += 1;
    return counter.count <= limit;
  }

  /** Appends a message; fails `D7Y_ERR_RESOURCE_EXHAUSTED` when the queue already holds `maxQueueLength` messages. */
  async enqueue(queue: string, message: string): Promise<void> {
    this.#assertOpen();
    checkKey('queue', queue);
    checkValue('message', message);
    const waiters = this.#waiters.get(queue);
    const waiter = waiters?.values().next().value;
    if (waiters !== undefined && waiter !== undefined) {
      this.#removeWaiter(queue, waiters, waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(message);
      return;
    }
    let fifo = this.#queues.get(queue);
    if (fifo === undefined) this.#queues.set(queue, (fifo = new Fifo()));
    if (fifo.length >= this.#maxQueueLength) {
      throw createError(ErrorCodes.RESOURCE_EXHAUSTED, `queue '${queue}' is full (${this.#maxQueueLength} messages)`, {
        details: { queue, maxQueueLength: this.#maxQueueLength },
      });
    }
    fifo.push(message);
  }

  /** Takes the oldest message, waiting up to `waitMs` (rounded up to whole ms) for one; undefined when none came. */
  async dequeue(queue: string, waitMs: number): Promise<string | undefined> {
    this.#assertOpen();
    checkKey('queue', queue);
    const wait = checkDuration('waitMs', waitMs, 0);
    const fifo = this.#queues.get(queue);
    if (fifo !== undefined && fifo.length > 0) {
      const message = fifo.shift();
      if (fifo.length === 0) this.#queues.delete(queue);
      return message;
    }
    if (wait === 0) return undefined;
    return new Promise((resolve) => {
      let waiters = this.#waiters.get(queue);
      if (waiters === undefined) this.#waiters.set(queue, (waiters = new Set()));
      const set = waiters;
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.#removeWaiter(queue, set, waiter);
          resolve(undefined);
        }, wait),
      };
      set.add(waiter);
    });
  }

  /** Succeeds while open. */
  async ping(): Promise<void> {
    this.#assertOpen();
  }

  /** Drops all state and resolves pending `dequeue`s with undefined. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiters of this.#waiters.values()) {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.resolve(undefined);
      }
    }
    this.#waiters.clear();
    this.#queues.clear();
    this.#cache.clear();
    this.#counters.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError();
  }

  /** Forgets a served or timed-out waiter, and the queue's waiter set once it is empty. */
  #removeWaiter(queue: string, waiters: Set<Waiter>, waiter: Waiter): void {
    waiters.delete(waiter);
    if (waiters.size === 0 && this.#waiters.get(queue) === waiters) this.#waiters.delete(queue);
  }

  /** Brings `map` back under `maxEntries`: expired entries first, then least recently inserted or used. */
  #evict<V>(map: Map<string, V>, expired: (value: V, now: number) => boolean): void {
    const now = Date.now();
    for (const [key, value] of map) if (expired(value, now)) map.delete(key);
    for (const key of map.keys()) {
      if (map.size <= this.#maxEntries) break;
      map.delete(key);
    }
  }
}
