/** UpdateSeedPeer, GetSeedPeer, ListSeedPeers and DeleteSeedPeer (the seed peer calls of Dragonfly 2.3). */
import type { managerV2 } from '@d7y/proto';

import { createError, ErrorCodes } from '../../common/errors.js';
import type { SeedPeerClusterRecord } from '../models/index.js';
import { MAX_FIND_ALL } from '../models/index.js';
import type { RpcContext } from './RpcContext.js';
import { isServing } from './schedulerRpc.js';
import { schedulerToProto, seedPeerToProto } from './toProto.js';
import {
  clusterIdField,
  hostnameField,
  ipField,
  MAX_SCOPE_TEXT_LENGTH,
  MAX_VERSION_LENGTH,
  portField,
  seedPeerTypeField,
  sourceTypeField,
  textField,
} from './validateRequest.js';

async function seedClusterOrNotFound(ctx: RpcContext, id: number): Promise<SeedPeerClusterRecord> {
  const cluster = await ctx.repos.seedPeerClusters.find(id);
  if (!cluster) throw createError(ErrorCodes.NOT_FOUND, `seed peer cluster ${id} not found`, { details: { field: 'seed_peer_cluster_id' } });
  return cluster;
}

function keyOf(req: { hostname: string; ip: string; seedPeerClusterId: number }) {
  return {
    host_name: hostnameField(req.hostname),
    ip: ipField(req.ip),
    seed_peer_cluster_id: clusterIdField(req.seedPeerClusterId, 'seed_peer_cluster_id', false),
  };
}

/** Creates or refreshes the caller's seed peer row; the seed peer cluster must exist. */
export async function updateSeedPeer(ctx: RpcContext, req: managerV2.UpdateSeedPeerRequest__Output): Promise<managerV2.SeedPeer> {
  sourceTypeField(req.sourceType, ['SEED_PEER_SOURCE']);
  const key = keyOf(req);
  const fields = {
    type: seedPeerTypeField(req.type),
    idc: textField(req.idc, 'idc', MAX_SCOPE_TEXT_LENGTH),
    location: textField(req.location, 'location', MAX_SCOPE_TEXT_LENGTH),
    port: portField(req.port, 'port'),
    download_port: portField(req.downloadPort, 'download_port', true),
  };
  const cluster = await seedClusterOrNotFound(ctx, key.seed_peer_cluster_id);
  const peer = await ctx.repos.seedPeers.upsert(key, fields);
  ctx.logger.info({ hostname: key.host_name, ip: key.ip, clusterId: key.seed_peer_cluster_id }, 'seed peer updated');
  return seedPeerToProto(peer, cluster);
}

/** The caller's seed peer with its cluster and the serving schedulers of the scheduler clusters it serves. */
export async function getSeedPeer(ctx: RpcContext, req: managerV2.GetSeedPeerRequest__Output): Promise<managerV2.SeedPeer> {
  sourceTypeField(req.sourceType, ['SEED_PEER_SOURCE', 'SCHEDULER_SOURCE']);
  const key = keyOf(req);
  const peer = await ctx.repos.seedPeers.findByKey(key);
  if (!peer) throw createError(ErrorCodes.NOT_FOUND, `seed peer ${key.host_name} (${key.ip}) not found in cluster ${key.seed_peer_cluster_id}`);
  const cluster = await seedClusterOrNotFound(ctx, key.seed_peer_cluster_id);
  const clusterIds = await ctx.repos.clusterLinks.schedulerClusterIdsOf(cluster.id);
  const now = Date.now();
  const schedulers = (await ctx.repos.schedulers.activeIn(clusterIds)).filter((s) => isServing(s, now, ctx.staleAfterMs));
  return seedPeerToProto(peer, cluster, schedulers.map((s) => schedulerToProto(s)));
}

/** Every active seed peer (at most `MAX_FIND_ALL`), with its cluster. */
export async function listSeedPeers(ctx: RpcContext, req: managerV2.ListSeedPeersRequest__Output): Promise<managerV2.ListSeedPeersResponse> {
  sourceTypeField(req.sourceType, ['PEER_SOURCE', 'SEED_PEER_SOURCE', 'SCHEDULER_SOURCE']);
  hostnameField(req.hostname);
  ipField(req.ip);
  textField(req.version, 'version', MAX_VERSION_LENGTH);
  textField(req.commit, 'commit', MAX_VERSION_LENGTH);
  const peers = await ctx.repos.seedPeers.findAll({ state: 'active' });
  const clusters = new Map((await ctx.repos.seedPeerClusters.findAll()).map((c) => [c.id, c]));
  return { seedPeers: peers.slice(0, MAX_FIND_ALL).map((peer) => seedPeerToProto(peer, clusters.get(peer.seed_peer_cluster_id))) };
}

/** Soft-deletes the caller's seed peer row; `D7Y_ERR_NOT_FOUND` when there is none. */
export async function deleteSeedPeer(ctx: RpcContext, req: managerV2.DeleteSeedPeerRequest__Output): Promise<void> {
  sourceTypeField(req.sourceType, ['SEED_PEER_SOURCE']);
  const key = keyOf(req);
  const peer = await ctx.repos.seedPeers.findByKey(key);
  if (!peer) throw createError(ErrorCodes.NOT_FOUND, `seed peer ${key.host_name} (${key.ip}) not found in cluster ${key.seed_peer_cluster_id}`);
  await ctx.repos.seedPeers.delete(peer.id);
}
