/**
 * @d7y/plugin-database-sqlite: the `sqlite` database driver, the manager's embedded default
 * (`database.type: sqlite`). One better-sqlite3 connection per driver on a file (WAL, foreign keys on), or
 * `:memory:` for tests. Portability rules shared with the postgres and mysql drivers are in README.md.
 * @packageDocumentation
 */
import { definePlugin, TOKENS, type DatabaseDriver } from '@d7y/core/plugin-api';

import { sqliteConfigSchema, type SqliteConfig } from './config.js';
import { SqliteDriver } from './SqliteDriver.js';

export { SqliteDriver } from './SqliteDriver.js';
export { DEFAULT_BUSY_TIMEOUT_MS, resolveSqliteConfig, sqliteConfigSchema, type SqliteConfig, type SqliteConfigInput } from './config.js';

/** The plugin: registers a `SqliteDriver` under `TOKENS.DatabaseDriver`, built (not yet connected) on first resolve. */
export default definePlugin<SqliteConfig>({
  kind: 'database',
  name: 'sqlite',
  apiVersion: '1.0',
  configSchema: sqliteConfigSchema,
  register({ container, config }) {
    container.register<DatabaseDriver>(TOKENS.DatabaseDriver, { useFactory: () => new SqliteDriver(config) });
  },
});
