/**
 * The `SharedStateBackend` contract, run unchanged against the in-process backend (core) and the Redis backend
 * (plugins/database-redis) on a real redis-server. The Redis half needs D7Y_TEST_REDIS_URL
 * (`eval "$(bash scripts/services/redis.sh start)"`; `npm test` does it) and is SKIPPED, loudly, without it.
 * Redis outages are simulated on a second, private redis-server that this file starts and kills by PID.
 */
import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { InProcessSharedState } from '../../core/src/common/sharedState/index.js';
import { createMemoryLogger } from '../../core/src/kernel/index.js';
import type { SharedStateBackend } from '../../core/src/plugin-api/index.js';
import { RedisSharedState, redisConfigSchema, resolveRedisConfig } from '../../plugins/database-redis/src/index.js';
import { PrivateRedis, redisServerBinary, redisUrlConfig } from '../../plugins/database-redis/test/privateRedis.js';
import { freePort } from '../helpers/ports.js';

const REDIS_URL = process.env.D7Y_TEST_REDIS_URL;
if (!REDIS_URL) {
  console.warn(
    '\n!!! D7Y_TEST_REDIS_URL is not set: the Redis half of test/integration/shared-state-conformance.test.ts is SKIPPED.\n' +
      '!!! Start a private Redis first: eval "$(bash scripts/services/redis.sh start)"\n',
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How the contract reaches one implementation. */
interface Subject {
  readonly name: string;
  /** A fresh backend in its own namespace. */
  open(options?: { maxQueueLength?: number }): SharedStateBackend;
  /** Two backends over the same state: two clients of one Redis and prefix; in-process, one instance twice. */
  openPair(): [SharedStateBackend, SharedStateBackend];
}

const opened: SharedStateBackend[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((backend) => backend.close()));
});
const track = <T extends SharedStateBackend>(backend: T): T => (opened.push(backend), backend);

const inProcess: Subject = {
  name: 'in-process',
  open: (options) => track(new InProcessSharedState(options)),
  openPair() {
    const shared = track(new InProcessSharedState());
    return [shared, shared];
  },
};

function redisSubject(url: string): Subject {
  const make = (keyPrefix: string, extra: object = {}) =>
    track(new RedisSharedState(resolveRedisConfig({ ...redisUrlConfig(url), keyPrefix, ...extra })));
  return {
    name: `redis (${url})`,
    open: (options) => make(`d7y-test:${randomUUID()}:`, options),
    openPair() {
      const prefix = `d7y-test:${randomUUID()}:`;
      return [make(prefix), make(prefix)];
    },
  };
}

function contract(subject: Subject): void {
  describe(`SharedStateBackend contract: ${subject.name}`, () => {
    it('get/set/delete, with and without TTL; set replaces the expiry', async () => {
      const state = subject.open();
      expect(await state.get('missing')).toBeUndefined();
      await state.set('short', 'v1', 150);
      await state.set('long', 'v2');
      await state.set('replaced', 'v3', 150);
      await state.set('replaced', 'v4');
      await state.set('empty', '');
      await state.set('unicode', 'héllo ✓ 🚀');
      expect(await state.get('short')).toBe('v1');
      await sleep(400);
      expect(await state.get('short')).toBeUndefined();
      expect(await state.get('long')).toBe('v2');
      expect(await state.get('replaced')).toBe('v4');
      expect(await state.get('empty')).toBe('');
      expect(await state.get('unicode')).toBe('héllo ✓ 🚀');
      await state.delete('long', 'empty', 'never-set');
      await state.delete();
      expect(await state.get('long')).toBeUndefined();
      expect(await state.get('empty')).toBeUndefined();
    });

    it('fixed-window rate limit: limit+1 refused, the next window allowed', async () => {
      const state = subject.open();
      const window = 800;
      const started = Date.now();
      const first = [];
      for (let i = 0; i < 4; i++) first.push(await state.allow('jobs:cluster-1', 3, window));
      const elapsed = Date.now() - started;
      expect(elapsed, 'the four calls must land in one window').toBeLessThan(window);
      expect(first).toEqual([true, true, true, false]);
      expect(await state.allow('jobs:cluster-2', 3, window), 'keys are independent').toBe(true);
      await sleep(window + 200);
      expect(await state.allow('jobs:cluster-1', 3, window)).toBe(true);
      expect(await state.allow('zero', 0, window)).toBe(false);
    });

    it('cache, counters and queues are separate namespaces', async () => {
      const state = subject.open();
      await state.set('x', 'not-a-number');
      expect(await state.allow('x', 1, 1000)).toBe(true);
      expect(await state.dequeue('x', 0)).toBeUndefined();
      expect(await state.get('x')).toBe('not-a-number');
    });

    it('queues are FIFO; dequeue with waitMs 0 never blocks', async () => {
      const state = subject.open();
      for (const m of ['m1', 'm2', '', 'm4']) await state.enqueue('q', m);
      const got = [];
      for (let i = 0; i < 4; i++) got.push(await state.dequeue('q', 0));
      expect(got).toEqual(['m1', 'm2', '', 'm4']);
      expect(await state.dequeue('q', 0)).toBeUndefined();
    });

    it('blocking dequeue times out after waitMs, and wakes up when a message arrives', async () => {
      const state = subject.open();
      let started = Date.now();
      expect(await state.dequeue('idle', 250)).toBeUndefined();
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(200);
      expect(waited).toBeLessThan(2000);

      started = Date.now();
      const pending = state.dequeue('q', 5000);
      await sleep(100);
      expect(await state.get('unrelated'), 'a blocked dequeue does not stall other calls').toBeUndefined();
      await state.enqueue('q', 'hello');
      expect(await pending).toBe('hello');
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('concurrent blocking dequeues each get one message', async () => {
      const state = subject.open();
      const waiters = [state.dequeue('q', 5000), state.dequeue('q', 5000), state.dequeue('q', 5000)];
      await sleep(150);
      for (const m of ['a', 'b', 'c']) await state.enqueue('q', m);
      expect((await Promise.all(waiters)).sort()).toEqual(['a', 'b', 'c']);
    });

    it('a full queue refuses enqueue with RESOURCE_EXHAUSTED until a message is taken', async () => {
      const state = subject.open({ maxQueueLength: 2 });
      await state.enqueue('q', 'a');
      await state.enqueue('q', 'b');
      await expect(state.enqueue('q', 'c')).rejects.toMatchObject({ code: 'D7Y_ERR_RESOURCE_EXHAUSTED', message: "queue 'q' is full (2 messages)" });
      expect(await state.dequeue('q', 0)).toBe('a');
      await state.enqueue('q', 'c');
      expect([await state.dequeue('q', 0), await state.dequeue('q', 0)]).toEqual(['b', 'c']);
    });

    it('two instances over the same state share counters and queues (distributed rate limit)', async () => {
      const [a, b] = subject.openPair();
      expect(await a.allow('cluster-1', 2, 2000)).toBe(true);
      expect(await b.allow('cluster-1', 2, 2000)).toBe(true);
      expect(await a.allow('cluster-1', 2, 2000)).toBe(false);
      expect(await b.allow('cluster-1', 2, 2000)).toBe(false);
      await a.set('k', 'from-a', 5000);
      expect(await b.get('k')).toBe('from-a');
      const pending = b.dequeue('scheduler_1_host_127.0.0.1', 5000);
      await sleep(100);
      await a.enqueue('scheduler_1_host_127.0.0.1', 'job-1');
      expect(await pending).toBe('job-1');
    });

    it('rejects invalid arguments with INVALID_ARGUMENT', async () => {
      const state = subject.open();
      const bad = { code: 'D7Y_ERR_INVALID_ARGUMENT' };
      await expect(state.get('')).rejects.toMatchObject(bad);
      await expect(state.set('k', 'v', 0)).rejects.toMatchObject(bad);
      await expect(state.set('k', 'v', -5)).rejects.toMatchObject(bad);
      await expect(state.set('k', 42 as unknown as string)).rejects.toMatchObject(bad);
      await expect(state.delete('ok', '')).rejects.toMatchObject(bad);
      await expect(state.allow('k', -1, 1000)).rejects.toMatchObject(bad);
      await expect(state.allow('k', 1, 0)).rejects.toMatchObject(bad);
      await expect(state.enqueue('', 'm')).rejects.toMatchObject(bad);
      await expect(state.dequeue('q', Number.NaN)).rejects.toMatchObject(bad);
      await expect(state.dequeue('x'.repeat(1025), 0)).rejects.toMatchObject(bad);
    });

    it('close resolves pending dequeues with undefined, then every call fails FAILED_PRECONDITION', async () => {
      const state = subject.open();
      await state.ping();
      const pending = state.dequeue('q', 10_000);
      await sleep(100);
      const started = Date.now();
      await state.close();
      expect(await pending).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(2000);
      await expect(state.get('k')).rejects.toMatchObject({ code: 'D7Y_ERR_FAILED_PRECONDITION' });
      await expect(state.ping()).rejects.toMatchObject({ code: 'D7Y_ERR_FAILED_PRECONDITION' });
      await state.close();
    });
  });
}

contract(inProcess);

describe.skipIf(!REDIS_URL)('Redis backend', () => {
  contract(redisSubject(REDIS_URL ?? 'redis://127.0.0.1:1'));

  it('keeps cache and counters in db and queues in brokerDB', async () => {
    const base = redisUrlConfig(REDIS_URL!);
    const prefix = `d7y-test:${randomUUID()}:`;
    const state = track(new RedisSharedState(resolveRedisConfig({ ...base, keyPrefix: prefix, db: 3, brokerDB: 4 })));
    await state.set('c', 'v');
    await state.allow('r', 5, 10_000);
    await state.enqueue('q', 'm');
    const raw = new Redis({ host: '127.0.0.1', port: Number(new URL(REDIS_URL!).port), password: base.password || undefined, lazyConnect: true });
    try {
      await raw.select(3);
      expect(await raw.get(`${prefix}cache:c`)).toBe('v');
      expect(await raw.get(`${prefix}ratelimit:r`)).toBe('1');
      expect(await raw.pttl(`${prefix}ratelimit:r`)).toBeGreaterThan(0);
      expect(await raw.exists(`${prefix}queue:q`)).toBe(0);
      await raw.select(4);
      expect(await raw.lrange(`${prefix}queue:q`, 0, -1)).toEqual(['m']);
      expect(await raw.exists(`${prefix}cache:c`)).toBe(0);
    } finally {
      raw.disconnect();
    }
  });
});

describe.skipIf(!REDIS_URL)('Redis outage (private redis-server, killed and restarted by PID)', () => {
  const PASSWORD = `pw-${randomUUID()}`;
  let server: PrivateRedis;
  const consoleLines: string[] = [];
  const unhandled: unknown[] = [];
  const originals = { error: console.error, warn: console.warn };
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    const binary = redisServerBinary();
    if (binary === undefined) throw new Error('redis-server is not installed (scripts/services/redis.sh start installs it)');
    server = new PrivateRedis(binary, await freePort(), PASSWORD);
    await server.start();
    console.error = (...args: unknown[]) => void consoleLines.push(args.map(String).join(' '));
    console.warn = (...args: unknown[]) => void consoleLines.push(args.map(String).join(' '));
    process.on('unhandledRejection', onUnhandled);
  });

  afterAll(async () => {
    console.error = originals.error;
    console.warn = originals.warn;
    process.off('unhandledRejection', onUnhandled);
    await server?.dispose();
  });

  /** Settles `call` at once (so no rejection is ever unhandled) and records how long it took. */
  const settle = (call: Promise<unknown>) => {
    const started = Date.now();
    return call.then(
      () => ({ error: undefined as unknown, ms: Date.now() - started }),
      (error: unknown) => ({ error, ms: Date.now() - started }),
    );
  };

  const expectUnavailable = async (call: Promise<unknown>, withinMs: number) => {
    const { error, ms } = await settle(call);
    expect(ms).toBeLessThan(withinMs);
    expect(error).toMatchObject({ code: 'D7Y_ERR_UNAVAILABLE', message: expect.stringContaining(server.addr) });
    const text = `${(error as Error).message}\n${JSON.stringify(error)}\n${(error as Error).stack}`;
    expect(text).not.toContain(PASSWORD);
    return (error as Error).message;
  };

  it('fails fast with UNAVAILABLE while Redis is down, and the same client recovers when it is back', async () => {
    const config = resolveRedisConfig({ addrs: [server.addr], password: PASSWORD, keyPrefix: `d7y-test:${randomUUID()}:`, reconnectMaxDelay: 200 });
    const logger = createMemoryLogger();
    const state = track(new RedisSharedState({ ...config, logger }));
    await state.set('k', 'before', 60_000);
    expect(await state.get('k')).toBe('before');
    const blocked = settle(state.dequeue('q', 30_000));
    await sleep(100);

    await server.kill();
    const { error: blockedError, ms } = await blocked;
    expect(ms).toBeLessThan(100 + 2000);
    expect(blockedError).toMatchObject({ code: 'D7Y_ERR_UNAVAILABLE', message: expect.stringContaining(server.addr) });
    await sleep(50);
    const message = await expectUnavailable(state.get('k'), 1000);
    expect(message).toMatch(/^redis 127\.0\.0\.1:\d+ is unavailable: .+ \(get failed\)$/);
    await expectUnavailable(state.set('k', 'during'), 1000);
    await expectUnavailable(state.allow('r', 1, 1000), 1000);
    await expectUnavailable(state.enqueue('q', 'm'), 1000);
    await expectUnavailable(state.dequeue('q', 5000), 1000);
    await expectUnavailable(state.ping(), 1000);

    await server.start();
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await state.ping();
        break;
      } catch (err) {
        expect(err).toMatchObject({ code: 'D7Y_ERR_UNAVAILABLE' });
        if (Date.now() > deadline) throw err;
        await sleep(50);
      }
    }
    // The server lost its data (no persistence); the client itself works again.
    await state.set('k', 'after');
    expect(await state.get('k')).toBe('after');
    expect(await state.allow('r', 1, 1000)).toBe(true);
    const pending = state.dequeue('q', 5000);
    await sleep(50);
    await state.enqueue('q', 'm');
    expect(await pending).toBe('m');
    // One warning for the outage, one info line for the recovery, for the whole backend.
    expect(logger.records.map((r) => `${r.level} ${r.message}`)).toEqual([
      'warn redis connection lost; shared-state calls fail with D7Y_ERR_UNAVAILABLE until it is back',
      'info redis connection restored',
    ]);
    expect(JSON.stringify(logger.records)).not.toContain(PASSWORD);
  });

  it('a client whose Redis is down from the start fails fast with UNAVAILABLE', async () => {
    const port = await freePort();
    const state = track(new RedisSharedState(resolveRedisConfig({ addrs: [`127.0.0.1:${port}`], password: PASSWORD })));
    const started = Date.now();
    const error = await state.get('k').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toMatchObject({ code: 'D7Y_ERR_UNAVAILABLE', message: expect.stringContaining(`127.0.0.1:${port}`) });
    expect((error as Error).message).not.toContain(PASSWORD);
    await expect(state.dequeue('q', 5000)).rejects.toMatchObject({ code: 'D7Y_ERR_UNAVAILABLE' });
  });

  it('a wrong password is UNAUTHENTICATED and is not echoed', async () => {
    const wrong = `wrong-${randomUUID()}`;
    const state = track(new RedisSharedState(resolveRedisConfig({ addrs: [server.addr], password: wrong })));
    const error = (await state.get('k').catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toBe('D7Y_ERR_UNAUTHENTICATED');
    expect(error.message).toContain(server.addr);
    expect(error.message).not.toContain(wrong);
  });

  it('printed nothing and left no unhandled rejections', async () => {
    await sleep(300); // let reconnect attempts of closed clients settle
    expect(consoleLines.filter((line) => /ioredis|Unhandled/i.test(line))).toEqual([]);
    expect(consoleLines.join('\n')).not.toContain(PASSWORD);
    expect(unhandled).toEqual([]);
  });
});

describe('Redis config validation (no server needed)', () => {
  const issuesOf = (input: unknown) => {
    const result = redisConfigSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  };

  it('sentinel mode: masterName without addrs is a config error', () => {
    expect(issuesOf({ masterName: 'mymaster' })).toEqual([
      "addrs: required when masterName is set: the host:port of the Redis Sentinels watching 'mymaster'",
    ]);
    expect(() => resolveRedisConfig({ masterName: 'mymaster', password: 'hunter2' })).toThrow(
      expect.objectContaining({ code: 'D7Y_ERR_INVALID_CONFIG', message: expect.not.stringContaining('hunter2') }),
    );
    expect(issuesOf({ masterName: 'mymaster', addrs: ['s1:26379', 's2:26379'] })).toEqual([]);
  });

  it('accepts an empty section (Redis not configured) and refuses to build a client from it', () => {
    expect(issuesOf({})).toEqual([]);
    expect(() => new RedisSharedState(resolveRedisConfig({}))).toThrow(expect.objectContaining({ code: 'D7Y_ERR_FAILED_PRECONDITION' }));
  });
});
