/**
 * A tiny DDL builder: one column list, three dialects. Migrations describe each table once and get the
 * `CREATE TABLE` statement for SQLite, PostgreSQL and MySQL/MariaDB following the portability rules of the
 * database plugins (ids, booleans, UTC timestamps, JSON stored as text).
 */
import type { Migration, SqlDialect } from '../../plugin-api/database/DatabaseDriver.js';

/** A column type the manager's tables use. */
export type ColumnType =
  | { kind: 'varchar'; length: number }
  | { kind: 'text' }
  | { kind: 'int' }
  | { kind: 'bigint' }
  | { kind: 'bool' }
  | { kind: 'json' }
  | { kind: 'timestamp' };

/** A column: type, nullability and a literal default (portable: numbers, booleans, short strings). */
export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable?: boolean;
  readonly defaultValue?: string | number | boolean;
}

/** A table: its columns after the standard `id, created_at, updated_at, is_del`, and unique keys. */
export interface TableDef {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  /** Unique keys; `is_del` is appended to each so that soft-deleted rows never block a new one. */
  readonly unique?: readonly (readonly string[])[];
  /** Whether to add the standard `id, created_at, updated_at, is_del` columns (default true). */
  readonly standard?: boolean;
  /** A composite primary key, for join tables without the standard columns. */
  readonly primaryKey?: readonly string[];
}

function typeSql(type: ColumnType, dialect: SqlDialect): string {
  switch (type.kind) {
    case 'varchar':
      return `VARCHAR(${type.length})`;
    case 'text':
    case 'json':
      return dialect === 'mysql' ? 'LONGTEXT' : 'TEXT';
    case 'int':
      return 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'bool':
      return 'BOOLEAN';
    case 'timestamp':
      return dialect === 'postgres' ? 'TIMESTAMPTZ' : dialect === 'mysql' ? 'DATETIME(3)' : 'DATETIME';
  }
}

function defaultSql(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

function columnSql(column: ColumnDef, dialect: SqlDialect): string {
  const parts = [column.name, typeSql(column.type, dialect), column.nullable ? 'NULL' : 'NOT NULL'];
  // MySQL refuses defaults on TEXT columns; the repositories always write every column anyway.
  const textual = column.type.kind === 'text' || column.type.kind === 'json';
  if (column.defaultValue !== undefined && !(dialect === 'mysql' && textual)) parts.push(`DEFAULT ${defaultSql(column.defaultValue)}`);
  return parts.join(' ');
}

function idSql(dialect: SqlDialect): string {
  if (dialect === 'sqlite') return 'id INTEGER PRIMARY KEY AUTOINCREMENT';
  if (dialect === 'postgres') return 'id BIGSERIAL PRIMARY KEY';
  return 'id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY';
}

/** The `CREATE TABLE` statement of `table` for `dialect`. */
export function createTableSql(table: TableDef, dialect: SqlDialect): string {
  const standard = table.standard ?? true;
  const lines: string[] = [];
  if (standard) {
    lines.push(idSql(dialect));
    lines.push(columnSql({ name: 'created_at', type: { kind: 'timestamp' } }, dialect));
    lines.push(columnSql({ name: 'updated_at', type: { kind: 'timestamp' } }, dialect));
    lines.push(columnSql({ name: 'is_del', type: { kind: 'bigint' }, defaultValue: 0 }, dialect));
  }
  for (const column of table.columns) lines.push(columnSql(column, dialect));
  if (table.primaryKey) lines.push(`PRIMARY KEY (${table.primaryKey.join(', ')})`);
  for (const key of table.unique ?? []) {
    const columns = standard ? [...key, 'is_del'] : [...key];
    lines.push(`CONSTRAINT uk_${table.name}_${key.join('_')} UNIQUE (${columns.join(', ')})`);
  }
  const suffix = dialect === 'mysql' ? ' DEFAULT CHARSET=utf8mb4' : '';
  return `CREATE TABLE ${table.name} (\n  ${lines.join(',\n  ')}\n)${suffix}`;
}

/** A migration creating one table (one statement per dialect, as MySQL's non-transactional DDL wants). */
export function createTableMigration(version: number, table: TableDef): Migration {
  return {
    version,
    name: `create ${table.name}`,
    up: {
      sqlite: [createTableSql(table, 'sqlite')],
      postgres: [createTableSql(table, 'postgres')],
      mysql: [createTableSql(table, 'mysql')],
    },
  };
}
