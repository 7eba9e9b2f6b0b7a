/**
 * Config of the redis plugin (`plugins.database.redis`). The keys are Dragonfly's manager.yaml
 * `database.redis` keys, so the manager can hand that section over as it is; d7y additions are marked.
 * Validated by a hand-written `safeParse`, so the plugin needs no schema library.
 */
import { createError, ErrorCodes, type PluginConfigSchema } from '@d7y/core/plugin-api';

import { toMilliseconds } from './duration.js';

/** TLS to Redis (and to the sentinels in sentinel mode). */
export interface RedisTlsConfig {
  /** CA certificate file (PEM) that verifies the server; the system CAs when absent. */
  readonly caCert?: string;
  /** Client certificate file (PEM) for mutual TLS; needs `key`. */
  readonly cert?: string;
  /** Client key file (PEM) for mutual TLS; needs `cert`. */
  readonly key?: string;
  /** Skip verifying the server certificate. Only for tests. */
  readonly insecureSkipVerify: boolean;
}

/** The validated config, defaults applied. */
export interface RedisConfig {
  /** `host:port` of the Redis server, or of the sentinels when `masterName` is set. Empty: Redis is not configured. */
  readonly addrs: readonly string[];
  /** Sentinel master name; empty when not using Redis Sentinel. */
  readonly masterName: string;
  readonly username: string;
  readonly password: string;
  readonly sentinelUsername: string;
  readonly sentinelPassword: string;
  /** Database of the cache and the rate limiter (default 0). */
  readonly db: number;
  /** Database of the queues (default 1). */
  readonly brokerDB: number;
  /** Database of job results (default 2); reserved for the job backend, the shared state does not use it. */
  readonly backendDB: number;
  /** Most connections: caps concurrent blocking `dequeue`s, each of which holds one (default 40). */
  readonly poolSize: number;
  /** Accepted for compatibility with Dragonfly's manager.yaml; unused (ioredis multiplexes its connections). */
  readonly poolTimeout: number;
  /** d7y addition: prefix of every key this plugin writes (default `d7y:`). */
  readonly keyPrefix: string;
  /** d7y addition: ms to establish a connection (default 5000). */
  readonly connectTimeout: number;
  /** d7y addition: ms a non-blocking command may take before it fails `D7Y_ERR_UNAVAILABLE` (default 5000). */
  readonly commandTimeout: number;
  /** d7y addition: longest pause between reconnect attempts, in ms (default 2000). */
  readonly reconnectMaxDelay: number;
  /** d7y addition: most messages one queue holds (default 100 000, as in-process). */
  readonly maxQueueLength: number;
  /** TLS; absent for plain TCP. */
  readonly tls?: RedisTlsConfig;
}

/** Defaults, following Dragonfly's manager (pool size 40, DBs 0/1/2). */
export const REDIS_DEFAULTS = Object.freeze({
  db: 0,
  brokerDB: 1,
  backendDB: 2,
  poolSize: 40,
  poolTimeout: 10_000,
  keyPrefix: 'd7y:',
  connectTimeout: 5000,
  commandTimeout: 5000,
  reconnectMaxDelay: 2000,
  maxQueueLength: 100_000,
});

type Issue = { path: PropertyKey[]; message: string };
type Raw = Record<string, unknown>;

const STRINGS = ['masterName', 'username', 'password', 'sentinelUsername', 'sentinelPassword'] as const;
const SECRET = new Set(['password', 'sentinelPassword']);
const KEYS = new Set([
  'addrs', 'host', 'port', ...STRINGS, 'db', 'brokerDB', 'backendDB', 'poolSize', 'poolTimeout',
  'keyPrefix', 'connectTimeout', 'commandTimeout', 'reconnectMaxDelay', 'maxQueueLength', 'tls',
]);
const TLS_KEYS = new Set(['caCert', 'cert', 'key', 'insecureSkipVerify']);

const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const show = (key: string, value: unknown) => (SECRET.has(key) ? 'a secret' : JSON.stringify(value));

/** `host:port` with a port in 1..65535 (IPv6 hosts in brackets: `[::1]:6379`). */
export function parseAddr(addr: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(addr);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) return undefined;
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port };
}

function integer(raw: Raw, key: keyof typeof REDIS_DEFAULTS, min: number, max: number, issues: Issue[]): number {
  const value = raw[key];
  if (value === undefined) return REDIS_DEFAULTS[key] as number;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    issues.push({ path: [key], message: `expected an integer in [${min}, ${max}], received ${JSON.stringify(value)}` });
  }
  return value as number;
}

function duration(raw: Raw, key: 'poolTimeout' | 'connectTimeout' | 'commandTimeout' | 'reconnectMaxDelay', issues: Issue[]): number {
  if (raw[key] === undefined) return REDIS_DEFAULTS[key];
  const ms = toMilliseconds(raw[key]);
  if (ms === undefined || ms < 1 || ms > 2 ** 31 - 1) {
    issues.push({ path: [key], message: `expected a positive duration (milliseconds, or a string such as "5s"), received ${JSON.stringify(raw[key])}` });
    return REDIS_DEFAULTS[key];
  }
  return Math.ceil(ms);
}

function addrsOf(raw: Raw, issues: Issue[]): string[] {
  const { addrs, host, port } = raw;
  if (host !== undefined && typeof host !== 'string') issues.push({ path: ['host'], message: 'expected a string' });
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) {
    issues.push({ path: ['port'], message: `expected a port in [1, 65535], received ${JSON.stringify(port)}` });
  }
  if (addrs !== undefined && (!Array.isArray(addrs) || addrs.some((a) => typeof a !== 'string'))) {
    issues.push({ path: ['addrs'], message: 'expected a list of host:port strings' });
    return [];
  }
  const list = [...((addrs as string[] | undefined) ?? [])];
  // Dragonfly's Convert: the deprecated host/port become addrs when addrs is empty.
  if (list.length === 0 && typeof host === 'string' && host !== '' && typeof port === 'number') list.push(`${host}:${port}`);
  list.forEach((addr, i) => {
    if (parseAddr(addr) === undefined) issues.push({ path: ['addrs', i], message: `expected host:port with a port in [1, 65535], received ${JSON.stringify(addr)}` });
  });
  return list;
}

function tlsOf(raw: unknown, issues: Issue[]): RedisTlsConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) {
    issues.push({ path: ['tls'], message: 'expected an object { caCert?, cert?, key?, insecureSkipVerify? }' });
    return undefined;
  }
  for (const key of Object.keys(raw)) if (!TLS_KEYS.has(key)) issues.push({ path: ['tls', key], message: 'unknown option' });
  for (const key of ['caCert', 'cert', 'key'] as const) {
    if (raw[key] !== undefined && (typeof raw[key] !== 'string' || raw[key] === '')) issues.push({ path: ['tls', key], message: 'expected a file path' });
  }
  if ((raw.cert === undefined) !== (raw.key === undefined)) issues.push({ path: ['tls', raw.cert === undefined ? 'cert' : 'key'], message: 'cert and key go together (mutual TLS)' });
  if (raw.insecureSkipVerify !== undefined && typeof raw.insecureSkipVerify !== 'boolean') issues.push({ path: ['tls', 'insecureSkipVerify'], message: 'expected a boolean' });
  return {
    ...(typeof raw.caCert === 'string' ? { caCert: raw.caCert } : {}),
    ...(typeof raw.cert === 'string' ? { cert: raw.cert } : {}),
    ...(typeof raw.key === 'string' ? { key: raw.key } : {}),
    insecureSkipVerify: raw.insecureSkipVerify === true,
  };
}

/**
 * The plugin's `configSchema`. `{}` is valid (Redis not configured: the factory then refuses to build and the
 * role uses the in-process backend). Rules: `masterName` needs `addrs` (the sentinels); several `addrs`
 * without `masterName` would mean a Redis Cluster, which this plugin does not support and refuses; values of
 * secrets are never echoed in issues.
 */
export const redisConfigSchema: PluginConfigSchema<RedisConfig> = {
  safeParse(input: unknown) {
    if (!isObject(input)) return { success: false, error: { issues: [{ path: [], message: 'expected an object (database.redis)' }] } };
    const issues: Issue[] = [];
    for (const key of Object.keys(input)) if (!KEYS.has(key)) issues.push({ path: [key], message: 'unknown option' });
    const strings = {} as Record<(typeof STRINGS)[number], string>;
    for (const key of STRINGS) {
      const value = input[key] ?? '';
      if (typeof value !== 'string') issues.push({ path: [key], message: `expected a string, received ${show(key, value)}` });
      strings[key] = typeof value === 'string' ? value : '';
    }
    const addrs = addrsOf(input, issues);
    if (strings.masterName !== '' && addrs.length === 0) {
      issues.push({ path: ['addrs'], message: `required when masterName is set: the host:port of the Redis Sentinels watching '${strings.masterName}'` });
    }
    if (strings.masterName === '' && addrs.length > 1) {
      issues.push({ path: ['addrs'], message: 'several addresses without masterName mean a Redis Cluster, which this plugin does not support: give one address, or the sentinels and masterName' });
    }
    const keyPrefix = input.keyPrefix ?? REDIS_DEFAULTS.keyPrefix;
    if (typeof keyPrefix !== 'string' || keyPrefix.length > 64) issues.push({ path: ['keyPrefix'], message: 'expected a string of at most 64 characters' });
    const config: RedisConfig = {
      addrs,
      ...strings,
      db: integer(input, 'db', 0, 2 ** 31 - 1, issues),
      brokerDB: integer(input, 'brokerDB', 0, 2 ** 31 - 1, issues),
      backendDB: integer(input, 'backendDB', 0, 2 ** 31 - 1, issues),
      poolSize: integer(input, 'poolSize', 1, 10_000, issues),
      poolTimeout: duration(input, 'poolTimeout', issues),
      keyPrefix: keyPrefix as string,
      connectTimeout: duration(input, 'connectTimeout', issues),
      commandTimeout: duration(input, 'commandTimeout', issues),
      reconnectMaxDelay: duration(input, 'reconnectMaxDelay', issues),
      maxQueueLength: integer(input, 'maxQueueLength', 1, 2 ** 31 - 1, issues),
      ...(input.tls === undefined || input.tls === null ? {} : { tls: tlsOf(input.tls, issues) }),
    };
    if (issues.length > 0) return { success: false, error: { issues } };
    return { success: true, data: config };
  },
};

/** Validates and completes a config, throwing `D7Y_ERR_INVALID_CONFIG` that lists every issue. */
export function resolveRedisConfig(input: unknown): RedisConfig {
  const result = redisConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  throw createError(ErrorCodes.INVALID_CONFIG, `database/redis config is invalid: ${issues.join('; ')}`, { details: { issues } });
}
