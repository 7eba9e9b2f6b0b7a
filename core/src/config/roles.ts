/**
 * The three roles that read a config file, their schemas, and the public config types.
 *
 * The public types are the schema outputs with the fields that `derive.ts` always fills made required, and
 * everything read-only (the loaded config is deep-frozen).
 */
import type { DeepReadonly } from './freeze.js';
import { DfdaemonConfigSchema, type DfdaemonConfigData } from './schema/dfdaemon.js';
import { ManagerConfigSchema, type ManagerConfigData } from './schema/manager.js';
import { SchedulerConfigSchema, type SchedulerConfigData } from './schema/scheduler.js';

/** A role that reads a config file. */
export type ConfigRole = 'manager' | 'scheduler' | 'dfdaemon';

/** The roles, in a stable order. */
export const CONFIG_ROLES: readonly ConfigRole[] = Object.freeze(['manager', 'scheduler', 'dfdaemon']);

/** The zod schema of each role's file; the operator reference is generated from these. */
export const CONFIG_SCHEMAS = Object.freeze({
  manager: ManagerConfigSchema,
  scheduler: SchedulerConfigSchema,
  dfdaemon: DfdaemonConfigSchema,
});

type Filled<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };

type ManagerServer = ManagerConfigData['server'];
/** Manager config as derived: listen IP and database type are always set. */
export type ManagerConfigDerived = Omit<ManagerConfigData, 'server' | 'database'> & {
  server: Omit<ManagerServer, 'grpc'> & { grpc: Filled<ManagerServer['grpc'], 'listenIP'> };
  database: Filled<ManagerConfigData['database'], 'type'>;
};

/** Scheduler config as derived: listen IP, advertise port and host name are always set. */
export type SchedulerConfigDerived = Omit<SchedulerConfigData, 'server'> & {
  server: Filled<SchedulerConfigData['server'], 'listenIP' | 'advertisePort' | 'host'>;
};

type WithIp<T extends { server: { ip?: string } }> = Omit<T, 'server'> & { server: Filled<T['server'], 'ip'> };
type D = DfdaemonConfigData;
/** dfdaemon config as derived: host name and every listen IP are always set. */
export type DfdaemonConfigDerived = Omit<D, 'host' | 'upload' | 'storage' | 'proxy' | 'metrics' | 'stats' | 'health'> & {
  host: Filled<D['host'], 'hostname'>;
  upload: WithIp<D['upload']>;
  storage: WithIp<D['storage']>;
  proxy: WithIp<D['proxy']>;
  metrics: WithIp<D['metrics']>;
  stats: WithIp<D['stats']>;
  health: WithIp<D['health']>;
};

/** The loaded, frozen `manager.yaml`. Durations are milliseconds, sizes bytes. */
export type ManagerConfig = DeepReadonly<ManagerConfigDerived>;
/** The loaded, frozen `scheduler.yaml`. Durations are milliseconds, sizes bytes. */
export type SchedulerConfig = DeepReadonly<SchedulerConfigDerived>;
/** The loaded, frozen `dfdaemon.yaml`. Durations are milliseconds, sizes bytes. */
export type DfdaemonConfig = DeepReadonly<DfdaemonConfigDerived>;

/** The config type of a role. */
export type ConfigFor<R extends ConfigRole> = R extends 'manager'
  ? ManagerConfig
  : R extends 'scheduler'
    ? SchedulerConfig
    : DfdaemonConfig;

/** The mutable, derived config type of a role (inside the pipeline only). */
export type DerivedFor<R extends ConfigRole> = R extends 'manager'
  ? ManagerConfigDerived
  : R extends 'scheduler'
    ? SchedulerConfigDerived
    : DfdaemonConfigDerived;
