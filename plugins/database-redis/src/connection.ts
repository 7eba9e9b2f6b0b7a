/**
 * ioredis options built from the plugin config, and `Connection`: one ioredis client plus what the plugin
 * needs to fail fast while it is down and to log outages once.
 *
 * Failure policy (why these ioredis options):
 * - `enableOfflineQueue: false`: a command issued while disconnected is rejected at once instead of waiting,
 *   possibly forever, for a reconnect; the plugin turns that into `D7Y_ERR_UNAVAILABLE`.
 * - `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a command in flight when the
 *   connection drops is rejected on the first close, never silently re-sent (INCR and RPUSH are not idempotent).
 * - `retryStrategy`: reconnect forever with exponential back-off capped at `reconnectMaxDelay`, so the same
 *   client recovers when Redis is back. Blocking connections do not reconnect; the pool replaces them.
 * - an `error` listener on every client, so ioredis never prints "Unhandled error event".
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

import { createError, ErrorCodes } from '@d7y/core/plugin-api';
import { Redis, type RedisOptions } from 'ioredis';

import type { RedisConfig } from './config.js';
import { parseAddr } from './config.js';
import { redact } from './errors.js';
import type { OutageReporter } from './OutageReporter.js';

/** The server as users configured it, for messages: `host:port` or `master 'm' via sentinels a:1, b:2`. */
export function describeServer(config: RedisConfig): string {
  return config.masterName === '' ? config.addrs.join(', ') : `master '${config.masterName}' via sentinels ${config.addrs.join(', ')}`;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw createError(ErrorCodes.INVALID_CONFIG, `database/redis tls.${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function tlsOptions(config: RedisConfig): ConnectionOptions | undefined {
  const { tls } = config;
  if (tls === undefined) return undefined;
  return {
    ...(tls.caCert ? { ca: readPem(tls.caCert, 'caCert') } : {}),
    ...(tls.cert ? { cert: readPem(tls.cert, 'cert') } : {}),
    ...(tls.key ? { key: readPem(tls.key, 'key') } : {}),
    rejectUnauthorized: !tls.insecureSkipVerify,
  };
}

/**
 * ioredis options for one database of the configured server. Reads TLS files (failing `D7Y_ERR_INVALID_CONFIG`
 * when they cannot be read). `blocking` clients have no command timeout (BLPOP is timed by the caller) and no
 * reconnect.
 */
export function redisOptions(config: RedisConfig, db: number, blocking: boolean): RedisOptions {
  const backoff = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 16), config.reconnectMaxDelay);
  const tls = tlsOptions(config);
  const common: RedisOptions = {
    db,
    username: config.username || undefined,
    password: config.password || undefined,
    connectTimeout: config.connectTimeout,
    commandTimeout: blocking ? undefined : config.commandTimeout,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableReadyCheck: true,
    connectionName: 'd7y',
    retryStrategy: blocking ? () => null : backoff,
    // After a sentinel failover the old master turns replica: reconnect so the sentinels name the new one.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
    ...(tls ? { tls } : {}),
  };
  if (config.masterName === '') {
    const { host, port } = parseAddr(config.addrs[0])!;
    return { ...common, host, port };
  }
  return {
    ...common,
    name: config.masterName,
    sentinels: config.addrs.map((addr) => parseAddr(addr)!),
    sentinelUsername: config.sentinelUsername || undefined,
    sentinelPassword: config.sentinelPassword || undefined,
    sentinelRetryStrategy: blocking ? () => null : backoff,
    ...(tls ? { enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
  };
}

const STATUS_REASON: Record<string, string> = {
  wait: 'not connected yet',
  connecting: 'connecting',
  connect: 'connecting',
  reconnecting: 'connection lost, reconnecting',
  close: 'connection closed',
  end: 'connection closed',
};

const ACTIVE_STATES = new Set(['wait', 'connecting', 'connect']);

/** What a `Connection` shares with its backend. */
export interface ConnectionContext {
  readonly secrets: readonly string[];
  readonly connectTimeout: number;
  /** Absent for connections that are not reported (blocking ones). */
  readonly outages?: OutageReporter;
}

/** One ioredis client with outage tracking. */
export class Connection {
  readonly client: Redis;
  #everReady = false;
  #lastError: string | undefined;
  #closing = false;

  constructor(
    readonly name: string,
    options: RedisOptions,
    private readonly ctx: ConnectionContext,
  ) {
    this.client = new Redis(options);
    this.client.on('error', (err: Error) => {
      this.#lastError = redact(err.message, ctx.secrets);
      if (!this.#closing) ctx.outages?.down(name, this.#lastError);
    });
    this.client.on('close', () => {
      if (this.#everReady && !this.#closing) ctx.outages?.down(name, this.#lastError ?? 'connection closed');
    });
    this.client.on('ready', () => {
      this.#everReady = true;
      this.#lastError = undefined;
      ctx.outages?.up(name);
    });
  }

  /** Why the connection is down (the last connection error), or undefined while it is ready. */
  get downReason(): string | undefined {
    const { status } = this.client;
    if (status === 'ready') return undefined;
    return this.#lastError ?? STATUS_REASON[status] ?? `not connected (${status})`;
  }

  /**
   * Resolves once the client is ready. Only the very first connection attempt is waited for (up to
   * `connectTimeout`); once a connection was made or an attempt failed, a client that is not ready fails at
   * once, so callers never queue behind an outage.
   */
  async ready(): Promise<void> {
    const { client } = this;
    if (client.status === 'ready') return;
    if (this.#everReady || this.#lastError !== undefined || !ACTIVE_STATES.has(client.status)) throw new Error(this.downReason);
    if (client.status === 'wait') client.connect().catch(() => undefined);
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('error', onFailure);
        client.off('close', onFailure);
        client.off('end', onFailure);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      // Listeners run in registration order, so the constructor's `error` listener has set #lastError already.
      const onFailure = () => done(new Error(this.#lastError ?? 'connection closed'));
      const timer = setTimeout(() => done(new Error(this.#lastError ?? `no connection within ${this.ctx.connectTimeout} ms`)), this.ctx.connectTimeout);
      client.once('ready', onReady);
      client.once('error', onFailure);
      client.once('close', onFailure);
      client.once('end', onFailure);
    });
  }

  /** Closes the connection: QUIT when connected (falling back to a hard disconnect), disconnect otherwise. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through to disconnect
      }
    }
    this.client.disconnect();
  }
}
