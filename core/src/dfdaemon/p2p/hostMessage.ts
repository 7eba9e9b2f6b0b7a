import { arch, cpus, freemem, platform, release, totalmem } from 'node:os';

import type { commonV2 } from '@d7y/proto';

import type { DfdaemonConfig } from '../../config/index.js';
import { coreVersion } from '../version.js';

/** The `Host` this daemon announces to schedulers. */
export function hostMessage(config: DfdaemonConfig, self: { id: string; ip: string; uploadPort: number; piecePort: number }): commonV2.Host {
  const total = totalmem();
  const free = freemem();
  return {
    id: self.id,
    type: config.seedPeer.enable ? 1 : 0,
    hostname: config.host.hostname,
    ip: self.ip,
    port: self.uploadPort,
    downloadPort: self.piecePort,
    os: platform(),
    platform: platform(),
    kernelVersion: release(),
    cpu: { logicalCount: cpus().length, physicalCount: cpus().length },
    memory: { total, available: free, used: total - free, usedPercent: ((total - free) / total) * 100, free },
    network: {
      idc: config.host.idc,
      location: config.host.location,
      // Announced upload capacity in bits per second: what the evaluator's load terms measure against.
      maxTxBandwidth: config.upload.bandwidthLimit * 8,
      maxRxBandwidth: config.download.bandwidthLimit * 8,
    },
    disableShared: config.upload.disableShared,
    schedulerClusterId: config.host.schedulerClusterID,
    build: { gitVersion: coreVersion(), platform: `${platform()}-${arch()}` },
  };
}
