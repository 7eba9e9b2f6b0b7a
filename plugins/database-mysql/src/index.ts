/**
 * @d7y/plugin-database-mysql: the `mysql` database driver for MySQL and MariaDB (`database.type: mysql` or
 * `mariadb`), on a mysql2 pool. Config keys follow Dragonfly's manager.yaml `database.mysql`. Portability rules
 * shared with the sqlite and postgres drivers are in README.md.
 * @packageDocumentation
 */
import { definePlugin, TOKENS, type DatabaseDriver } from '@d7y/core/plugin-api';

import { mysqlConfigSchema, type MysqlConfig } from './config.js';
import { MysqlDriver } from './MysqlDriver.js';

export { MysqlDriver } from './MysqlDriver.js';
export {
  MYSQL_DEFAULTS,
  mysqlConfigSchema,
  resolveMysqlConfig,
  TLS_CONFIG_VALUES,
  type MysqlConfig,
  type MysqlConfigInput,
  type MysqlTlsConfig,
  type TlsConfigValue,
} from './config.js';
export { migrationLockName } from './runMigrations.js';

/** The plugin: registers a `MysqlDriver` under `TOKENS.DatabaseDriver`, built (not yet connected) on first resolve. */
export default definePlugin<MysqlConfig>({
  kind: 'database',
  name: 'mysql',
  apiVersion: '1.0',
  configSchema: mysqlConfigSchema,
  register({ container, config, logger }) {
    container.register<DatabaseDriver>(TOKENS.DatabaseDriver, {
      useFactory: () => new MysqlDriver(config, logger.child({ component: 'database', dialect: 'mysql' })),
    });
  },
});
