/**
 * The manager's full migration list: the control-plane tables (versions 1–99) followed by the auth tables
 * (versions 100–199, owned by `../auth/migrations.ts`).
 */
import type { Migration } from '../../plugin-api/database/DatabaseDriver.js';
import { authMigrations } from '../auth/migrations.js';
import { clusterMigrations } from './clusterMigrations.js';

/** Every manager migration, in version order. */
export const managerMigrations: readonly Migration[] = Object.freeze(
  [...clusterMigrations, ...authMigrations].sort((a, b) => a.version - b.version),
);
