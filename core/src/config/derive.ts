/**
 * Conversions that need the whole parsed config: defaults computed from other keys (listen IPs follow
 * `network.enableIPv6`, the scheduler's advertise port follows its port, the manager's database type follows
 * which database is configured) and checks that span several keys.
 *
 * Advertise IPs are left unset here when not configured: detecting them needs the network, so each role
 * does it at start.
 */
import { formatDuration } from '../common/units.js';
import { issueLine } from './errors.js';
import type { ConfigRole, DerivedFor, DfdaemonConfigDerived, ManagerConfigDerived, SchedulerConfigDerived } from './roles.js';
import type { DfdaemonConfigData } from './schema/dfdaemon.js';
import type { ManagerConfigData } from './schema/manager.js';
import type { SchedulerConfigData } from './schema/scheduler.js';

/** Inputs from outside the file. */
export interface DeriveContext {
  /** Name of the config source, for error lines. */
  readonly source: string;
  /** The machine host name, used when the file names none. */
  readonly hostname: string;
}

const HOUR = 3_600_000;

function unspecifiedAddress(enableIPv6: boolean): string {
  return enableIPv6 ? '::' : '0.0.0.0';
}

/** Dragonfly's Convert: the deprecated single `host`/`port` becomes `addrs` when `addrs` is empty. */
function redisAddrs(redis: { host?: string; port?: number; addrs: string[] }): void {
  if (redis.addrs.length === 0 && redis.host && redis.port) redis.addrs = [`${redis.host}:${redis.port}`];
}

function deriveManager(data: ManagerConfigData, ctx: DeriveContext): { config: ManagerConfigDerived; issues: string[] } {
  const issues: string[] = [];
  const { grpc } = data.server;
  grpc.listenIP ??= unspecifiedAddress(data.network.enableIPv6);
  const { database } = data;
  redisAddrs(database.redis);
  // Dragonfly defaults to mysql, which cannot start without a configured server; d7y picks the database the
  // file configures and falls back to the embedded SQLite file.
  database.type ??= database.mysql.host ? 'mysql' : database.postgres.host ? 'postgres' : 'sqlite';

  if (grpc.port.end < grpc.port.start) {
    issues.push(issueLine(ctx.source, ['server', 'grpc', 'port', 'end'], `port >= start (${grpc.port.start})`, grpc.port.end));
  }
  const required: Record<string, readonly ('host' | 'user')[]> = { mysql: ['host', 'user'], mariadb: ['host', 'user'], postgres: ['host', 'user'] };
  const section = database.type === 'postgres' ? 'postgres' : 'mysql';
  for (const key of required[database.type] ?? []) {
    if (database[section][key] === '') {
      issues.push(issueLine(ctx.source, ['database', section, key], `non-empty string when database.type is ${database.type}`, undefined));
    }
  }
  if (data.job.syncPeers.interval <= 12 * HOUR) {
    issues.push(issueLine(ctx.source, ['job', 'syncPeers', 'interval'], 'duration longer than 12h', formatDuration(data.job.syncPeers.interval)));
  }
  if (data.objectStorage.enable) {
    for (const key of ['accessKey', 'secretKey'] as const) {
      if (data.objectStorage[key] === '') {
        issues.push(issueLine(ctx.source, ['objectStorage', key], 'non-empty string when objectStorage.enable is true', undefined));
      }
    }
  }
  return { config: data as ManagerConfigDerived, issues };
}

function deriveScheduler(data: SchedulerConfigData, ctx: DeriveContext): { config: SchedulerConfigDerived; issues: string[] } {
  const { server } = data;
  server.listenIP ??= unspecifiedAddress(data.network.enableIPv6);
  server.advertisePort ??= server.port;
  server.host ??= ctx.hostname;
  redisAddrs(data.database.redis);
  return { config: data as SchedulerConfigDerived, issues: [] };
}

function deriveDfdaemon(data: DfdaemonConfigData, ctx: DeriveContext): { config: DfdaemonConfigDerived; issues: string[] } {
  const issues: string[] = [];
  data.host.hostname ??= ctx.hostname;
  const any = unspecifiedAddress(data.network.enableIPv6);
  for (const server of [data.upload.server, data.storage.server, data.metrics.server, data.stats.server, data.health.server]) {
    server.ip ??= any;
  }
  // The proxy is never an open relay by accident: loopback unless configured.
  data.proxy.server.ip ??= data.network.enableIPv6 ? '::1' : '127.0.0.1';

  const { policy } = data.gc;
  if (policy.diskLowThresholdPercent >= policy.diskHighThresholdPercent) {
    issues.push(
      issueLine(
        ctx.source,
        ['gc', 'policy', 'diskLowThresholdPercent'],
        `integer below diskHighThresholdPercent (${policy.diskHighThresholdPercent})`,
        policy.diskLowThresholdPercent,
      ),
    );
  }
  const proxyServer = data.proxy.server;
  if ((proxyServer.caCert === undefined) !== (proxyServer.caKey === undefined)) {
    const missing = proxyServer.caCert === undefined ? 'caCert' : 'caKey';
    issues.push(issueLine(ctx.source, ['proxy', 'server', missing], `file path when ${missing === 'caCert' ? 'caKey' : 'caCert'} is set`, undefined));
  }
  return { config: data as DfdaemonConfigDerived, issues };
}

/** Fills derived defaults in place and returns them with one error line per cross-key problem. */
export function derive<R extends ConfigRole>(role: R, data: unknown, ctx: DeriveContext): { config: DerivedFor<R>; issues: string[] } {
  switch (role) {
    case 'manager':
      return deriveManager(data as ManagerConfigData, ctx) as { config: DerivedFor<R>; issues: string[] };
    case 'scheduler':
      return deriveScheduler(data as SchedulerConfigData, ctx) as { config: DerivedFor<R>; issues: string[] };
    default:
      return deriveDfdaemon(data as DfdaemonConfigData, ctx) as { config: DerivedFor<R>; issues: string[] };
  }
}
