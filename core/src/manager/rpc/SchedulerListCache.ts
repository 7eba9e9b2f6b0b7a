/**
 * Cache of ListSchedulers answers (spec 9.4): an in-process LRU (`cache.local`) in front of the shared state
 * (`cache.redis`, Redis when `database.redis` is configured). Keys carry a generation that every change of
 * scheduler membership or liveness bumps (in the shared state, so every manager replica sees it): a peer
 * never waits out a TTL to see a scheduler that just came up or went away. Cache failures (Redis down) are
 * logged and treated as misses, never as errors of the call.
 */
import { createHash } from 'node:crypto';

import type { SharedStateBackend } from '../../plugin-api/database/SharedStateBackend.js';
import type { Logger } from '../../plugin-api/Logger.js';
import { LocalTtlCache } from './LocalTtlCache.js';

/** Shared-state key holding the current generation of scheduler lists. */
export const SCHEDULER_LIST_GENERATION_KEY = 'manager:schedulers:generation';

/**
 * Invalidates every cached ListSchedulers answer of every replica sharing `shared`. Call it after changing
 * scheduler clusters (scopes, default flag), schedulers or their cluster membership outside the gRPC service
 * (e.g. from the REST API).
 */
export async function invalidateSchedulerLists(shared: SharedStateBackend): Promise<void> {
  await shared.set(SCHEDULER_LIST_GENERATION_KEY, newGeneration());
}

function newGeneration(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Cache limits (from `cache.local` and `cache.redis`). */
export interface SchedulerListCacheOptions {
  readonly localSize: number;
  readonly localTtlMs: number;
  readonly sharedTtlMs: number;
}

/** Serialises values holding Buffers (proto bytes fields). */
function encode(value: unknown): string {
  return JSON.stringify(value);
}

function decode<T>(text: string): T {
  return JSON.parse(text, (_key, value: unknown) => {
    const candidate = value as { type?: unknown; data?: unknown } | null;
    if (candidate && candidate.type === 'Buffer' && Array.isArray(candidate.data)) return Buffer.from(candidate.data as number[]);
    return value;
  }) as T;
}

/** ListSchedulers answers cached locally and in the shared state. */
export class SchedulerListCache<V> {
  readonly #local: LocalTtlCache<V>;
  #localGeneration = '0';

  constructor(
    private readonly shared: SharedStateBackend,
    private readonly options: SchedulerListCacheOptions,
    private readonly logger: Logger,
  ) {
    this.#local = new LocalTtlCache<V>(options.localSize, options.localTtlMs);
  }

  /** The cache key of a request, from every field that changes the answer. */
  static keyOf(parts: readonly (string | number)[]): string {
    const digest = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40);
    return `manager:peers:${digest}:schedulers`;
  }

  /** The cached answer for `key`, or undefined. */
  async get(key: string): Promise<V | undefined> {
    const generation = await this.#generation();
    const full = `${key}:${generation}`;
    const local = this.#local.get(full);
    if (local !== undefined) return local;
    try {
      const text = await this.shared.get(full);
      if (text === undefined) return undefined;
      const value = decode<V>(text);
      this.#local.set(full, value);
      return value;
    } catch (error) {
      this.logger.debug({ err: error }, 'scheduler list cache read failed; treating as a miss');
      return undefined;
    }
  }

  /** Caches `value` for `key` under the current generation. */
  async set(key: string, value: V): Promise<void> {
    const generation = await this.#generation();
    const full = `${key}:${generation}`;
    this.#local.set(full, value);
    try {
      await this.shared.set(full, encode(value), this.options.sharedTtlMs);
    } catch (error) {
      this.logger.debug({ err: error }, 'scheduler list cache write failed');
    }
  }

  /** Invalidates every cached list (a scheduler joined, left, or a cluster changed). */
  async invalidate(): Promise<void> {
    const next = newGeneration();
    this.#localGeneration = next;
    this.#local.clear();
    try {
      await this.shared.set(SCHEDULER_LIST_GENERATION_KEY, next);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not publish scheduler list invalidation to the shared state');
    }
  }

  async #generation(): Promise<string> {
    try {
      const shared = await this.shared.get(SCHEDULER_LIST_GENERATION_KEY);
      if (shared !== undefined) this.#localGeneration = shared;
    } catch {
      // Shared state down: keep using this replica's own generation.
    }
    return this.#localGeneration;
  }
}
