import { setTimeout as sleep } from 'node:timers/promises';

import { createError, ErrorCodes, type SqlValue } from '@d7y/core/plugin-api';

import { migrationFailed, MIGRATIONS_TABLE, type PlannedMigration } from './migrations.js';

/** The migration connection: `query` takes portable `?` placeholders, `exec` runs dialect SQL verbatim. */
export interface MigrationSession {
  query(sql: string, params?: readonly SqlValue[]): Promise<Record<string, unknown>[]>;
  exec(sql: string): Promise<void>;
}

/** Session advisory-lock key shared by every d7y manager migrating a database ("d7ymigra"). */
export const MIGRATION_LOCK_KEY = '7221793316385165921';
/** How long `migrate()` waits for another process's migration to finish. */
export const MIGRATION_LOCK_TIMEOUT_MS = 5 * 60_000;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
  version BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

/**
 * Applies the pending migrations on one dedicated connection. A session advisory lock keeps two processes from
 * migrating at once (the second waits, then finds the versions recorded); each migration and its
 * schema_migrations row commit in one transaction, as PostgreSQL DDL is transactional.
 */
export async function runMigrations(session: MigrationSession, plan: readonly PlannedMigration[], lockTimeoutMs = MIGRATION_LOCK_TIMEOUT_MS): Promise<number[]> {
  await acquireLock(session, lockTimeoutMs);
  try {
    await session.exec(CREATE_TABLE);
    const rows = await session.query(`SELECT version FROM ${MIGRATIONS_TABLE}`);
    const done = new Set(rows.map((row) => Number(row.version)));
    const applied: number[] = [];
    for (const migration of plan) {
      if (done.has(migration.version)) continue;
      await applyOne(session, migration);
      applied.push(migration.version);
    }
    return applied;
  } finally {
    await session.query('SELECT pg_advisory_unlock(?::bigint)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
  }
}

async function acquireLock(session: MigrationSession, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await session.query('SELECT pg_try_advisory_lock(?::bigint) AS locked', [MIGRATION_LOCK_KEY]);
    if (row?.locked === true) return;
    if (Date.now() >= deadline) {
      throw createError(ErrorCodes.TIMEOUT, `another process has been migrating this database for over ${timeoutMs} ms (advisory lock ${MIGRATION_LOCK_KEY})`);
    }
    await sleep(100);
  }
}

async function applyOne(session: MigrationSession, migration: PlannedMigration): Promise<void> {
  let index: number | undefined;
  await session.exec('BEGIN');
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
