import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';
import {
  createError,
  ErrorCodes,
  type DatabaseDriver,
  type ExecResult,
  type Migration,
  type SqlSession,
  type SqlValue,
} from '@d7y/core/plugin-api';

import { applyMigration, rollbackQuietly } from './applyMigration.js';
import type { SqliteConfig } from './config.js';
import { mapSqliteError, notConnected } from './errors.js';
import { planMigrations } from './migrations.js';
import { Mutex } from './Mutex.js';
import { StatementCache } from './StatementCache.js';
import { assertActive, TransactionScope, type TransactionState } from './TransactionScope.js';
import { converterFor, narrowInteger, toSqliteParams, type ColumnConverter } from './values.js';

type Row = Record<string, unknown>;

const INSERT = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*(?:insert|replace)\b/i;

/**
 * The embedded SQLite driver (better-sqlite3): one connection per driver, WAL journal, foreign keys on,
 * `BEGIN IMMEDIATE` transactions. better-sqlite3 is synchronous, so statements run on the event loop; a
 * transaction holds an in-process FIFO lock so no other statement touches the connection until it ends (reads
 * outside it therefore never see its uncommitted rows). Use one driver per database file per process.
 */
export class SqliteDriver implements DatabaseDriver {
  readonly dialect = 'sqlite' as const;
  readonly #config: SqliteConfig;
  readonly #statements = new StatementCache();
  readonly #lock = new Mutex();
  readonly #scope = new TransactionScope();
  #db: Database.Database | undefined;

  constructor(config: SqliteConfig) {
    this.#config = config;
  }

  /** Opens (creating if needed) the database file and its parent directory. Idempotent. */
  async connect(): Promise<void> {
    if (this.#db !== undefined) return;
    const { path, busyTimeoutMs } = this.#config;
    if (path === undefined) {
      throw createError(ErrorCodes.INVALID_CONFIG, 'sqlite database path is not set (database.sqlite.path / plugins.database.sqlite.path)');
    }
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const db = new Database(path, { timeout: busyTimeoutMs });
      try {
        db.defaultSafeIntegers(true);
        if (path !== ':memory:') db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('foreign_keys = ON');
      } catch (err) {
        db.close();
        throw err;
      }
      this.#db = db;
    } catch (err) {
      const reason = (err as { message?: string })?.message ?? String(err);
      throw createError(ErrorCodes.UNAVAILABLE, `sqlite database ${path} is unavailable: ${reason}`, {
        details: { dialect: 'sqlite', path, sqlCode: (err as { code?: unknown })?.code },
      });
    }
  }

  /** Runs a query; waits while a transaction holds the connection. */
  async query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    this.#scope.assertOutside('query');
    return this.#withConnection(() => this.#query(sql, params) as T[]);
  }

  /** Runs a statement that changes data; waits while a transaction holds the connection. */
  async execute(sql: string, params?: readonly SqlValue[]): Promise<ExecResult> {
    this.#scope.assertOutside('execute');
    return this.#withConnection(() => this.#execute(sql, params));
  }

  /** Runs `work` inside `BEGIN IMMEDIATE` … `COMMIT`; rolls back and rethrows if `work` throws. Not nestable. */
  async transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
    this.#scope.assertOutside('transaction');
    const release = await this.#lock.acquire();
    const state: TransactionState = { active: true };
    try {
      const db = this.#open();
      try {
        db.exec('BEGIN IMMEDIATE');
      } catch (err) {
        throw mapSqliteError(err, { path: this.#path });
      }
      const tx: SqlSession = {
        query: async <R extends Row = Row>(sql: string, params?: readonly SqlValue[]) => (assertActive(state), this.#query(sql, params) as R[]),
        execute: async (sql: string, params?: readonly SqlValue[]) => (assertActive(state), this.#execute(sql, params)),
      };
      let result: T;
      try {
        result = await this.#scope.run(state, () => work(tx));
      } catch (err) {
        state.active = false;
        rollbackQuietly(db);
        throw err;
      }
      state.active = false;
      try {
        db.exec('COMMIT');
      } catch (err) {
        rollbackQuietly(db);
        throw mapSqliteError(err, { path: this.#path });
      }
      return result;
    } finally {
      state.active = false;
      release();
    }
  }

  /** Applies pending migrations, each in its own `BEGIN IMMEDIATE` transaction; returns the versions applied. */
  async migrate(migrations: readonly Migration[]): Promise<number[]> {
    this.#scope.assertOutside('migrate');
    const plan = planMigrations(migrations, 'sqlite');
    const applied: number[] = [];
    for (const migration of plan) {
      const release = await this.#lock.acquire();
      try {
        if (applyMigration(this.#open(), migration, this.#path)) {
          applied.push(migration.version);
          // Column metadata of cached statements (`SELECT *`) may predate the new schema.
          this.#statements.clear();
        }
      } finally {
        release();
      }
    }
    return applied;
  }

  /** Checks that the database answers. */
  async ping(): Promise<void> {
    const db = this.#open();
    try {
      db.prepare('SELECT 1').get();
    } catch (err) {
      throw mapSqliteError(err, { path: this.#path });
    }
  }

  /** Closes the connection once running work has finished. Idempotent; `connect()` may reopen. */
  async close(): Promise<void> {
    this.#scope.assertOutside('close');
    if (this.#db === undefined) return;
    const release = await this.#lock.acquire();
    try {
      this.#statements.clear();
      this.#db?.close();
      this.#db = undefined;
    } finally {
      release();
    }
  }

  get #path(): string {
    return this.#config.path ?? '(unset)';
  }

  #open(): Database.Database {
    if (this.#db === undefined || !this.#db.open) throw notConnected();
    return this.#db;
  }

  async #withConnection<R>(run: () => R): Promise<R> {
    if (!this.#lock.locked) return run();
    const release = await this.#lock.acquire();
    try {
      return run();
    } finally {
      release();
    }
  }

  #run(sql: string, params: readonly SqlValue[] | undefined): { rows: Row[]; changes: number; lastInsertRowid?: bigint | number } {
    const db = this.#open();
    try {
      const statement = this.#statements.get(db, sql);
      const bound = toSqliteParams(params);
      if (!statement.reader) {
        const info = statement.run(...bound);
        return { rows: [], changes: info.changes, lastInsertRowid: info.lastInsertRowid };
      }
      const converters = new Map<string, ColumnConverter>(statement.columns().map((column) => [column.name, converterFor(column.type)]));
      const rows = (statement.all(...bound) as Row[]).map((row) => {
        for (const key of Object.keys(row)) row[key] = (converters.get(key) ?? narrowInteger)(row[key]);
        return row;
      });
      return { rows, changes: rows.length };
    } catch (err) {
      throw mapSqliteError(err, { path: this.#path, params, sql });
    }
  }

  #query(sql: string, params: readonly SqlValue[] | undefined): Row[] {
    return this.#run(sql, params).rows;
  }

  #execute(sql: string, params: readonly SqlValue[] | undefined): ExecResult {
    const { rows, changes, lastInsertRowid } = this.#run(sql, params);
    if (lastInsertRowid === undefined) {
      // A statement with RETURNING: the id comes from the returned row.
      const id = rows[0]?.id;
      return typeof id === 'number' ? { affectedRows: changes, insertId: id } : { affectedRows: changes };
    }
    return INSERT.test(sql) && changes > 0 ? { affectedRows: changes, insertId: Number(lastInsertRowid) } : { affectedRows: changes };
  }
}
