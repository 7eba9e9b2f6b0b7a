/**
 * The redis database plugin through the real kernel loader (the built package, as roles load it), config
 * errors at start-up, the role-side choice between Redis and in-process, and sentinel mode against real
 * redis-server processes (a master, a replica and a sentinel, with a failover). Cases that need Redis are
 * SKIPPED, loudly, without D7Y_TEST_REDIS_URL (`eval "$(bash scripts/services/redis.sh start)"`).
 */
import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { InProcessSharedState, selectSharedState } from '../../core/src/common/sharedState/index.js';
import { createContainer, createMemoryLogger, loadPlugins, permissiveEgress, type PluginConfigMap } from '../../core/src/kernel/index.js';
import { RedisSharedState, resolveRedisConfig } from '../../plugins/database-redis/src/index.js';
import { PrivateRedis, redisServerBinary, redisUrlConfig } from '../../plugins/database-redis/test/privateRedis.js';
import { freePorts } from '../helpers/ports.js';

const REDIS_URL = process.env.D7Y_TEST_REDIS_URL;
if (!REDIS_URL) {
  console.warn('\n!!! D7Y_TEST_REDIS_URL is not set: the Redis cases of test/integration/shared-state-redis.test.ts are SKIPPED.\n');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Loads only the redis built-in for the manager role, with `redis` as its config section. */
function loadRedisPlugin(redis: Record<string, unknown>) {
  return loadPlugins({
    role: 'manager',
    builtins: [{ specifier: '@d7y/plugin-database-redis', kind: 'database', optional: false }],
    pluginConfig: { database: { redis } } as PluginConfigMap,
    container: createContainer(),
    logger: createMemoryLogger(),
    egress: permissiveEgress,
  });
}

/** Runs `work` on a plain ioredis connection to `server`. */
async function raw<T>(server: PrivateRedis, work: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true, maxRetriesPerRequest: 0 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await work(r);
  } finally {
    r.disconnect();
  }
}

/** Retries `call` until it succeeds or `ms` pass. */
async function eventually<T>(call: () => Promise<T>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

describe('redis plugin through the kernel', () => {
  it('masterName without addrs fails start-up with a config error naming the key', async () => {
    const error = await loadRedisPlugin({ masterName: 'mymaster', password: 'hunter2' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'D7Y_ERR_STARTUP', message: expect.stringContaining('addrs: required when masterName is set') });
    expect((error as { failures: { code: string }[] }).failures.map((f) => f.code)).toEqual(['D7Y_ERR_PLUGIN_CONFIG']);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('loads with an empty section; resolving the backend then says Redis is not configured', async () => {
    const registry = await loadRedisPlugin({});
    expect(() => registry.sharedState('redis')).toThrow(expect.objectContaining({ code: 'D7Y_ERR_FAILED_PRECONDITION' }));
    const choice = selectSharedState({ redisAddrs: [], resolveRedis: () => registry.sharedState('redis') });
    expect(choice.kind).toBe('in-process');
    expect(choice.backend).toBeInstanceOf(InProcessSharedState);
    await choice.backend.close();
  });

  it.skipIf(!REDIS_URL)('serves a working backend from the built package, closed by the registry', async () => {
    const config = { ...redisUrlConfig(REDIS_URL!), keyPrefix: `d7y-test:${randomUUID()}:`, commandTimeout: '2s' };
    const registry = await loadRedisPlugin(config);
    const { kind, backend } = selectSharedState({ redisAddrs: config.addrs, resolveRedis: () => registry.sharedState('redis') });
    expect(kind).toBe('redis');
    expect(registry.sharedState('redis')).toBe(backend);
    await backend.set('manager:peers:h-127.0.0.1-v1:schedulers', '[]', 300_000);
    expect(await backend.get('manager:peers:h-127.0.0.1-v1:schedulers')).toBe('[]');
    await backend.ping();
    await registry.close();
    await expect(backend.get('k')).rejects.toMatchObject({ code: 'D7Y_ERR_FAILED_PRECONDITION' });
  });
});

describe.skipIf(!REDIS_URL)('blocking connection pool', () => {
  it('with every blocking connection busy, a dequeue waits for one until its deadline, then polls once', async () => {
    const state = new RedisSharedState(resolveRedisConfig({ ...redisUrlConfig(REDIS_URL!), keyPrefix: `d7y-test:${randomUUID()}:`, poolSize: 1 }));
    try {
      const first = state.dequeue('q', 3000);
      await sleep(100);
      const started = Date.now();
      expect(await state.dequeue('q', 300)).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      const second = state.dequeue('q', 3000); // queued behind `first` for the one connection
      await state.enqueue('q', 'a');
      expect(await first).toBe('a');
      await state.enqueue('q', 'b');
      expect(await second).toBe('b');
    } finally {
      await state.close();
    }
  });
});

describe.skipIf(!REDIS_URL)('sentinel mode (real master, replica and sentinel)', () => {
  const MASTER = 'd7ymaster';
  let master: PrivateRedis;
  let replica: PrivateRedis;
  let sentinel: PrivateRedis;

  beforeAll(async () => {
    const binary = redisServerBinary();
    if (binary === undefined) throw new Error('redis-server is not installed (scripts/services/redis.sh start installs it)');
    const [masterPort, replicaPort, sentinelPort] = await freePorts(3);
    master = new PrivateRedis(binary, masterPort, '', ['--repl-diskless-sync-delay', '0']);
    replica = new PrivateRedis(binary, replicaPort, '', ['--replicaof', '127.0.0.1', String(masterPort)]);
    await master.start();
    await replica.start();
    await eventually(async () => {
      const info = await raw(replica, (r) => r.info('replication'));
      if (!info.includes('master_link_status:up')) throw new Error('replica not in sync yet');
    }, 15_000);
    sentinel = PrivateRedis.sentinel(binary, sentinelPort, MASTER, master);
    await sentinel.start();
  });

  afterAll(async () => {
    for (const server of [sentinel, replica, master]) await server?.dispose();
  });

  it('finds the master through the sentinel and follows a failover without a new client', async () => {
    const state = new RedisSharedState(
      resolveRedisConfig({ masterName: MASTER, addrs: [sentinel.addr], keyPrefix: `d7y-test:${randomUUID()}:`, reconnectMaxDelay: 200, connectTimeout: 2000 }),
    );
    try {
      await state.set('k', 'v');
      await state.enqueue('q', 'm1');
      expect(await state.get('k')).toBe('v');
      // Replication is asynchronous: wait until the replica has both writes before the master dies.
      await eventually(async () => {
        const lengths = await raw(replica, async (r) => [(await r.select(1), await r.dbsize()), (await r.select(0), await r.dbsize())]);
        if (lengths.some((n) => n === 0)) throw new Error('not replicated yet');
      }, 10_000);

      await master.kill();
      // The sentinel notices after down-after-milliseconds (500) and promotes the replica; the client asks the
      // sentinel again on reconnect. Calls in between fail UNAVAILABLE, naming the master and the sentinel.
      const during = await state.get('k').catch((e: unknown) => e);
      expect(during).toMatchObject({ code: 'D7Y_ERR_UNAVAILABLE', message: expect.stringContaining(`master '${MASTER}' via sentinels ${sentinel.addr}`) });
      await eventually(() => state.set('after', 'failover'), 30_000);
      expect(await state.get('after')).toBe('failover');
      expect(await state.get('k'), 'replicated before the failover').toBe('v');
      expect(await state.dequeue('q', 1000)).toBe('m1');
    } finally {
      await state.close();
    }
  });
});
