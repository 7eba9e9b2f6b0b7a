/**
 * Fresh manager databases for tests: SQLite always, PostgreSQL and MariaDB when D7Y_TEST_POSTGRES_URL /
 * D7Y_TEST_MYSQL_URL are set (`eval "$(bash scripts/services/postgres.sh start)"`, likewise mariadb.sh).
 * Drivers are built the way the kernel builds them (configSchema, then the factory under
 * TOKENS.DatabaseDriver); each fresh database is private to its caller and dropped by `cleanup()`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TOKENS, type DatabaseDriver, type Logger, type Plugin, type PluginContainer, type Provider, type SqlDialect } from '../../core/src/plugin-api/index.js';
import mysqlPlugin from '../../plugins/database-mysql/src/index.js';
import postgresPlugin from '../../plugins/database-postgres/src/index.js';
import sqlitePlugin from '../../plugins/database-sqlite/src/index.js';

type Config = Record<string, unknown>;

const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** A database dialect tests can run against. */
export interface DbTarget {
  readonly dialect: SqlDialect;
  /** The variable naming the server; absent for SQLite, which always runs. */
  readonly env?: string;
  /** True when the server is not configured (the suite should be skipped, loudly). */
  readonly missing: boolean;
  /** A connected driver on a new, empty database, and how to remove it. */
  fresh(): Promise<{ db: DatabaseDriver; config: Config; cleanup(): Promise<void> }>;
}

/** Builds a driver as the kernel would: configSchema, register, factory. */
export function buildDriver(plugin: Plugin<never>, raw: Config): DatabaseDriver {
  const parsed = plugin.configSchema!.safeParse(raw);
  if (!parsed.success) throw new Error(`bad ${plugin.name} config: ${JSON.stringify(parsed.error.issues)}`);
  const providers = new Map<unknown, Provider<unknown>>();
  const container: PluginContainer = {
    register: (token, provider) => void providers.set(token, provider as Provider<unknown>),
    resolve: () => {
      throw new Error('unused');
    },
    isRegistered: (token) => providers.has(token),
  };
  void plugin.register({ container, config: parsed.data, logger: silent, egress: {} as never, role: 'manager' });
  return (providers.get(TOKENS.DatabaseDriver) as { useFactory: (c: PluginContainer) => DatabaseDriver }).useFactory(container);
}

/** Parses a test server URL into driver config keys. */
export function configFromUrl(url: string): Config {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), dbname: u.pathname.slice(1) };
}

function serverTarget(dialect: 'postgres' | 'mysql', plugin: Plugin<never>, env: string, create: string, drop: string): DbTarget {
  return {
    dialect,
    env,
    missing: !process.env[env],
    async fresh() {
      const base = configFromUrl(process.env[env]!);
      const name = `d7y_mgr_${randomBytes(4).toString('hex')}`;
      const admin = buildDriver(plugin, base);
      await admin.connect();
      await admin.execute(create.replace('$db', name));
      const config = { ...base, dbname: name };
      const db = buildDriver(plugin, config);
      await db.connect();
      return {
        db,
        config,
        cleanup: async () => {
          await db.close();
          await admin.execute(drop.replace('$db', name));
          await admin.close();
        },
      };
    },
  };
}

/** SQLite, PostgreSQL and MariaDB targets, in that order. */
export const DB_TARGETS: readonly DbTarget[] = [
  {
    dialect: 'sqlite',
    missing: false,
    async fresh() {
      const dir = await mkdtemp(join(tmpdir(), 'd7y-manager-db-'));
      const config = { path: join(dir, 'manager.db') };
      const db = buildDriver(sqlitePlugin as Plugin<never>, config);
      await db.connect();
      return {
        db,
        config,
        cleanup: async () => {
          await db.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
  serverTarget('postgres', postgresPlugin as Plugin<never>, 'D7Y_TEST_POSTGRES_URL', 'CREATE DATABASE $db', 'DROP DATABASE IF EXISTS $db WITH (FORCE)'),
  serverTarget('mysql', mysqlPlugin as Plugin<never>, 'D7Y_TEST_MYSQL_URL', 'CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', 'DROP DATABASE IF EXISTS $db'),
];

/** Warns loudly that a server suite is skipped. */
export function warnSkipped(target: DbTarget, suite: string): void {
  if (!target.missing) return;
  console.warn(
    `\n!!! ${target.env} is not set: the ${target.dialect} ${suite} suite is SKIPPED.\n` +
      `!!! Start the server with: eval "$(bash scripts/services/${target.dialect === 'mysql' ? 'mariadb' : 'postgres'}.sh start)"\n`,
  );
}
