import mysql, { type FieldPacket, type Pool, type PoolConnection, type ResultSetHeader } from 'mysql2/promise';
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

import type { MysqlConfig } from './config.js';
import { isConnectionError, mapMysqlError, notConnected } from './errors.js';
import { planMigrations } from './migrations.js';
import { poolOptions, SESSION_INIT } from './poolOptions.js';
import { migrationLockName, runMigrations, type MigrationSession } from './runMigrations.js';
import { assertActive, TransactionScope, type TransactionState } from './TransactionScope.js';
import { countPlaceholders } from './placeholders.js';
import { normaliseRows, toMysqlParams } from './values.js';

type Row = Record<string, unknown>;
type Result = { rows: Row[]; header?: ResultSetHeader };

const INSERT = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*(?:insert|replace)\b/i;
const RETURNING_ID = /\s+returning\s+("?)id\1\s*;?\s*$/i;

/**
 * The MySQL/MariaDB driver (mysql2/promise pool). Statements with parameters run as server-side prepared
 * statements (values are bound, never interpolated); sessions run in UTC with ANSI_QUOTES and strict mode.
 * Portable `INSERT … RETURNING id` is executed without the clause and answered from the insert id.
 */
export class MysqlDriver implements DatabaseDriver {
  readonly dialect = 'mysql' as const;
  readonly #config: MysqlConfig;
  readonly #logger: Logger | undefined;
  readonly #scope = new TransactionScope();
  readonly #endpoint: string;
  #pool: Pool | undefined;

  constructor(config: MysqlConfig, logger?: Logger) {
    this.#config = config;
    this.#logger = logger;
    this.#endpoint = `${config.host.includes(':') ? `[${config.host}]` : config.host || '(unset)'}:${config.port}`;
  }

  /** Opens the pool and round-trips once; `D7Y_ERR_UNAVAILABLE` (naming host:port) if the server cannot be used. */
  async connect(): Promise<void> {
    if (this.#pool !== undefined) return;
    if (this.#config.host === '' || this.#config.user === '') {
      throw createError(ErrorCodes.INVALID_CONFIG, 'mysql host and user must be set (database.mysql / plugins.database.mysql)');
    }
    const pool = mysql.createPool(poolOptions(this.#config));
    // Runs before any other command on a new connection; a connection that cannot be set up is dropped.
    pool.pool.on('connection', (connection) => {
      connection.query(SESSION_INIT, (err: unknown) => {
        if (err === null || err === undefined) return;
        this.#logger?.warn({ err: this.#map(err).message }, 'mysql session set-up failed; dropping the connection');
        connection.destroy();
      });
    });
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

  /** Runs a statement; `insertId` is the auto-increment id of a single-row INSERT. */
  async execute(sql: string, params?: readonly SqlValue[]): Promise<ExecResult> {
    this.#scope.assertOutside('execute');
    return toExecResult(await this.#run(this.#open(), sql, params));
  }

  /** Runs `work` on one connection inside START TRANSACTION … COMMIT; rolls back and rethrows if it throws. */
  async transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
    this.#scope.assertOutside('transaction');
    return this.#withConnection(async (connection) => {
      const state: TransactionState = { active: true };
      const tx: SqlSession = {
        query: async <R extends Row = Row>(sql: string, params?: readonly SqlValue[]) => {
          assertActive(state);
          return (await this.#run(connection, sql, params)).rows as R[];
        },
        execute: async (sql: string, params?: readonly SqlValue[]) => (assertActive(state), toExecResult(await this.#run(connection, sql, params))),
      };
      await this.#run(connection, 'START TRANSACTION');
      let result: T;
      try {
        result = await this.#scope.run(state, () => work(tx));
      } catch (err) {
        state.active = false;
        await this.#run(connection, 'ROLLBACK').catch(() => undefined);
        throw err;
      }
      state.active = false;
      await this.#run(connection, 'COMMIT');
      return result;
    });
  }

  /** Applies pending migrations under `GET_LOCK`; returns the versions applied. DDL is not transactional here. */
  async migrate(migrations: readonly Migration[]): Promise<number[]> {
    this.#scope.assertOutside('migrate');
    const plan = planMigrations(migrations, 'mysql');
    return this.#withConnection((connection) => {
      const session: MigrationSession = {
        query: async (sql, params) => (await this.#run(connection, sql, params)).rows,
        exec: async (sql) => {
          try {
            await connection.query(sql);
          } catch (err) {
            throw this.#map(err, undefined, sql);
          }
        },
      };
      return runMigrations(session, plan, migrationLockName(this.#config.dbname));
    });
  }

  /** Round-trips `SELECT 1`. */
  async ping(): Promise<void> {
    await this.#run(this.#open(), 'SELECT 1');
  }

  /** Ends the pool. Idempotent; `connect()` may reopen. */
  async close(): Promise<void> {
    this.#scope.assertOutside('close');
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }

  #open(): Pool {
    if (this.#pool === undefined) throw notConnected(this.#endpoint);
    return this.#pool;
  }

  #map(err: unknown, params?: readonly SqlValue[], sql?: string) {
    return mapMysqlError(err, { endpoint: this.#endpoint, secret: this.#config.password, params, sql });
  }

  async #run(target: Pool | PoolConnection, sql: string, params?: readonly SqlValue[]): Promise<Result> {
    const text = INSERT.test(sql) ? sql.replace(RETURNING_ID, '') : sql;
    const returningId = text !== sql;
    const values = toMysqlParams(params);
    const count = countPlaceholders(text);
    if (count !== values.length) {
      throw createError(ErrorCodes.INVALID_ARGUMENT, `statement has ${count} placeholder(s) but ${values.length} parameter(s) were given`);
    }
    try {
      const [result, fields] = (count > 0 ? await target.execute(text, values) : await target.query(text)) as [unknown, FieldPacket[] | undefined];
      if (Array.isArray(result)) return { rows: normaliseRows(result as Row[], fields) };
      const header = result as ResultSetHeader;
      // `INSERT … RETURNING id` answers with the id row it asked for, as on PostgreSQL and SQLite.
      const id = Number(header.insertId);
      return { rows: returningId && id > 0 ? [{ id }] : [], header };
    } catch (err) {
      throw this.#map(err, params, sql);
    }
  }

  /** Checks out a connection for `use`; a connection that failed is destroyed instead of returned. */
  async #withConnection<R>(use: (connection: PoolConnection) => Promise<R>): Promise<R> {
    let connection: PoolConnection;
    try {
      connection = await this.#open().getConnection();
    } catch (err) {
      throw this.#map(err);
    }
    let broken = false;
    try {
      return await use(connection);
    } catch (err) {
      if (isConnectionError(err)) broken = true;
      throw err;
    } finally {
      if (broken) connection.destroy();
      else connection.release();
    }
  }
}

function toExecResult({ rows, header }: Result): ExecResult {
  if (header === undefined) return { affectedRows: rows.length };
  const insertId = Number(header.insertId);
  return insertId > 0 ? { affectedRows: header.affectedRows, insertId } : { affectedRows: header.affectedRows };
}
