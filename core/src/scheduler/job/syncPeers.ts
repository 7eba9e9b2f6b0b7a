/**
 * sync_peers on one scheduler (Dragonfly's scheduler job `syncPeers`): the peer hosts (normal dfdaemons, not
 * seed peers, which the manager tracks on their own) this scheduler knows, for the manager's `peers` table.
 */
import { MAX_SYNCED_HOSTS, type SyncedHost } from '../../common/jobs/protocol.js';
import type { HostManager } from '../resource/HostManager.js';
import type { TaskOutcome } from './preheat.js';

/** Lists the normal hosts (at most `MAX_SYNCED_HOSTS`). */
export function runSyncPeers(deps: { hosts: HostManager; schedulerClusterId: number }): TaskOutcome {
  const hosts: SyncedHost[] = [];
  for (const host of deps.hosts.all()) {
    if (host.isSeed) continue;
    if (hosts.length >= MAX_SYNCED_HOSTS) break;
    const info = host.info;
    hosts.push({
      hostname: info.hostname,
      ip: info.ip,
      type: 'normal',
      port: info.port,
      download_port: info.downloadPort,
      proxy_port: info.proxyPort,
      idc: info.idc,
      location: info.location,
      os: info.os,
      platform: info.platform,
      platform_family: info.platformFamily,
      platform_version: info.platformVersion,
      kernel_version: info.kernelVersion,
      git_version: info.gitVersion,
    });
  }
  return { state: 'SUCCESS', error: '', result: { scheduler_cluster_id: deps.schedulerClusterId, hosts } };
}
