import { createError, ErrorCodes, type SqlValue } from '@d7y/core/plugin-api';

import { migrationFailed, MIGRATIONS_TABLE, type PlannedMigration } from './migrations.js';

/** The migration connection: `query` takes `?` placeholders, `exec` runs dialect SQL verbatim. */
export interface MigrationSession {
  query(sql: string, params?: readonly SqlValue[]): Promise<Record<string, unknown>[]>;
  exec(sql: string): Promise<void>;
}

/** How long `migrate()` waits for another process's migration to finish. */
export const MIGRATION_LOCK_TIMEOUT_MS = 5 * 60_000;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
  version BIGINT NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
)`;

/** The `GET_LOCK` name for a database (server-wide names, so the database is part of it; at most 64 chars). */
export function migrationLockName(dbname: string): string {
  return `d7y.schema_migrations.${dbname}`.slice(0, 64);
}

/**
 * Applies the pending migrations on one dedicated connection. `GET_LOCK` keeps two processes from migrating at
 * once (the second waits, then finds the versions recorded). Each migration runs in a transaction with its
 * schema_migrations row, but MySQL commits implicitly after every DDL statement: a migration that fails half-way
 * leaves its earlier DDL in place and is not recorded, so keep one DDL statement per migration or make them
 * idempotent.
 */
export async function runMigrations(session: MigrationSession, plan: readonly PlannedMigration[], lockName: string, lockTimeoutMs = MIGRATION_LOCK_TIMEOUT_MS): Promise<number[]> {
  const [row] = await session.query('SELECT GET_LOCK(?, ?) AS locked', [lockName, Math.ceil(lockTimeoutMs / 1000)]);
  if (Number(row?.locked) !== 1) {
    throw createError(ErrorCodes.TIMEOUT, `another process has been migrating this database for over ${lockTimeoutMs} ms (GET_LOCK '${lockName}')`);
  }
  try {
    await session.exec(CREATE_TABLE);
    const rows = await session.query(`SELECT version FROM ${MIGRATIONS_TABLE}`);
    const done = new Set(rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const migration of plan) {
      if (done.has(migration.version)) continue;
      await applyOne(session, migration);
      applied.push(migration.version);
    }
    return applied;
  } finally {
    await session.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
  }
}

async function applyOne(session: MigrationSession, migration: PlannedMigration): Promise<void> {
  let index: number | undefined;
  await session.exec('START TRANSACTION');
  try {
    for (index = 0; index < migration.statements.length; index++) await session.exec(migration.statements[index]);
    index = undefined;
    await session.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name) VALUES (?, ?)`, [migration.version, migration.name]);
    await session.exec('COMMIT');
  } catch (err) {
    await session.exec('ROLLBACK').catch(() => undefined);
    throw migrationFailed(migration, index, err);
  }
}
