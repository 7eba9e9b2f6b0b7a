/**
 * Shared state for managers and schedulers that run as several replicas: a cache with expiry, a fixed-window
 * rate limiter and named FIFO queues. Provided by the `redis` database plugin; an in-process implementation
 * is used when no Redis is configured.
 */
export interface SharedStateBackend {
  /** The cached string, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores a string, expiring after `ttlMs` when given. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Removes keys. */
  delete(...keys: string[]): Promise<void>;
  /** Counts one event for `key`; true while at most `limit` events happened in the current `windowMs` window. */
  allow(key: string, limit: number, windowMs: number): Promise<boolean>;
  /** Appends a message to a queue. */
  enqueue(queue: string, message: string): Promise<void>;
  /** Takes the oldest message of a queue, waiting up to `waitMs`; undefined when none arrived. */
  dequeue(queue: string, waitMs: number): Promise<string | undefined>;
  /** Round-trips to the backend; throws `D7Y_ERR_UNAVAILABLE` if it is down. */
  ping(): Promise<void>;
  /** Closes connections. */
  close(): Promise<void>;
}
