import pg from 'pg';
import {
  createError,
  ErrorCodes,
  type DatabaseDriver,
  type ExecResult,
  type Logger,
  type Migration,
  type SqlSession,
  type SqlValue,
} from '@d7y/core/plugin-api';

import type { PostgresConfig } from './config.js';
import { isConnectionError, mapPgError, notConnected } from './errors.js';
import { planMigrations } from './migrations.js';
import { toPostgresPlaceholders } from './placeholders.js';
import { runMigrations, type MigrationSession } from './runMigrations.js';
import { poolOptions } from './poolOptions.js';
import { assertActive, TransactionScope, type TransactionState } from './TransactionScope.js';
import { toPostgresParams } from './values.js';

type Row = Record<string, unknown>;
type Queryable = pg.Pool | pg.PoolClient;

/**
 * The PostgreSQL driver (node-pg Pool). Statements use `?` placeholders, rewritten to `$n`; values always travel
 * as bind parameters. Transactions and migrations hold one pooled connection each; idle and checked-out
 * connections that die are logged and replaced instead of crashing the process.
 */
export class PostgresDriver implements DatabaseDriver {
  readonly dialect = 'postgres' as const;
  readonly #config: PostgresConfig;
  readonly #logger: Logger | undefined;
  readonly #scope = new TransactionScope();
  readonly #endpoint: string;
  #pool: pg.Pool | undefined;

  constructor(config: PostgresConfig, logger?: Logger) {
    this.#config = config;
    this.#logger = logger;
    this.#endpoint = `${config.host.includes(':') ? `[${config.host}]` : config.host || '(unset)'}:${config.port}`;
  }

  /** Opens the pool and round-trips once; `D7Y_ERR_UNAVAILABLE` (naming host:port) if the server cannot be used. */
  async connect(): Promise<void> {
    if (this.#pool !== undefined) return;
    const { host, user } = this.#config;
    if (host === '' || user === '') {
      throw createError(ErrorCodes.INVALID_CONFIG, 'postgres host and user must be set (database.postgres / plugins.database.postgres)');
    }
    const pool = new pg.Pool(poolOptions(this.#config));
    pool.on('error', (err) => this.#logger?.warn({ err: this.#map(err).message }, 'idle postgres connection failed; it will be replaced'));
    this.#pool = pool;
    try {
      await this.ping();
    } catch (err) {
      this.#pool = undefined;
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  /** Runs a query through the pool. */
  async query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    this.#scope.assertOutside('query');
    return (await this.#run(this.#open(), sql, params)).rows as T[];
  }

  /** Runs a statement; `insertId` comes from a returned `id` column (`INSERT … RETURNING id`). */
  async execute(sql: string, params?: readonly SqlValue[]): Promise<ExecResult> {
    this.#scope.assertOutside('execute');
    return toExecResult(await this.#run(this.#open(), sql, params));
  }

  /** Runs `work` on one connection inside BEGIN … COMMIT; rolls back and rethrows if it throws. Not nestable. */
  async transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
    this.#scope.assertOutside('transaction');
    return this.#withClient(async (client) => {
      const state: TransactionState = { active: true };
      const tx: SqlSession = {
        query: async <R extends Row = Row>(sql: string, params?: readonly SqlValue[]) => {
          assertActive(state);
          return (await this.#run(client, sql, params)).rows as R[];
        },
        execute: async (sql: string, params?: readonly SqlValue[]) => (assertActive(state), toExecResult(await this.#run(client, sql, params))),
      };
      await this.#run(client, 'BEGIN');
      let result: T;
      try {
        result = await this.#scope.run(state, () => work(tx));
      } catch (err) {
        state.active = false;
        await this.#run(client, 'ROLLBACK').catch(() => undefined);
        throw err;
      }
      state.active = false;
      await this.#run(client, 'COMMIT');
      return result;
    });
  }

  /** Applies pending migrations under an advisory lock, one transaction each; returns the versions applied. */
  async migrate(migrations: readonly Migration[]): Promise<number[]> {
    this.#scope.assertOutside('migrate');
    const plan = planMigrations(migrations, 'postgres');
    return this.#withClient((client) => {
      const session: MigrationSession = {
        query: async (sql, params) => (await this.#run(client, sql, params)).rows,
        exec: async (sql) => {
          try {
            await client.query(sql);
          } catch (err) {
            throw this.#map(err, undefined, sql);
          }
        },
      };
      return runMigrations(session, plan);
    });
  }

  /** Round-trips `SELECT 1`. */
  async ping(): Promise<void> {
    await this.#run(this.#open(), 'SELECT 1');
  }

  /** Ends the pool (waiting for checked-out connections). Idempotent; `connect()` may reopen. */
  async close(): Promise<void> {
    this.#scope.assertOutside('close');
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }

  #open(): pg.Pool {
    if (this.#pool === undefined) throw notConnected(this.#endpoint);
    return this.#pool;
  }

  #map(err: unknown, params?: readonly SqlValue[], sql?: string) {
    return mapPgError(err, { endpoint: this.#endpoint, secret: this.#config.password, params, sql });
  }

  async #run(target: Queryable, sql: string, params?: readonly SqlValue[]): Promise<pg.QueryResult<Row>> {
    const { text, count } = toPostgresPlaceholders(sql);
    const given = params?.length ?? 0;
    if (count !== given) {
      throw createError(ErrorCodes.INVALID_ARGUMENT, `statement has ${count} placeholder(s) but ${given} parameter(s) were given`);
    }
    try {
      const result = (await target.query<Row>({ text, values: toPostgresParams(params) })) as pg.QueryResult<Row> | pg.QueryResult<Row>[];
      return Array.isArray(result) ? result[result.length - 1] : result;
    } catch (err) {
      throw this.#map(err, params, sql);
    }
  }

  /** Checks out a connection for `use`; a connection that failed is destroyed instead of returned. */
  async #withClient<R>(use: (client: pg.PoolClient) => Promise<R>): Promise<R> {
    let client: pg.PoolClient;
    try {
      client = await this.#open().connect();
    } catch (err) {
      throw this.#map(err);
    }
    let broken = false;
    const onError = (err: Error) => {
      broken = true;
      this.#logger?.warn({ err: this.#map(err).message }, 'postgres connection failed while checked out');
    };
    client.on('error', onError);
    try {
      return await use(client);
    } catch (err) {
      if (isConnectionError(err)) broken = true;
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}

function toExecResult(result: pg.QueryResult<Row>): ExecResult {
  const id = result.rows[0]?.id;
  const affectedRows = result.rowCount ?? 0;
  return typeof id === 'number' || typeof id === 'bigint' ? { affectedRows, insertId: Number(id) } : { affectedRows };
}
