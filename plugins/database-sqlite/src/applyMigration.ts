import type { Database } from 'better-sqlite3';

import { mapSqliteError } from './errors.js';
import { migrationFailed, MIGRATIONS_TABLE, type PlannedMigration } from './migrations.js';

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at DATETIME NOT NULL
)`;

/**
 * Applies one migration unless it is recorded already; true when this call applied it. Runs in its own
 * `BEGIN IMMEDIATE` transaction, which takes SQLite's write lock first: another process migrating the same file
 * waits (up to the busy timeout), then sees the version recorded and skips it. SQLite DDL is transactional, so a
 * failing statement leaves nothing of the migration behind.
 */
export function applyMigration(db: Database, migration: PlannedMigration, path: string): boolean {
  let index: number | undefined;
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    throw migrationFailed(migration, undefined, mapSqliteError(err, { path }));
  }
  try {
    db.exec(CREATE_TABLE);
    const done = db.prepare(`SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE version = ?`).get(migration.version);
    if (done !== undefined) {
      db.exec('COMMIT');
      return false;
    }
    for (index = 0; index < migration.statements.length; index++) {
      const statement = db.prepare(migration.statements[index]);
      if (statement.reader) statement.all();
      else statement.run();
    }
    index = undefined;
    db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)`).run(migration.version, migration.name, new Date().toISOString());
    db.exec('COMMIT');
    return true;
  } catch (err) {
    rollbackQuietly(db);
    throw migrationFailed(migration, index, mapSqliteError(err, { path, sql: index === undefined ? undefined : migration.statements[index] }));
  }
}

/** Rolls back the open transaction, if any; a failing ROLLBACK must not hide the error that caused it. */
export function rollbackQuietly(db: Database): void {
  try {
    if (db.open && db.inTransaction) db.exec('ROLLBACK');
  } catch {
    // The original error is what the caller needs to see.
  }
}
