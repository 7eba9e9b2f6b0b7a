import { isIP } from 'node:net';

import type { commonV2, googleProtobuf } from '@d7y/proto';

import { hostId as makeHostId } from '../../common/ids.js';
import type { HostInfo } from '../resource/Host.js';
import { assertId, boundedInt, boundedText, durationMs, invalid } from './validateCommon.js';

const MAX_BANDWIDTH = Number.MAX_SAFE_INTEGER;
const MAX_ANNOUNCE_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * Validates an announced `Host` and returns what the scheduler keeps of it. The id must be Dragonfly's
 * `{ip}-{hostname}` (`-seed` suffix for type 1), `ip` a literal address, and both ports real ports.
 */
export function toHostInfo(host: commonV2.Host__Output | null | undefined, interval?: googleProtobuf.Duration__Output | null): HostInfo {
  if (!host) invalid('host is required', 'host');
  const id = assertId(host.id, 'host.id');
  const hostname = boundedText(host.hostname, 'host.hostname', 255);
  if (!hostname) invalid('host.hostname is required', 'host.hostname');
  const ip = boundedText(host.ip, 'host.ip', 64);
  if (isIP(ip) === 0) invalid('host.ip must be a literal IPv4 or IPv6 address', 'host.ip');
  if (host.type !== 0 && host.type !== 1) invalid('host.type must be 0 (normal) or 1 (super seed)', 'host.type');
  const type = host.type === 1 ? 'super' : 'normal';
  if (id !== makeHostId(ip, hostname, type === 'super')) {
    invalid(`host.id must be "{ip}-{hostname}"${type === 'super' ? ' with a "-seed" suffix' : ''}`, 'host.id');
  }
  const network = host.network ?? undefined;
  return Object.freeze({
    id,
    type,
    hostname,
    ip,
    port: boundedInt(host.port, 'host.port', 1, 65535),
    downloadPort: boundedInt(host.downloadPort, 'host.download_port', 1, 65535),
    proxyPort: boundedInt(host.proxyPort ?? 0, 'host.proxy_port', 0, 65535),
    name: boundedText(host.name, 'host.name'),
    os: boundedText(host.os, 'host.os'),
    platform: boundedText(host.platform, 'host.platform'),
    platformFamily: boundedText(host.platformFamily, 'host.platform_family'),
    platformVersion: boundedText(host.platformVersion, 'host.platform_version'),
    kernelVersion: boundedText(host.kernelVersion, 'host.kernel_version'),
    idc: boundedText(network?.idc, 'host.network.idc'),
    location: boundedText(network?.location, 'host.network.location'),
    maxTxBandwidth: boundedInt(network?.maxTxBandwidth ?? 0, 'host.network.max_tx_bandwidth', 0, MAX_BANDWIDTH),
    maxRxBandwidth: boundedInt(network?.maxRxBandwidth ?? 0, 'host.network.max_rx_bandwidth', 0, MAX_BANDWIDTH),
    disableShared: host.disableShared === true,
    schedulerClusterId: boundedInt(host.schedulerClusterId ?? 0, 'host.scheduler_cluster_id', 0, Number.MAX_SAFE_INTEGER),
    gitVersion: boundedText(host.build?.gitVersion, 'host.build.git_version'),
    announceIntervalMs: durationMs(interval, 'interval', MAX_ANNOUNCE_INTERVAL_MS),
  });
}
