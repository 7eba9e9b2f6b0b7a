/**
 * The manager's control-plane tables (migration versions 1–99), after Dragonfly's GORM models
 * (`manager/models/*.go`, spec 9.6). Every table has `id, created_at, updated_at, is_del`; a soft-deleted row
 * has `is_del` set to its own id, so unique keys (which include `is_del`) accept a new row of the same name.
 * JSON columns hold text on every dialect. Frozen: change the schema with a new version, never by editing one.
 */
import type { Migration } from '../../plugin-api/database/DatabaseDriver.js';
import { createTableMigration, type ColumnDef } from './ddl.js';

const varchar = (name: string, length: number, defaultValue = ''): ColumnDef => ({ name, type: { kind: 'varchar', length }, defaultValue });
const json = (name: string): ColumnDef => ({ name, type: { kind: 'json' } });
const int = (name: string, defaultValue = 0): ColumnDef => ({ name, type: { kind: 'int' }, defaultValue });
const bigint = (name: string, defaultValue = 0): ColumnDef => ({ name, type: { kind: 'bigint' }, defaultValue });
const timestamp = (name: string): ColumnDef => ({ name, type: { kind: 'timestamp' }, nullable: true });

/** Control-plane migrations, versions 1–8. */
export const clusterMigrations: Migration[] = [
  createTableMigration(1, {
    name: 'scheduler_clusters',
    columns: [
      varchar('name', 256),
      varchar('bio', 1024),
      json('config'),
      json('client_config'),
      json('seed_client_config'),
      json('scopes'),
      { name: 'is_default', type: { kind: 'bool' }, defaultValue: false },
    ],
    unique: [['name']],
  }),
  createTableMigration(2, {
    name: 'schedulers',
    columns: [
      varchar('host_name', 256),
      varchar('idc', 1024),
      varchar('location', 1024),
      varchar('ip', 256),
      int('port'),
      varchar('state', 256, 'inactive'),
      json('features'),
      json('config'),
      timestamp('last_keep_alive_at'),
      bigint('scheduler_cluster_id'),
    ],
    unique: [['host_name', 'ip', 'scheduler_cluster_id']],
  }),
  createTableMigration(3, {
    name: 'seed_peer_clusters',
    columns: [varchar('name', 256), varchar('bio', 1024), json('config')],
    unique: [['name']],
  }),
  createTableMigration(4, {
    name: 'seed_peers',
    columns: [
      varchar('host_name', 256),
      varchar('type', 256, 'super'),
      varchar('idc', 1024),
      varchar('location', 1024),
      varchar('ip', 256),
      int('port'),
      int('download_port'),
      int('object_storage_port'),
      varchar('state', 256, 'inactive'),
      timestamp('last_keep_alive_at'),
      bigint('seed_peer_cluster_id'),
    ],
    unique: [['host_name', 'ip', 'seed_peer_cluster_id']],
  }),
  createTableMigration(5, {
    name: 'peers',
    columns: [
      varchar('host_name', 256),
      varchar('type', 256, 'normal'),
      varchar('idc', 1024),
      varchar('location', 1024),
      varchar('ip', 256),
      int('port'),
      int('download_port'),
      int('proxy_port'),
      int('object_storage_port'),
      varchar('state', 256, 'inactive'),
      varchar('os', 256),
      varchar('platform', 256),
      varchar('platform_family', 256),
      varchar('platform_version', 256),
      varchar('kernel_version', 256),
      varchar('git_version', 256),
      varchar('git_commit', 256),
      varchar('build_platform', 256),
      bigint('scheduler_cluster_id'),
    ],
    unique: [['host_name', 'ip', 'scheduler_cluster_id']],
  }),
  createTableMigration(6, {
    name: 'applications',
    columns: [varchar('name', 256), varchar('url', 1024), varchar('bio', 1024), json('priority'), bigint('user_id')],
    unique: [['name']],
  }),
  createTableMigration(7, {
    name: 'configs',
    columns: [varchar('name', 256), { name: 'value', type: { kind: 'text' } }, varchar('bio', 1024), bigint('user_id')],
    unique: [['name']],
  }),
  createTableMigration(8, {
    name: 'seed_peer_cluster_scheduler_cluster',
    standard: false,
    columns: [
      { name: 'seed_peer_cluster_id', type: { kind: 'bigint' } },
      { name: 'scheduler_cluster_id', type: { kind: 'bigint' } },
    ],
    primaryKey: ['seed_peer_cluster_id', 'scheduler_cluster_id'],
  }),
];
