/**
 * How `manager.yaml`'s `database` section reaches the database plugins: `database.sqlite|postgres|mysql|redis`
 * become `plugins.database.<name>` (explicit `plugins.database.<name>` keys win), and `database.type` picks
 * the SQL plugin (`mariadb` is served by the `mysql` plugin).
 */
import type { ManagerConfig } from '../config/index.js';
import type { PluginConfigMap } from '../kernel/index.js';

/** The database plugin serving `database.type`. */
export function databasePluginName(type: string): string {
  return type === 'mariadb' ? 'mysql' : type;
}

/** Whether migrations run at start for the configured database (SQLite always migrates). */
export function shouldMigrate(config: ManagerConfig): boolean {
  const name = databasePluginName(config.database.type);
  if (name === 'postgres') return config.database.postgres.migrate;
  if (name === 'mysql') return config.database.mysql.migrate;
  return true;
}

/** Plugin config sections filled from the manager's `database` keys. */
export function managerPluginConfig(config: ManagerConfig, declared: PluginConfigMap): PluginConfigMap {
  const { sqlite, postgres, mysql, redis } = config.database;
  const own = (declared.database ?? {}) as Record<string, object | undefined>;
  return {
    ...declared,
    database: {
      ...own,
      sqlite: { ...sqlite, ...(own.sqlite ?? {}) },
      postgres: { ...postgres, ...(own.postgres ?? {}) },
      mysql: { ...mysql, ...(own.mysql ?? {}) },
      redis: { ...redis, ...(own.redis ?? {}) },
    },
  };
}
