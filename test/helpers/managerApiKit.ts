/**
 * Harness of the manager REST API suite: database targets (SQLite always; PostgreSQL and MariaDB when their
 * URLs are set), plugins built as the kernel builds them, a manager config, and a small HTTP client.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { parseConfig, type ManagerConfig } from '../../core/src/config/index.js';
import { TOKENS, type DatabaseDriver, type Logger, type Plugin, type PluginContainer, type Provider } from '../../core/src/plugin-api/index.js';
import mysqlPlugin from '../../plugins/database-mysql/src/index.js';
import postgresPlugin from '../../plugins/database-postgres/src/index.js';
import sqlitePlugin from '../../plugins/database-sqlite/src/index.js';

/** Driver or plugin config. */
export type Config = Record<string, unknown>;

/** A logger that keeps every line, so tests can read what was logged. */
export function recordingLogger(lines: { level: string; fields: object; message?: string }[] = []): Logger & { lines: typeof lines } {
  const at = (level: string) => (fields: object, message?: string) => void lines.push({ level, fields, message });
  const logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger, lines };
  return logger;
}

/** Builds a plugin's registered factory as the kernel would: configSchema, register, resolve. */
export function build<T>(plugin: Plugin<never>, raw: Config, token: symbol | string): T {
  const parsed = plugin.configSchema!.safeParse(raw);
  if (!parsed.success) throw new Error(`bad ${plugin.name} config: ${JSON.stringify(parsed.error.issues)}`);
  const providers = new Map<unknown, Provider<unknown>>();
  const container: PluginContainer = {
    register: (t, provider) => void providers.set(t, provider as Provider<unknown>),
    resolve: () => {
      throw new Error('unused');
    },
    isRegistered: (t) => providers.has(t),
  };
  void plugin.register({ container, config: parsed.data, logger: recordingLogger(), egress: {} as never, role: 'manager' });
  return (providers.get(token) as { useFactory: (c: PluginContainer) => T }).useFactory(container);
}

export async function openDriver(plugin: Plugin<never>, config: Config): Promise<DatabaseDriver> {
  const driver = build<DatabaseDriver>(plugin, config, TOKENS.DatabaseDriver);
  await driver.connect();
  return driver;
}

export function fromUrl(url: string): Config {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), dbname: u.pathname.slice(1) };
}

export interface Target {
  readonly name: 'sqlite' | 'postgres' | 'mysql';
  readonly plugin: Plugin<never>;
  readonly env?: string;
  /** A new private database: the driver config, and how to drop it. */
  fresh(): Promise<{ config: Config; cleanup(): Promise<void> }>;
}

export function serverTarget(name: 'postgres' | 'mysql', plugin: Plugin<never>, env: string, sql: { create: string; drop: string }): Target {
  return {
    name,
    plugin,
    env,
    async fresh() {
      const base = fromUrl(process.env[env]!);
      const dbname = `d7y_api_${randomBytes(4).toString('hex')}`;
      const admin = await openDriver(plugin, base);
      await admin.execute(sql.create.replace('$db', dbname));
      return {
        config: { ...base, dbname, connectTimeoutMs: 3000 },
        cleanup: async () => {
          await admin.execute(sql.drop.replace('$db', dbname));
          await admin.close();
        },
      };
    },
  };
}

export const TARGETS: Target[] = [
  {
    name: 'sqlite',
    plugin: sqlitePlugin as Plugin<never>,
    async fresh() {
      const dir = await mkdtemp(join(tmpdir(), 'd7y-api-'));
      return { config: { path: join(dir, 'manager.db') }, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  serverTarget('postgres', postgresPlugin as Plugin<never>, 'D7Y_TEST_POSTGRES_URL', { create: 'CREATE DATABASE $db', drop: 'DROP DATABASE IF EXISTS $db WITH (FORCE)' }),
  serverTarget('mysql', mysqlPlugin as Plugin<never>, 'D7Y_TEST_MYSQL_URL', {
    create: 'CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci',
    drop: 'DROP DATABASE IF EXISTS $db',
  }),
];

/** A manager config for tests: REST on 127.0.0.1:`port`, short JWT lifetimes, optional extra YAML. */
export function managerConfig(port: number, extra = ''): ManagerConfig {
  const yaml = `server:\n  rest:\n    addr: 127.0.0.1:${port}\nauth:\n  jwt:\n    timeout: 1h\n    maxRefresh: 2h\n${extra}`;
  return parseConfig('manager', yaml, 'manager-api.test').config;
}

export const ROOT_PASSWORD = 'root-Secret-pw-123';
export const BASE_ENV = { DRAGONFLY_INITIAL_ROOT_PASSWORD: ROOT_PASSWORD };

export interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

/** A small HTTP client for one server. */
export function client(port: number) {
  return async function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text, headers: response.headers };
  };
}

/** Polls until `check` passes or a few seconds pass (audit rows are written after the response). */
export async function eventually(check: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await check();
    } catch (error) {
      if (attempt >= 50) throw error;
      await sleep(100);
    }
  }
}

/** Requests until one answers `status` (the pool reconnects in the background). */
export async function untilStatus(run: () => Promise<Answer>, status: number, timeoutMs = 20_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await run();
    if (answer.status === status || Date.now() > deadline) return answer;
    await sleep(200);
  }
}

