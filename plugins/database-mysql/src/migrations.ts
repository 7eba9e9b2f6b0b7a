import { createError, ErrorCodes, isD7yError, type Migration, type SqlDialect } from '@d7y/core/plugin-api';

/** One migration ready to run for a dialect. */
export interface PlannedMigration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

/** Name of the table that records applied versions (same on every dialect). */
export const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * Checks a migration list and returns it sorted by version with this dialect's statements. Versions must be
 * distinct positive safe integers; each migration needs a name and a list (possibly empty) of non-empty
 * statements for `dialect`. Throws `D7Y_ERR_INVALID_ARGUMENT` naming the offending migration.
 * Identical copies live in each SQL database plugin.
 */
export function planMigrations(migrations: readonly Migration[], dialect: SqlDialect): PlannedMigration[] {
  const seen = new Set<number>();
  const planned = migrations.map((migration, index) => {
    const where = `migrations[${index}]`;
    const { version, name } = migration ?? ({} as Migration);
    if (!Number.isSafeInteger(version) || version <= 0) throw invalid(`${where}.version must be a positive integer, received ${JSON.stringify(version)}`);
    if (seen.has(version)) throw invalid(`${where}: version ${version} appears twice`);
    seen.add(version);
    if (typeof name !== 'string' || name === '') throw invalid(`${where} (version ${version}) needs a name`);
    const statements = migration.up?.[dialect];
    if (!Array.isArray(statements) || statements.some((s) => typeof s !== 'string' || s.trim() === '')) {
      throw invalid(`${where} (version ${version} "${name}") needs up.${dialect} as a list of non-empty SQL statements`);
    }
    return { version, name, statements: [...statements] };
  });
  return planned.sort((a, b) => a.version - b.version);
}

/** Wraps a failure inside a migration so the message names the version, name and statement index. */
export function migrationFailed(migration: PlannedMigration, statementIndex: number | undefined, err: unknown): Error {
  const where = statementIndex === undefined ? '' : ` (statement ${statementIndex + 1} of ${migration.statements.length})`;
  const prefix = `migration ${migration.version} "${migration.name}" failed${where}`;
  if (isD7yError(err)) {
    return createError(err.code, `${prefix}: ${err.message}`, { details: { ...err.details, migration: migration.version, statement: statementIndex } });
  }
  return createError(ErrorCodes.INTERNAL, `${prefix}: ${(err as Error)?.message ?? String(err)}`, { details: { migration: migration.version } });
}

function invalid(message: string): Error {
  return createError(ErrorCodes.INVALID_ARGUMENT, `invalid migrations: ${message}`);
}
