/**
 * The manager's side of sync_peers (Dragonfly `manager/job/sync_peers.go`): the hosts each scheduler reports
 * are written to the `peers` table (created or refreshed, state `active`); once every scheduler of a sync has
 * answered, the peers of those clusters that no scheduler reported are deleted. `PeerSyncTimer` starts a sync
 * of every cluster a minute after start-up, then every `job.syncPeers.interval`.
 */
import type { SyncedHost } from '../../common/jobs/protocol.js';
import { timerDelay } from '../../common/timers.js';
import type { Logger } from '../../plugin-api/Logger.js';
import type { DatabaseDriver, SqlSession } from '../../plugin-api/database/DatabaseDriver.js';
import { createRepositories, type PeerRecord } from '../models/index.js';

const FIELD_LIMIT = 256;

/** Writes one scheduler's report, `batchSize` rows per transaction; returns how many rows were created or refreshed. */
export async function storeSyncedPeers(db: DatabaseDriver, schedulerClusterId: number, hosts: readonly SyncedHost[], batchSize: number): Promise<number> {
  let stored = 0;
  for (let start = 0; start < hosts.length; start += batchSize) {
    stored += await db.transaction(async (tx) => {
      const peers = createRepositories(tx).peers;
      let written = 0;
      for (const host of hosts.slice(start, start + batchSize)) {
        if (!host?.hostname || !host.ip) continue;
        const row = peerRow(host, schedulerClusterId);
        const existing = await peers.findOne({ host_name: row.host_name, ip: row.ip, scheduler_cluster_id: schedulerClusterId });
        if (existing) await peers.update(existing.id, row);
        else await peers.create(row);
        written++;
      }
      return written;
    });
  }
  return stored;
}

/** Deletes the peers of `clusterIds` not refreshed since `since` (no scheduler reported them); returns how many. */
export async function removeUnreportedPeers(session: SqlSession, clusterIds: readonly number[], since: Date): Promise<number> {
  const peers = createRepositories(session).peers;
  let removed = 0;
  for (const clusterId of new Set(clusterIds)) {
    for (const peer of await peers.findAll({ scheduler_cluster_id: clusterId })) {
      if (peer.updated_at.getTime() >= since.getTime()) continue;
      await peers.delete(peer.id);
      removed++;
    }
  }
  return removed;
}

/** Sets `gauge` to the number of peers by version and commit (every label set rewritten). */
export async function countPeers(session: SqlSession, gauge: { reset(): void; inc(labels: { version: string; commit: string }): void }): Promise<void> {
  const peers = await createRepositories(session).peers.findAll();
  gauge.reset();
  for (const peer of peers) gauge.inc({ version: peer.git_version, commit: peer.git_commit });
}

function peerRow(host: SyncedHost, schedulerClusterId: number): Partial<PeerRecord> {
  const text = (value: unknown, max = FIELD_LIMIT) => (typeof value === 'string' ? value.slice(0, max) : '');
  const port = (value: unknown) => (Number.isInteger(value) && (value as number) > 0 && (value as number) < 65536 ? (value as number) : 0);
  return {
    host_name: text(host.hostname),
    ip: text(host.ip),
    type: 'normal',
    port: port(host.port),
    download_port: port(host.download_port),
    proxy_port: port(host.proxy_port),
    idc: text(host.idc, 1024),
    location: text(host.location, 1024),
    state: 'active',
    os: text(host.os),
    platform: text(host.platform),
    platform_family: text(host.platform_family),
    platform_version: text(host.platform_version),
    kernel_version: text(host.kernel_version),
    git_version: text(host.git_version),
    scheduler_cluster_id: schedulerClusterId,
  };
}

/** Creates a sync_peers job for every cluster on a timer. */
export class PeerSyncTimer {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly startSync: () => Promise<unknown>,
    private readonly options: { readonly firstDelayMs: number; readonly intervalMs: number },
    private readonly logger: Logger,
  ) {}

  /** Schedules the first sync after `firstDelayMs`, then one every `intervalMs`. */
  start(): void {
    const run = (next: number) => {
      if (this.#stopped) return;
      this.#timer = setTimeout(() => {
        void this.startSync()
          .then((job) => this.logger.info({ jobId: (job as { id?: number }).id }, 'peer sync started'))
          .catch((error: unknown) => this.logger.warn({ err: (error as Error).message }, 'peer sync not started'))
          .finally(() => run(this.options.intervalMs));
      }, timerDelay(next));
      this.#timer.unref();
    };
    run(this.options.firstDelayMs);
  }

  /** Stops the timer. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
