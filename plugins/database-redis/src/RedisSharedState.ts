/**
 * `SharedStateBackend` on Redis (ioredis). Same observable semantics as core's `InProcessSharedState`; the
 * conformance suite (test/integration/shared-state-conformance.test.ts) runs the same cases against both.
 *
 * Layout: cache entries `<prefix>cache:<key>` and rate-limit counters `<prefix>ratelimit:<key>` live in `db`;
 * queues `<prefix>queue:<name>` (Redis lists) live in `brokerDB`. `backendDB` is not used here.
 * Connections: one for `db`, one for `brokerDB`, and a pool of blocking connections for `dequeue`, so a
 * waiting BLPOP never stalls other calls. Needs Redis >= 6 (fractional BLPOP timeouts).
 */
import { createError, ErrorCodes, type Logger, type SharedStateBackend } from '@d7y/core/plugin-api';

import { checkDuration, checkKey, checkLimit, checkValue, closedError } from './arguments.js';
import { BlockingPool } from './BlockingPool.js';
import type { RedisConfig } from './config.js';
import { Connection, describeServer, redisOptions } from './connection.js';
import { translateRedisError } from './errors.js';
import { OutageReporter } from './OutageReporter.js';
import { ALLOW_LUA, ENQUEUE_LUA, type ScriptCommands } from './scripts.js';

/** Options of `RedisSharedState`: the validated plugin config plus a logger. */
export interface RedisSharedStateOptions extends RedisConfig {
  /** Logs outages (once per outage, at warn) and recoveries (info). */
  readonly logger?: Logger;
}

const CLOSED = Symbol('closed');
const GUARD_EXPIRED = Symbol('guard-expired');

/**
 * The Redis shared-state backend. Construction does no I/O; the first call connects (waiting up to
 * `connectTimeout`). While Redis is unreachable every call fails at once with `D7Y_ERR_UNAVAILABLE`, naming
 * the server and never a password; the clients reconnect in the background and the same instance works again
 * once Redis is back. After `close()` every call fails `D7Y_ERR_FAILED_PRECONDITION` and pending `dequeue`s
 * resolve undefined.
 */
export class RedisSharedState implements SharedStateBackend {
  readonly #config: RedisSharedStateOptions;
  readonly #where: string;
  readonly #secrets: string[];
  readonly #cache: Connection;
  readonly #broker: Connection;
  readonly #pool: BlockingPool;
  #closing: Promise<void> | undefined;
  #signalClosed!: () => void;
  readonly #closedSignal = new Promise<typeof CLOSED>((resolve) => (this.#signalClosed = () => resolve(CLOSED)));

  constructor(options: RedisSharedStateOptions) {
    if (options.addrs.length === 0) {
      throw createError(ErrorCodes.FAILED_PRECONDITION, 'database.redis.addrs is empty: Redis is not configured (roles then use the in-process shared state)');
    }
    this.#config = options;
    this.#where = describeServer(options);
    this.#secrets = [options.password, options.sentinelPassword].filter((s) => s !== '');
    const ctx = { secrets: this.#secrets, connectTimeout: options.connectTimeout, outages: new OutageReporter(this.#where, options.logger) };
    const cacheOptions = redisOptions(options, options.db, false);
    const brokerOptions = redisOptions(options, options.brokerDB, false);
    const blockingOptions = redisOptions(options, options.brokerDB, true);
    this.#cache = new Connection('cache', cacheOptions, ctx);
    this.#broker = new Connection('broker', brokerOptions, ctx);
    for (const { client } of [this.#cache, this.#broker]) {
      client.defineCommand('d7yAllow', { numberOfKeys: 1, lua: ALLOW_LUA });
      client.defineCommand('d7yEnqueue', { numberOfKeys: 1, lua: ENQUEUE_LUA });
    }
    const quiet = { ...ctx, outages: undefined };
    this.#pool = new BlockingPool(options.poolSize, () => new Connection('blocking', blockingOptions, quiet));
  }

  /** The server as configured, e.g. `127.0.0.1:6379`; used in messages. */
  get server(): string {
    return this.#where;
  }

  /** The cached string, or undefined when absent or expired. */
  async get(key: string): Promise<string | undefined> {
    this.#assertOpen();
    const k = this.#key('cache', checkKey('key', key));
    return this.#run(this.#cache, 'get', async (c) => (await c.get(k)) ?? undefined);
  }

  /** Stores a string (SET, with PX when `ttlMs` is given: rounded up to whole ms). */
  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.#assertOpen();
    const k = this.#key('cache', checkKey('key', key));
    checkValue('value', value);
    const ttl = ttlMs === undefined ? undefined : checkDuration('ttlMs', ttlMs, 1);
    await this.#run(this.#cache, 'set', (c) => (ttl === undefined ? c.set(k, value) : c.set(k, value, 'PX', ttl)));
  }

  /** Removes cache keys (one DEL). */
  async delete(...keys: string[]): Promise<void> {
    this.#assertOpen();
    const ks = keys.map((key) => this.#key('cache', checkKey('key', key)));
    if (ks.length > 0) await this.#run(this.#cache, 'delete', (c) => c.del(...ks));
  }

  /** Counts one event in the key's fixed window (INCR + PEXPIRE on the first event, in one Lua script). */
  async allow(key: string, limit: number, windowMs: number): Promise<boolean> {
    this.#assertOpen();
    const k = this.#key('ratelimit', checkKey('key', key));
    checkLimit(limit);
    const window = checkDuration('windowMs', windowMs, 1);
    const count = await this.#run(this.#cache, 'allow', (c) => (c as unknown as ScriptCommands).d7yAllow(k, window));
    return count <= limit;
  }

  /** Appends a message (bounded RPUSH); fails `D7Y_ERR_RESOURCE_EXHAUSTED` when the queue is full. */
  async enqueue(queue: string, message: string): Promise<void> {
    this.#assertOpen();
    const k = this.#key('queue', checkKey('queue', queue));
    checkValue('message', message);
    const max = this.#config.maxQueueLength;
    const length = await this.#run(this.#broker, 'enqueue', (c) => (c as unknown as ScriptCommands).d7yEnqueue(k, message, max));
    if (length < 0) {
      throw createError(ErrorCodes.RESOURCE_EXHAUSTED, `queue '${queue}' is full (${max} messages)`, { details: { queue, maxQueueLength: max } });
    }
  }

  /** Takes the oldest message: LPOP when `waitMs` is 0, otherwise BLPOP on a pooled blocking connection. */
  async dequeue(queue: string, waitMs: number): Promise<string | undefined> {
    this.#assertOpen();
    const k = this.#key('queue', checkKey('queue', queue));
    const wait = checkDuration('waitMs', waitMs, 0);
    const pop = () => this.#run(this.#broker, 'dequeue', async (c) => (await c.lpop(k)) ?? undefined);
    if (wait === 0) return pop();
    await this.#ready(this.#broker, 'dequeue'); // fail fast while Redis is down
    const deadline = Date.now() + wait;
    let connection: Connection | undefined;
    try {
      connection = await this.#pool.acquire(deadline);
    } catch (err) {
      throw translateRedisError(err, 'dequeue', { where: this.#where, secrets: this.#secrets });
    }
    if (connection === undefined) return this.#isClosed() ? undefined : pop(); // every blocking connection busy until the deadline
    return this.#blockingPop(connection, k, deadline);
  }

  /** PING on both command connections; `D7Y_ERR_UNAVAILABLE` when Redis is down. */
  async ping(): Promise<void> {
    this.#assertOpen();
    await this.#run(this.#cache, 'ping', (c) => c.ping());
    await this.#run(this.#broker, 'ping', (c) => c.ping());
  }

  /** Resolves pending `dequeue`s with undefined and closes every connection. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#signalClosed();
      this.#pool.close();
      await Promise.all([this.#cache.close(), this.#broker.close()]);
    })();
    return this.#closing;
  }

  async #blockingPop(connection: Connection, key: string, deadline: number): Promise<string | undefined> {
    const remaining = Math.max(1, deadline - Date.now());
    const pending = connection.client.blpop(key, (remaining / 1000).toFixed(3));
    pending.catch(() => undefined); // may settle after we stop listening
    let timer: NodeJS.Timeout | undefined;
    // Guards against a connection that died without a close event: BLPOP must answer by its own timeout.
    const guard = new Promise<typeof GUARD_EXPIRED>((resolve) => (timer = setTimeout(() => resolve(GUARD_EXPIRED), remaining + this.#config.commandTimeout)));
    try {
      const result = await Promise.race([pending, guard, this.#closedSignal]);
      if (result === CLOSED) return undefined;
      if (result === GUARD_EXPIRED) {
        this.#pool.discard(connection);
        throw createError(ErrorCodes.UNAVAILABLE, `redis ${this.#where} is unavailable: no reply to BLPOP within ${remaining + this.#config.commandTimeout} ms (dequeue failed)`, {
          details: { server: this.#where, op: 'dequeue' },
        });
      }
      this.#pool.release(connection);
      return result?.[1] ?? undefined;
    } catch (err) {
      this.#pool.discard(connection);
      if (this.#isClosed()) return undefined;
      throw translateRedisError(err, 'dequeue', { where: this.#where, secrets: this.#secrets, downReason: connection.downReason });
    } finally {
      clearTimeout(timer);
    }
  }

  async #ready(connection: Connection, op: string): Promise<void> {
    try {
      await connection.ready();
    } catch (err) {
      throw translateRedisError(err, op, { where: this.#where, secrets: this.#secrets, downReason: connection.downReason });
    }
  }

  async #run<T>(connection: Connection, op: string, command: (client: Connection['client']) => Promise<T>): Promise<T> {
    await this.#ready(connection, op);
    try {
      return await command(connection.client);
    } catch (err) {
      if (this.#isClosed()) throw closedError();
      throw translateRedisError(err, op, { where: this.#where, secrets: this.#secrets, downReason: connection.downReason });
    }
  }

  #key(space: 'cache' | 'ratelimit' | 'queue', name: string): string {
    return `${this.#config.keyPrefix}${space}:${name}`;
  }

  #isClosed(): boolean {
    return this.#closing !== undefined;
  }

  #assertOpen(): void {
    if (this.#isClosed()) throw closedError();
  }
}
