/**
 * Job tables (migration versions 200–299), after Dragonfly's `Job` model: `jobs` and its join tables to
 * scheduler clusters and seed peer clusters. Frozen: change the schema with a new version.
 */
import type { Migration } from '../../plugin-api/database/DatabaseDriver.js';
import { createTableMigration } from './ddl.js';

/** Job migrations, versions 200–202. */
export const jobMigrations: Migration[] = [
  createTableMigration(200, {
    name: 'jobs',
    columns: [
      { name: 'task_id', type: { kind: 'varchar', length: 256 }, defaultValue: '' },
      { name: 'bio', type: { kind: 'varchar', length: 1024 }, defaultValue: '' },
      { name: 'type', type: { kind: 'varchar', length: 256 }, defaultValue: '' },
      { name: 'state', type: { kind: 'varchar', length: 256 }, defaultValue: 'PENDING' },
      { name: 'args', type: { kind: 'json' } },
      { name: 'result', type: { kind: 'json' } },
      { name: 'user_id', type: { kind: 'bigint' }, defaultValue: 0 },
    ],
  }),
  createTableMigration(201, {
    name: 'job_scheduler_cluster',
    standard: false,
    columns: [
      { name: 'job_id', type: { kind: 'bigint' } },
      { name: 'scheduler_cluster_id', type: { kind: 'bigint' } },
    ],
    primaryKey: ['job_id', 'scheduler_cluster_id'],
  }),
  createTableMigration(202, {
    name: 'job_seed_peer_cluster',
    standard: false,
    columns: [
      { name: 'job_id', type: { kind: 'bigint' } },
      { name: 'seed_peer_cluster_id', type: { kind: 'bigint' } },
    ],
    primaryKey: ['job_id', 'seed_peer_cluster_id'],
  }),
];
