/**
 * One conformance suite for the three SQL database plugins: the same cases run against SQLite (always), and
 * against real PostgreSQL and MariaDB servers when D7Y_TEST_POSTGRES_URL / D7Y_TEST_MYSQL_URL are set (see
 * scripts/services/postgres.sh and mariadb.sh; `npm test` starts them). Drivers are built the way the kernel
 * builds them: config through the plugin's configSchema, then the factory registered under
 * TOKENS.DatabaseDriver. Each run works in its own database (or file), dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { TOKENS, type DatabaseDriver, type Logger, type Migration, type Plugin, type PluginContainer, type Provider, type SqlDialect } from '../../core/src/plugin-api/index.js';
import mysqlPlugin from '../../plugins/database-mysql/src/index.js';
import postgresPlugin from '../../plugins/database-postgres/src/index.js';
import sqlitePlugin from '../../plugins/database-sqlite/src/index.js';
import { freePort } from '../helpers/ports.js';

type Config = Record<string, unknown>;

interface Target {
  readonly dialect: SqlDialect;
  readonly plugin: Plugin<never>;
  /** The variable naming the server; absent for SQLite, which always runs. */
  readonly env?: string;
  /** Config of a new, empty database, and how to remove it. */
  fresh(): Promise<{ config: Config; cleanup(): Promise<void> }>;
  /** Config where nothing can be reached, and the text the error must name. */
  unreachable(password: string): Promise<{ config: Config; names: string }>;
  /** For servers: SQL giving this connection's id as `id`, and how to kill a connection from another one. */
  readonly kill?: { idSql: string; run(killer: DatabaseDriver, id: number): Promise<void> };
  /** A statement that takes ~200 ms, to widen the window in which two migrations race. */
  readonly slowSql?: string;
}

const logger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => logger };

/** Builds a driver as the kernel would: configSchema, register, factory. */
function build(plugin: Plugin<never>, raw: Config): DatabaseDriver {
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
  void plugin.register({ container, config: parsed.data, logger, egress: {} as never, role: 'manager' });
  return (providers.get(TOKENS.DatabaseDriver) as { useFactory: (c: PluginContainer) => DatabaseDriver }).useFactory(container);
}

async function open(plugin: Plugin<never>, config: Config): Promise<DatabaseDriver> {
  const driver = build(plugin, config);
  await driver.connect();
  return driver;
}

function fromUrl(url: string): Config {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), dbname: u.pathname.slice(1) };
}

function serverTarget(dialect: 'postgres' | 'mysql', plugin: Plugin<never>, env: string, sql: { create: string; drop: string }, rest: Pick<Target, 'kill' | 'slowSql'>): Target {
  return {
    dialect,
    plugin,
    env,
    ...rest,
    async fresh() {
      const base = fromUrl(process.env[env]!);
      const name = `d7y_conf_${randomBytes(4).toString('hex')}`;
      const admin = await open(plugin, base);
      await admin.execute(sql.create.replace('$db', name));
      return {
        config: { ...base, dbname: name, maxOpenConns: 12 },
        cleanup: async () => {
          await admin.execute(sql.drop.replace('$db', name));
          await admin.close();
        },
      };
    },
    async unreachable(password) {
      const port = await freePort();
      return { config: { ...fromUrl(process.env[env]!), port, password, connectTimeoutMs: 3000 }, names: `127.0.0.1:${port}` };
    },
  };
}

const TARGETS: Target[] = [
  {
    dialect: 'sqlite',
    plugin: sqlitePlugin as Plugin<never>,
    async fresh() {
      const dir = await mkdtemp(join(tmpdir(), 'd7y-sqlite-conf-'));
      return { config: { path: join(dir, 'nested', 'manager.db') }, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
    async unreachable() {
      const dir = await mkdtemp(join(tmpdir(), 'd7y-sqlite-down-'));
      await writeFile(join(dir, 'file'), 'not a directory');
      const path = join(dir, 'file', 'manager.db');
      return { config: { path }, names: path };
    },
  },
  serverTarget('postgres', postgresPlugin as Plugin<never>, 'D7Y_TEST_POSTGRES_URL', { create: 'CREATE DATABASE $db', drop: 'DROP DATABASE IF EXISTS $db WITH (FORCE)' }, {
    kill: { idSql: 'SELECT pg_backend_pid() AS id', run: async (killer, id) => void (await killer.query('SELECT pg_terminate_backend(?) AS ok', [id])) },
    slowSql: 'SELECT pg_sleep(0.2)',
  }),
  serverTarget('mysql', mysqlPlugin as Plugin<never>, 'D7Y_TEST_MYSQL_URL', { create: 'CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', drop: 'DROP DATABASE IF EXISTS $db' }, {
    kill: { idSql: 'SELECT CONNECTION_ID() AS id', run: async (killer, id) => void (await killer.execute(`KILL CONNECTION ${Number(id)}`)) },
    slowSql: 'DO SLEEP(0.2)',
  }),
];

const SCHEMA: Migration[] = [
  {
    version: 1,
    name: 'users',
    up: {
      sqlite: [
        `CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(64) NOT NULL UNIQUE, email VARCHAR(255),
          is_default BOOLEAN NOT NULL DEFAULT FALSE, config TEXT, avatar BLOB, quota BIGINT,
          created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), expires_at DATETIME)`,
      ],
      postgres: [
        `CREATE TABLE users (id BIGSERIAL PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE, email VARCHAR(255),
          is_default BOOLEAN NOT NULL DEFAULT FALSE, config JSONB, avatar BYTEA, quota BIGINT,
          created_at TIMESTAMPTZ NOT NULL DEFAULT now(), expires_at TIMESTAMPTZ)`,
      ],
      mysql: [
        `CREATE TABLE users (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE, email VARCHAR(255),
          is_default BOOLEAN NOT NULL DEFAULT FALSE, config JSON, avatar BLOB, quota BIGINT,
          created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), expires_at DATETIME(3) NULL) DEFAULT CHARSET=utf8mb4`,
      ],
    },
  },
  {
    version: 2,
    name: 'counters',
    up: {
      sqlite: ['CREATE TABLE counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT', 'CREATE INDEX users_email ON users (email)'],
      postgres: ['CREATE TABLE counters (name VARCHAR(64) PRIMARY KEY, n INTEGER NOT NULL)', 'CREATE INDEX users_email ON users (email)'],
      mysql: ['CREATE TABLE counters (name VARCHAR(64) PRIMARY KEY, n INTEGER NOT NULL)', 'CREATE INDEX users_email ON users (email)'],
    },
  },
];

/** The same DDL on every dialect, for the migration-race cases. */
const same = (statements: string[]): Migration['up'] => ({ sqlite: statements, postgres: statements, mysql: statements });

const codeOf = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e as { code?: string; message: string; details?: Record<string, unknown> },
  );
  expect(err, 'expected a rejection').toBeDefined();
  return err!;
};

const INSERT_USER = 'INSERT INTO users (name, email, is_default, config, avatar, quota, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)';

for (const target of TARGETS) {
  const missing = target.env !== undefined && !process.env[target.env];
  if (missing) {
    console.warn(
      `\n!!! ${target.env} is not set: the ${target.dialect} database conformance suite is SKIPPED.\n` +
        `!!! Start the server with: eval "$(bash scripts/services/${target.dialect === 'mysql' ? 'mariadb' : 'postgres'}.sh start)"\n`,
    );
  }

  describe.skipIf(missing)(`database conformance: ${target.dialect}`, () => {
    let db: DatabaseDriver;
    let config: Config;
    let cleanup: () => Promise<void>;
    let firstMigration: number[];

    beforeAll(async () => {
      ({ config, cleanup } = await target.fresh());
      db = await open(target.plugin, config);
      firstMigration = await db.migrate(SCHEMA);
    });

    afterAll(async () => {
      await db?.close();
      await cleanup?.();
    });

    beforeEach(async () => {
      await db.execute('DELETE FROM users');
      await db.execute('DELETE FROM counters');
    });

    const count = async (name?: string) => {
      const rows = name === undefined ? await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM users') : await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM users WHERE name = ?', [name]);
      return rows[0].n;
    };

    it('applies each migration once, in order, and records it in schema_migrations', async () => {
      expect(db.dialect).toBe(target.dialect);
      expect(firstMigration).toEqual([1, 2]);
      expect(await db.migrate(SCHEMA)).toEqual([]);
      expect(await db.query('SELECT version, name FROM schema_migrations ORDER BY version')).toEqual([
        { version: 1, name: 'users' },
        { version: 2, name: 'counters' },
      ]);
      const bad = await codeOf(db.migrate([{ version: 1, name: 'x', up: same([]) }, { version: 1, name: 'y', up: same([]) }]));
      expect(bad.code).toBe('D7Y_ERR_INVALID_ARGUMENT');
    });

    it('inserts, selects, updates and deletes with ? placeholders and portable value types', async () => {
      const expires = new Date('2031-02-03T04:05:06.789Z');
      const big = 2n ** 53n + 1n;
      const avatar = new Uint8Array([0, 1, 2, 253, 254, 255]);
      const first = await db.execute(`${INSERT_USER} RETURNING id`, ['alice', 'a@example.com', true, '{"load_limit":200}', avatar, big, expires]);
      expect(first.affectedRows).toBe(1);
      expect(typeof first.insertId).toBe('number');
      const plain = await db.execute(INSERT_USER, ['bob', null, false, null, null, 2 ** 40, null]);
      expect(plain.affectedRows).toBe(1);
      // Without RETURNING only postgres cannot tell the id (documented portability rule).
      if (target.dialect === 'postgres') expect(plain.insertId).toBeUndefined();
      else expect(plain.insertId).toBe(first.insertId! + 1);

      const [alice] = await db.query('SELECT * FROM users WHERE id = ?', [first.insertId!]);
      expect(alice).toMatchObject({ id: first.insertId, name: 'alice', email: 'a@example.com', is_default: true, quota: big, expires_at: expires });
      expect(JSON.parse(alice.config as string)).toEqual({ load_limit: 200 });
      expect(Buffer.from(alice.avatar as Uint8Array).equals(Buffer.from(avatar))).toBe(true);
      expect(alice.created_at).toBeInstanceOf(Date);
      expect(Math.abs((alice.created_at as Date).getTime() - Date.now())).toBeLessThan(60_000);

      const [bob] = await db.query('SELECT id, is_default, quota, config, avatar, expires_at FROM users WHERE name = ?', ['bob']);
      expect(bob).toEqual({ id: expect.any(Number), is_default: false, quota: 2 ** 40, config: null, avatar: null, expires_at: null });

      const later = await db.query('SELECT name FROM users WHERE expires_at > ? ORDER BY name', [new Date('2030-01-01T00:00:00Z')]);
      expect(later).toEqual([{ name: 'alice' }]);
      // affectedRows counts matched rows, even when a value does not change.
      expect((await db.execute('UPDATE users SET email = ? WHERE name = ?', ['a@example.com', 'alice'])).affectedRows).toBe(1);
      expect((await db.execute('UPDATE users SET is_default = ? WHERE is_default = ?', [false, true])).affectedRows).toBe(1);
      expect(await db.query('SELECT name FROM users WHERE is_default = ? ORDER BY name', [false])).toEqual([{ name: 'alice' }, { name: 'bob' }]);
      expect((await db.execute('DELETE FROM users WHERE name = ?', ['bob'])).affectedRows).toBe(1);
      expect((await db.execute('DELETE FROM users WHERE name = ?', ['bob'])).affectedRows).toBe(0);
      expect(await count()).toBe(1);
    });

    it('answers INSERT … RETURNING id through query() and execute() alike', async () => {
      const [row] = await db.query<{ id: number }>(`${INSERT_USER} RETURNING id`, ['carol', null, false, null, null, null, null]);
      expect(row).toEqual({ id: expect.any(Number) });
      const next = await db.execute(`${INSERT_USER} RETURNING id`, ['dave', null, false, null, null, null, null]);
      expect(next).toEqual({ affectedRows: 1, insertId: row.id + 1 });
      expect(await db.query('SELECT name FROM users WHERE id = ?', [row.id])).toEqual([{ name: 'carol' }]);
    });

    it('reports a unique violation as D7Y_ERR_ALREADY_EXISTS without the value', async () => {
      await db.execute(INSERT_USER, ['dup-secret-value', null, false, null, null, null, null]);
      const err = await codeOf(db.execute(INSERT_USER, ['dup-secret-value', null, false, null, null, null, null]));
      expect(err.code).toBe('D7Y_ERR_ALREADY_EXISTS');
      expect(err.message).not.toContain('dup-secret-value');
      expect(JSON.stringify(err.details)).not.toContain('dup-secret-value');
    });

    it('reports other SQL errors as D7Y_ERR_INTERNAL with the SQL code and no parameter values', async () => {
      const err = await codeOf(db.execute('INSERT INTO counters (name, n) VALUES (?, ?)', ['c', 'not-a-number-secret']));
      expect(err.code).toBe('D7Y_ERR_INTERNAL');
      expect(err.details?.sqlCode).toEqual(expect.any(String));
      expect(err.message).toContain(String(err.details?.sqlCode));
      expect(err.message).not.toContain('not-a-number-secret');
      expect(JSON.stringify(err.details)).not.toContain('not-a-number-secret');
      const syntax = await codeOf(db.query('SELEC 1'));
      expect(syntax.code).toBe('D7Y_ERR_INTERNAL');
    });

    it('rejects a placeholder/parameter count mismatch with D7Y_ERR_INVALID_ARGUMENT', async () => {
      expect((await codeOf(db.query('SELECT ? AS a', []))).code).toBe('D7Y_ERR_INVALID_ARGUMENT');
      expect((await codeOf(db.query('SELECT ? AS a, ? AS b', [1]))).code).toBe('D7Y_ERR_INVALID_ARGUMENT');
      expect((await codeOf(db.query('SELECT ? AS a', [1, 2]))).code).toBe('D7Y_ERR_INVALID_ARGUMENT');
    });

    it('stores SQL injection attempts literally', async () => {
      const attempts = [
        "'); DROP TABLE users; --",
        "Robert'); DROP TABLE counters;--",
        "x' OR '1'='1",
        '? $1 :name @p $$ $tag$',
        'back\\slash "double" `back` \'single\'',
        'ünïcødé 🚀 ✓',
      ];
      for (const name of attempts) await db.execute(INSERT_USER, [name, null, false, null, null, null, null]);
      for (const name of attempts) expect(await db.query('SELECT name FROM users WHERE name = ?', [name])).toEqual([{ name }]);
      expect(await count()).toBe(attempts.length);
      expect(await db.query('SELECT COUNT(*) AS n FROM counters')).toEqual([{ n: 0 }]);
      // A `?` inside a string literal or a comment is not a placeholder.
      expect(await db.query("SELECT '?' AS q, ? AS v /* ? */ -- ?\n", ['value?'])).toEqual([{ q: '?', v: 'value?' }]);
    });

    it('commits a transaction whose work resolves', async () => {
      const result = await db.transaction(async (tx) => {
        await tx.execute(INSERT_USER, ['t1', null, false, null, null, null, null]);
        await tx.execute(INSERT_USER, ['t2', null, true, null, null, null, null]);
        const [row] = await tx.query<{ n: number }>('SELECT COUNT(*) AS n FROM users');
        return row.n;
      });
      expect(result).toBe(2);
      expect(await count()).toBe(2);
    });

    it('rolls back a transaction whose work throws, and rethrows the same error', async () => {
      const boom = new Error('boom');
      await expect(
        db.transaction(async (tx) => {
          await tx.execute(INSERT_USER, ['r1', null, false, null, null, null, null]);
          throw boom;
        }),
      ).rejects.toBe(boom);
      const dup = await codeOf(
        db.transaction(async (tx) => {
          await tx.execute(INSERT_USER, ['r2', null, false, null, null, null, null]);
          await tx.execute(INSERT_USER, ['r2', null, false, null, null, null, null]);
        }),
      );
      expect(dup.code).toBe('D7Y_ERR_ALREADY_EXISTS');
      expect(await count()).toBe(0);
    });

    it('never shows uncommitted rows outside the transaction', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let inserted!: () => void;
      const insertedNow = new Promise<void>((resolve) => (inserted = resolve));
      const tx = db.transaction(async (session) => {
        await session.execute(INSERT_USER, ['pending', null, false, null, null, null, null]);
        inserted();
        await gate;
      });
      await insertedNow;
      const outside = count('pending');
      const early = await Promise.race([outside.then((n) => ({ n })), sleep(200).then(() => 'still waiting' as const)]);
      // SQLite makes the reader wait for the transaction; servers answer at once from committed data.
      if (early !== 'still waiting') expect(early.n).toBe(0);
      else expect(target.dialect).toBe('sqlite');
      release();
      await tx;
      expect(await outside).toBe(early === 'still waiting' ? 1 : 0);
      expect(await count('pending')).toBe(1);
    });

    it('runs concurrent transactions independently', async () => {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          db.transaction(async (tx) => {
            await tx.execute(INSERT_USER, [`c${i}`, null, false, null, null, null, null]);
            await sleep(5);
            await tx.execute('UPDATE users SET email = ? WHERE name = ?', [`c${i}@example.com`, `c${i}`]);
          }),
        ),
      );
      expect(await count()).toBe(10);
      expect(await db.query('SELECT COUNT(*) AS n FROM users WHERE email IS NULL')).toEqual([{ n: 0 }]);
    });

    it('refuses nested transactions, driver calls inside work, and a finished tx session (D7Y_ERR_FAILED_PRECONDITION)', async () => {
      expect((await codeOf(db.transaction(async () => db.transaction(async () => 1)))).code).toBe('D7Y_ERR_FAILED_PRECONDITION');
      expect((await codeOf(db.transaction(async () => db.query('SELECT 1 AS one')))).code).toBe('D7Y_ERR_FAILED_PRECONDITION');
      let leaked: Parameters<Parameters<DatabaseDriver['transaction']>[0]>[0] | undefined;
      await db.transaction(async (tx) => {
        leaked = tx;
      });
      expect((await codeOf(leaked!.query('SELECT 1 AS one'))).code).toBe('D7Y_ERR_FAILED_PRECONDITION');
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    });

    it('lets two driver instances migrate one database at once, applying each version exactly once', async () => {
      const { config: shared, cleanup: drop } = await target.fresh();
      const a = await open(target.plugin, shared);
      const b = await open(target.plugin, shared);
      try {
        const slow = target.slowSql === undefined ? [] : [target.slowSql];
        const plan: Migration[] = [
          { version: 1, name: 'one', up: same(['CREATE TABLE race_one (id INTEGER PRIMARY KEY)', ...slow]) },
          { version: 2, name: 'two', up: same(['CREATE TABLE race_two (id INTEGER PRIMARY KEY)', ...slow]) },
          { version: 3, name: 'three', up: same(['CREATE TABLE race_three (id INTEGER PRIMARY KEY)']) },
        ];
        const [fromA, fromB] = await Promise.all([a.migrate(plan), b.migrate(plan)]);
        expect([...fromA, ...fromB].sort()).toEqual([1, 2, 3]);
        expect(await a.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);

        // A failing migration is not recorded; where DDL is transactional its earlier statements are undone too.
        const failing: Migration = { version: 4, name: 'broken', up: same(['CREATE TABLE race_four (id INTEGER PRIMARY KEY)', 'CREATE TABLE race_four (id INTEGER PRIMARY KEY)']) };
        const err = await codeOf(b.migrate([...plan, failing]));
        expect(err.message).toContain('migration 4 "broken" failed (statement 2 of 2)');
        expect(await a.query('SELECT COUNT(*) AS n FROM schema_migrations')).toEqual([{ n: 3 }]);
        const leftover = await a.query('SELECT COUNT(*) AS n FROM race_four').then(() => true, () => false);
        expect(leftover).toBe(target.dialect === 'mysql');
      } finally {
        await a.close();
        await b.close();
        await drop();
      }
    });

    it('pings, closes idempotently, refuses work when closed, and reconnects', async () => {
      const other = await open(target.plugin, config);
      await other.ping();
      await other.close();
      await other.close();
      expect((await codeOf(other.ping())).code).toBe('D7Y_ERR_FAILED_PRECONDITION');
      expect((await codeOf(other.query('SELECT 1 AS one'))).code).toBe('D7Y_ERR_FAILED_PRECONDITION');
      await other.connect();
      expect(await other.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await other.close();
    });

    it('reports an unreachable database as D7Y_ERR_UNAVAILABLE naming where, never the password', async () => {
      const password = `S3cret-${randomBytes(6).toString('hex')}`;
      const { config: down, names } = await target.unreachable(password);
      const driver = build(target.plugin, down);
      const err = await codeOf(driver.connect());
      expect(err.code).toBe('D7Y_ERR_UNAVAILABLE');
      expect(err.message).toContain(names);
      expect(`${err.message} ${JSON.stringify(err.details)} ${String((err as { stack?: string }).stack)}`).not.toContain(password);
      expect((await codeOf(driver.query('SELECT 1 AS one'))).code).toBe('D7Y_ERR_FAILED_PRECONDITION');
      if (target.env !== undefined) {
        const wrong = await codeOf(build(target.plugin, { ...config, password }).connect());
        expect(wrong.code).toBe('D7Y_ERR_UNAVAILABLE');
        expect(wrong.message).toContain(`${config.host}:${config.port}`);
        expect(`${wrong.message} ${JSON.stringify(wrong.details)}`).not.toContain(password);
      }
    });

    // SQLite has no server connection to kill: the case does not exist there (rather than being listed as skipped).
    const { kill } = target;
    if (kill !== undefined) it('reports a connection killed mid-transaction as D7Y_ERR_UNAVAILABLE, and recovers', async () => {
      const killer = await open(target.plugin, config);
      try {
        const err = await codeOf(
          db.transaction(async (tx) => {
            const [{ id }] = await tx.query<{ id: number }>(kill.idSql);
            await tx.execute(INSERT_USER, ['doomed', null, false, null, null, null, null]);
            await kill.run(killer, id);
            for (let i = 0; i < 40; i++) {
              await tx.query('SELECT 1 AS one');
              await sleep(50);
            }
          }),
        );
        expect(err.code).toBe('D7Y_ERR_UNAVAILABLE');
        expect(err.message).toContain(`${config.host}:${config.port}`);
        await db.ping();
        expect(await count('doomed')).toBe(0);
      } finally {
        await killer.close();
      }
    });
  });
}
