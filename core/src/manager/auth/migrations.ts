/**
 * Schema of the manager's auth tables (versions 100–199): users, roles and their permissions, the roles of
 * each user, personal access tokens, audits, and the manager's generated secrets. Imported by the manager's
 * migration list after the control-plane tables (versions 1–99). One DDL statement per migration, because
 * MySQL commits DDL implicitly (plugins/database-mysql/README.md).
 */
import type { Migration, SqlDialect } from '../../plugin-api/database/DatabaseDriver.js';

type Columns = Record<SqlDialect, string>;

const ID: Columns = {
  sqlite: 'id INTEGER PRIMARY KEY AUTOINCREMENT',
  postgres: 'id BIGSERIAL PRIMARY KEY',
  mysql: 'id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY',
};
const NOW_DEFAULT: Columns = {
  sqlite: "DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
  postgres: 'TIMESTAMPTZ NOT NULL DEFAULT now()',
  mysql: 'DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)',
};
const TIMESTAMP: Columns = { sqlite: 'DATETIME', postgres: 'TIMESTAMPTZ', mysql: 'DATETIME(3)' };
const TABLE_SUFFIX: Columns = { sqlite: '', postgres: '', mysql: ' DEFAULT CHARSET=utf8mb4' };

/** Builds one migration whose single CREATE TABLE is written once with per-dialect column fragments. */
function createTable(version: number, name: string, body: (d: SqlDialect) => string): Migration {
  const statement = (d: SqlDialect) => `CREATE TABLE ${name} (${body(d)})${TABLE_SUFFIX[d]}`;
  return { version, name: `auth: ${name}`, up: { sqlite: [statement('sqlite')], postgres: [statement('postgres')], mysql: [statement('mysql')] } };
}

/** Builds one migration that creates an index, identical on every dialect. */
function createIndex(version: number, sql: string): Migration {
  return { version, name: `auth: ${sql}`, up: { sqlite: [sql], postgres: [sql], mysql: [sql] } };
}

/** Auth migrations, applied after the control-plane tables (versions 1–99). */
export const authMigrations: Migration[] = [
  createTable(
    100,
    'users',
    (d) =>
      `${ID[d]}, created_at ${NOW_DEFAULT[d]}, updated_at ${NOW_DEFAULT[d]}, email VARCHAR(255) NULL UNIQUE, ` +
      `name VARCHAR(64) NOT NULL UNIQUE, encrypted_password VARCHAR(255) NOT NULL, avatar VARCHAR(1024) NOT NULL DEFAULT '', ` +
      `phone VARCHAR(64) NOT NULL DEFAULT '', state VARCHAR(16) NOT NULL DEFAULT 'enable', location VARCHAR(255) NOT NULL DEFAULT '', ` +
      `bio VARCHAR(1024) NOT NULL DEFAULT '', token_version INTEGER NOT NULL DEFAULT 0`,
  ),
  createTable(101, 'roles', (d) => `name VARCHAR(64) NOT NULL PRIMARY KEY, description VARCHAR(1024) NOT NULL DEFAULT '', created_at ${NOW_DEFAULT[d]}`),
  createTable(
    102,
    'role_permissions',
    (d) => `${ID[d]}, role VARCHAR(64) NOT NULL, obj VARCHAR(64) NOT NULL, act VARCHAR(16) NOT NULL, UNIQUE (role, obj, act)`,
  ),
  createTable(103, 'user_roles', () => 'user_id BIGINT NOT NULL, role VARCHAR(64) NOT NULL, PRIMARY KEY (user_id, role)'),
  createTable(
    104,
    'personal_access_tokens',
    (d) =>
      `${ID[d]}, created_at ${NOW_DEFAULT[d]}, updated_at ${NOW_DEFAULT[d]}, name VARCHAR(255) NOT NULL, bio VARCHAR(1024) NOT NULL DEFAULT '', ` +
      `token_hmac CHAR(64) NOT NULL UNIQUE, scopes VARCHAR(255) NOT NULL, state VARCHAR(16) NOT NULL DEFAULT 'active', ` +
      `expired_at ${TIMESTAMP[d]} NOT NULL, last_used_at ${TIMESTAMP[d]} NULL, user_id BIGINT NOT NULL, UNIQUE (user_id, name)`,
  ),
  createTable(
    105,
    'audits',
    (d) =>
      `${ID[d]}, actor_type VARCHAR(16) NOT NULL, actor_name VARCHAR(255) NOT NULL DEFAULT '', event_type VARCHAR(16) NOT NULL, ` +
      `operation VARCHAR(16) NOT NULL, operated_at ${NOW_DEFAULT[d]}, state VARCHAR(16) NOT NULL, path VARCHAR(1024) NOT NULL, ` +
      `status_code INTEGER NOT NULL, ip VARCHAR(64) NOT NULL DEFAULT ''`,
  ),
  createIndex(106, 'CREATE INDEX audits_operated_at ON audits (operated_at)'),
  createTable(107, 'auth_secrets', (d) => `name VARCHAR(64) NOT NULL PRIMARY KEY, value VARCHAR(255) NOT NULL, created_at ${NOW_DEFAULT[d]}`),
];
