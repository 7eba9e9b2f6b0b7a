/**
 * @d7y/plugin-database-postgres: the `postgres` database driver (`database.type: postgres`), on a node-pg pool.
 * Config keys follow Dragonfly's manager.yaml `database.postgres`. Portability rules shared with the sqlite and
 * mysql drivers are in README.md.
 * @packageDocumentation
 */
import { definePlugin, TOKENS, type DatabaseDriver } from '@d7y/core/plugin-api';

import { postgresConfigSchema, type PostgresConfig } from './config.js';
import { PostgresDriver } from './PostgresDriver.js';

export { PostgresDriver } from './PostgresDriver.js';
export { POSTGRES_DEFAULTS, postgresConfigSchema, resolvePostgresConfig, SSL_MODES, type PostgresConfig, type PostgresConfigInput, type SslMode } from './config.js';
export { toPostgresPlaceholders } from './placeholders.js';
export { MIGRATION_LOCK_KEY } from './runMigrations.js';

/** The plugin: registers a `PostgresDriver` under `TOKENS.DatabaseDriver`, built (not yet connected) on first resolve. */
export default definePlugin<PostgresConfig>({
  kind: 'database',
  name: 'postgres',
  apiVersion: '1.0',
  configSchema: postgresConfigSchema,
  register({ container, config, logger }) {
    container.register<DatabaseDriver>(TOKENS.DatabaseDriver, {
      useFactory: () => new PostgresDriver(config, logger.child({ component: 'database', dialect: 'postgres' })),
    });
  },
});
