/**
 * The manager's full migration list: the control-plane tables (versions 1–99) followed by the auth tables
 * (versions 100–199, owned by `../auth/migrations.ts`) and the job tables (versions 200–299,
 * `jobMigrations.ts`).
 */
import type { Migration } from '../../plugin-api/database/DatabaseDriver.js';
import { authMigrations } from '../auth/migrations.js';
import { clusterMigrations } from './clusterMigrations.js';
import { jobMigrations } from './jobMigrations.js';

/** Every manager migration, in version order. */
export const managerMigrations: readonly Migration[] = Object.freeze(
  [...clusterMigrations, ...authMigrations, ...jobMigrations].sort((a, b) => a.version - b.version),
);
