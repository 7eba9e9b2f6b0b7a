/** UpdateScheduler, GetScheduler and ListSchedulers (spec 2.5, 9.4). */
import type { managerV2 } from '@d7y/proto';

import { createError, ErrorCodes } from '../../common/errors.js';
import type { SchedulerClusterRecord, SchedulerRecord } from '../models/index.js';
import { DEFAULT_SCHEDULER_FEATURES } from '../models/index.js';
import type { RpcContext } from './RpcContext.js';
import { SchedulerListCache } from './SchedulerListCache.js';
import { schedulerToProto, seedPeerToProto } from './toProto.js';
import {
  clusterIdField,
  featuresField,
  hostnameField,
  ipField,
  jsonObjectField,
  MAX_SCOPE_TEXT_LENGTH,
  MAX_VERSION_LENGTH,
  portField,
  sourceTypeField,
  textField,
} from './validateRequest.js';

/** The feature a scheduler needs to be handed to peers. */
export const SCHEDULE_FEATURE = 'schedule';

async function clusterOrNotFound(ctx: RpcContext, id: number): Promise<SchedulerClusterRecord> {
  const cluster = await ctx.repos.schedulerClusters.find(id);
  if (!cluster) throw createError(ErrorCodes.NOT_FOUND, `scheduler cluster ${id} not found`, { details: { field: 'scheduler_cluster_id' } });
  return cluster;
}

/** Creates or refreshes the caller's scheduler row; the cluster must exist. */
export async function updateScheduler(ctx: RpcContext, req: managerV2.UpdateSchedulerRequest__Output): Promise<managerV2.Scheduler> {
  sourceTypeField(req.sourceType, ['SCHEDULER_SOURCE']);
  const key = {
    host_name: hostnameField(req.hostname),
    ip: ipField(req.ip),
    scheduler_cluster_id: clusterIdField(req.schedulerClusterId, 'scheduler_cluster_id', false),
  };
  const features = featuresField(req.features);
  const fields = {
    idc: textField(req.idc, 'idc', MAX_SCOPE_TEXT_LENGTH),
    location: textField(req.location, 'location', MAX_SCOPE_TEXT_LENGTH),
    port: portField(req.port, 'port'),
    features: features.length > 0 ? features : [...DEFAULT_SCHEDULER_FEATURES],
    config: jsonObjectField(req.config, 'config'),
  };
  const cluster = await clusterOrNotFound(ctx, key.scheduler_cluster_id);
  const scheduler = await ctx.repos.schedulers.upsert(key, fields);
  await ctx.cache.invalidate();
  ctx.logger.info({ hostname: key.host_name, ip: key.ip, clusterId: key.scheduler_cluster_id }, 'scheduler updated');
  return schedulerToProto(scheduler, cluster);
}

/** Seed peers (active) of the seed peer clusters linked to `clusterId`, as messages. */
async function seedPeersOf(ctx: RpcContext, clusterId: number): Promise<managerV2.SeedPeer[]> {
  const seedClusterIds = await ctx.repos.clusterLinks.seedPeerClusterIdsOf(clusterId);
  const result: managerV2.SeedPeer[] = [];
  for (const seedClusterId of seedClusterIds) {
    const seedCluster = await ctx.repos.seedPeerClusters.find(seedClusterId);
    if (!seedCluster) continue;
    for (const peer of await ctx.repos.seedPeers.inClusters([seedClusterId])) {
      if (peer.state === 'active') result.push(seedPeerToProto(peer, seedCluster));
    }
  }
  return result;
}

/** The caller's scheduler row with its cluster (config, client config, scopes) and the cluster's seed peers. */
export async function getScheduler(ctx: RpcContext, req: managerV2.GetSchedulerRequest__Output): Promise<managerV2.Scheduler> {
  sourceTypeField(req.sourceType, ['SCHEDULER_SOURCE']);
  const key = {
    host_name: hostnameField(req.hostname),
    ip: ipField(req.ip),
    scheduler_cluster_id: clusterIdField(req.schedulerClusterId, 'scheduler_cluster_id', false),
  };
  const scheduler = await ctx.repos.schedulers.findByKey(key);
  if (!scheduler) throw createError(ErrorCodes.NOT_FOUND, `scheduler ${key.host_name} (${key.ip}) not found in cluster ${key.scheduler_cluster_id}`);
  const cluster = await clusterOrNotFound(ctx, key.scheduler_cluster_id);
  return schedulerToProto(scheduler, cluster, await seedPeersOf(ctx, cluster.id));
}

/** True when a scheduler may be handed to peers: active, fresh, with the `schedule` feature. */
export function isServing(scheduler: SchedulerRecord, now: number, staleAfterMs: number): boolean {
  if (scheduler.state !== 'active' || !scheduler.features.includes(SCHEDULE_FEATURE)) return false;
  const last = scheduler.last_keep_alive_at?.getTime();
  return last !== undefined && now - last <= staleAfterMs;
}

/**
 * The schedulers a peer should use. With `scheduler_cluster_id` set: that cluster's serving schedulers.
 * Otherwise the searcher ranks every cluster with serving schedulers and the answer lists their schedulers
 * best cluster first (every cluster when the searcher finds nothing, as Dragonfly). Answers are cached.
 */
export async function listSchedulers(ctx: RpcContext, req: managerV2.ListSchedulersRequest__Output): Promise<managerV2.ListSchedulersResponse> {
  const sourceType = sourceTypeField(req.sourceType, ['PEER_SOURCE', 'SEED_PEER_SOURCE']);
  const client = {
    hostname: hostnameField(req.hostname),
    ip: ipField(req.ip),
    idc: textField(req.idc, 'idc', MAX_SCOPE_TEXT_LENGTH),
    location: textField(req.location, 'location', MAX_SCOPE_TEXT_LENGTH),
  };
  const version = textField(req.version, 'version', MAX_VERSION_LENGTH);
  textField(req.commit, 'commit', MAX_VERSION_LENGTH);
  const clusterId = clusterIdField(req.schedulerClusterId, 'scheduler_cluster_id', true);

  const cacheKey = SchedulerListCache.keyOf([sourceType, client.hostname, client.ip, client.idc, client.location, version, clusterId]);
  const cached = await ctx.cache.get(cacheKey);
  if (cached) return cached;

  const now = Date.now();
  let clusters: SchedulerClusterRecord[];
  if (clusterId !== 0) clusters = [await clusterOrNotFound(ctx, clusterId)];
  else clusters = await ctx.repos.schedulerClusters.all();
  const schedulers = (await ctx.repos.schedulers.activeIn(clusters.map((c) => c.id))).filter((s) => isServing(s, now, ctx.staleAfterMs));
  const byCluster = new Map<number, SchedulerRecord[]>();
  for (const scheduler of schedulers) {
    const list = byCluster.get(scheduler.scheduler_cluster_id) ?? [];
    list.push(scheduler);
    byCluster.set(scheduler.scheduler_cluster_id, list);
  }

  let ranked = clusters;
  if (clusterId === 0) {
    ctx.metrics.searchSchedulerClusterTotal.labels(version, req.commit ?? '').inc();
    try {
      ranked = ctx.searcher.findSchedulerClusters(
        clusters.map((cluster) => ({ ...cluster, activeSchedulers: byCluster.get(cluster.id)?.length ?? 0 })),
        client,
      );
    } catch (error) {
      ctx.metrics.searchSchedulerClusterFailureTotal.labels(version, req.commit ?? '').inc();
      ctx.logger.debug({ err: error, hostname: client.hostname }, 'searcher found no cluster; answering with every cluster');
    }
  }
  const response: managerV2.ListSchedulersResponse = {
    schedulers: ranked.flatMap((cluster) => (byCluster.get(cluster.id) ?? []).map((s) => schedulerToProto(s, cluster))),
  };
  if ((response.schedulers ?? []).length > 0) await ctx.cache.set(cacheKey, response);
  return response;
}
