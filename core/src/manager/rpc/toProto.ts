/** Manager records to manager.v2 messages (JSON documents travel as UTF-8 bytes). */
import type { managerV2 } from '@d7y/proto';

import type { ApplicationRecord, SchedulerClusterRecord, SchedulerRecord, SeedPeerClusterRecord, SeedPeerRecord } from '../models/index.js';

const PRIORITY_NAMES = ['LEVEL0', 'LEVEL1', 'LEVEL2', 'LEVEL3', 'LEVEL4', 'LEVEL5', 'LEVEL6'] as const;

/** A JSON value as bytes. */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value ?? {}), 'utf8');
}

function priorityName(value: number): (typeof PRIORITY_NAMES)[number] {
  return PRIORITY_NAMES[value] ?? 'LEVEL0';
}

/** A scheduler cluster message. */
export function schedulerClusterToProto(cluster: SchedulerClusterRecord): managerV2.SchedulerCluster {
  return {
    id: cluster.id,
    name: cluster.name,
    bio: cluster.bio,
    config: jsonBytes(cluster.config),
    clientConfig: jsonBytes(cluster.client_config),
    scopes: jsonBytes(cluster.scopes),
    seedClientConfig: jsonBytes(cluster.seed_client_config),
  };
}

/** A seed peer cluster message. */
export function seedPeerClusterToProto(cluster: SeedPeerClusterRecord): managerV2.SeedPeerCluster {
  return { id: cluster.id, name: cluster.name, bio: cluster.bio, config: jsonBytes(cluster.config) };
}

/** A seed peer message, with its cluster when known. */
export function seedPeerToProto(peer: SeedPeerRecord, cluster?: SeedPeerClusterRecord, schedulers: managerV2.Scheduler[] = []): managerV2.SeedPeer {
  return {
    id: peer.id,
    hostname: peer.host_name,
    type: peer.type,
    idc: peer.idc,
    location: peer.location,
    ip: peer.ip,
    port: peer.port,
    downloadPort: peer.download_port,
    state: peer.state,
    seedPeerClusterId: peer.seed_peer_cluster_id,
    seedPeerCluster: cluster ? seedPeerClusterToProto(cluster) : null,
    schedulers,
  };
}

/** A scheduler message, with its cluster and seed peers when given. */
export function schedulerToProto(scheduler: SchedulerRecord, cluster?: SchedulerClusterRecord, seedPeers: managerV2.SeedPeer[] = []): managerV2.Scheduler {
  return {
    id: scheduler.id,
    hostname: scheduler.host_name,
    idc: scheduler.idc,
    location: scheduler.location,
    ip: scheduler.ip,
    port: scheduler.port,
    state: scheduler.state,
    schedulerClusterId: scheduler.scheduler_cluster_id,
    schedulerCluster: cluster ? schedulerClusterToProto(cluster) : null,
    seedPeers,
    features: jsonBytes(scheduler.features),
  };
}

/** An application message. */
export function applicationToProto(app: ApplicationRecord): managerV2.Application {
  return {
    id: app.id,
    name: app.name,
    url: app.url,
    bio: app.bio,
    priority: {
      value: priorityName(app.priority?.value ?? 0),
      urls: (app.priority?.urls ?? []).map((rule) => ({ regex: rule.regex, value: priorityName(rule.value) })),
    },
  };
}
