import { describe, expect, it } from 'vitest';

import { parseAddr, REDIS_DEFAULTS, redisConfigSchema, resolveRedisConfig } from './config.js';
import { describeServer, redisOptions } from './connection.js';
import { toMilliseconds } from './duration.js';

const issuesOf = (input: unknown) => {
  const result = redisConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('redis config', () => {
  it('fills Dragonfly defaults (DB 0/1/2, pool 40) and d7y additions', () => {
    expect(resolveRedisConfig({ addrs: ['r:6379'] })).toEqual({
      addrs: ['r:6379'], masterName: '', username: '', password: '', sentinelUsername: '', sentinelPassword: '',
      ...REDIS_DEFAULTS,
    });
  });

  it('takes the manager.yaml database.redis section as it is, including durations as strings', () => {
    const config = resolveRedisConfig({
      addrs: ['10.0.0.1:6379'], masterName: '', username: 'u', password: 'p', sentinelUsername: '', sentinelPassword: '',
      db: 0, brokerDB: 1, backendDB: 2, poolSize: 40, poolTimeout: 10_000, host: undefined, port: undefined,
      connectTimeout: '1s', commandTimeout: '1m30s', reconnectMaxDelay: 250,
    });
    expect(config).toMatchObject({ connectTimeout: 1000, commandTimeout: 90_000, reconnectMaxDelay: 250 });
  });

  it('folds the deprecated host/port into addrs when addrs is empty', () => {
    expect(resolveRedisConfig({ host: 'r1', port: 6380 }).addrs).toEqual(['r1:6380']);
    expect(resolveRedisConfig({ host: 'r1', port: 6380, addrs: ['r2:1'] }).addrs).toEqual(['r2:1']);
  });

  it('reports every issue with its path, never echoing secrets', () => {
    const issues = issuesOf({ addrs: ['nohost', 'h:0'], db: -1, password: 42, poolSize: 0, connectTimeout: 'soon', bogus: 1, tls: { cert: 'c' } });
    expect(issues).toEqual([
      'bogus: unknown option',
      'password: expected a string, received a secret',
      'addrs.0: expected host:port with a port in [1, 65535], received "nohost"',
      'addrs.1: expected host:port with a port in [1, 65535], received "h:0"',
      'addrs: several addresses without masterName mean a Redis Cluster, which this plugin does not support: give one address, or the sentinels and masterName',
      'db: expected an integer in [0, 2147483647], received -1',
      'poolSize: expected an integer in [1, 10000], received 0',
      'connectTimeout: expected a positive duration (milliseconds, or a string such as "5s"), received "soon"',
      'tls.key: cert and key go together (mutual TLS)',
    ]);
    expect(() => resolveRedisConfig({ addrs: 'x' })).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_CONFIG' }));
  });

  it('sentinel mode needs addrs; several sentinels are fine', () => {
    expect(issuesOf({ masterName: 'm' })).toHaveLength(1);
    expect(issuesOf({ masterName: 'm', addrs: ['s1:26379', 's2:26379', '[::1]:26379'] })).toEqual([]);
  });

  it('parses addresses, including bracketed IPv6', () => {
    expect(parseAddr('[::1]:6379')).toEqual({ host: '::1', port: 6379 });
    expect(parseAddr('redis.local:6379')).toEqual({ host: 'redis.local', port: 6379 });
    expect(parseAddr('::1:6379')).toBeUndefined();
    expect(parseAddr('h:65536')).toBeUndefined();
  });

  it('parses durations', () => {
    expect([toMilliseconds(5), toMilliseconds('500ms'), toMilliseconds('1h1m1s'), toMilliseconds('1.5s')]).toEqual([5, 500, 3_661_000, 1500]);
    expect([toMilliseconds('5'), toMilliseconds(-1), toMilliseconds('1d')]).toEqual([undefined, undefined, undefined]);
  });
});

describe('ioredis options', () => {
  it('fail fast and never re-send: no offline queue, no per-request retries', () => {
    const options = redisOptions(resolveRedisConfig({ addrs: ['r:6379'], password: 'p', db: 3 }), 3, false);
    expect(options).toMatchObject({
      host: 'r', port: 6379, db: 3, password: 'p', username: undefined, lazyConnect: true,
      enableOfflineQueue: false, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false, commandTimeout: 5000,
    });
    expect([1, 3, 10, 100].map((n) => (options.retryStrategy as (n: number) => number)(n))).toEqual([100, 400, 2000, 2000]);
    const blocking = redisOptions(resolveRedisConfig({ addrs: ['r:6379'] }), 1, true);
    expect(blocking.commandTimeout).toBeUndefined();
    expect((blocking.retryStrategy as (n: number) => unknown)(1)).toBeNull();
  });

  it('sentinel mode: sentinels from addrs, master by name', () => {
    const config = resolveRedisConfig({ masterName: 'm', addrs: ['s1:26379', 's2:26380'], sentinelPassword: 'sp' });
    expect(redisOptions(config, 0, false)).toMatchObject({ name: 'm', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }], sentinelPassword: 'sp' });
    expect(describeServer(config)).toBe("master 'm' via sentinels s1:26379, s2:26380");
  });

  it('TLS files that cannot be read are a config error', () => {
    const config = resolveRedisConfig({ addrs: ['r:6379'], tls: { caCert: '/nonexistent/ca.pem' } });
    expect(() => redisOptions(config, 0, false)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_CONFIG', message: expect.stringContaining('tls.caCert') }));
    const insecure = redisOptions(resolveRedisConfig({ addrs: ['r:6379'], tls: { insecureSkipVerify: true } }), 0, false);
    expect(insecure.tls).toEqual({ rejectUnauthorized: false });
  });
});
