/**
 * `/api/v1/clusters` and `/oapi/v1/clusters`: Dragonfly's "cluster", a scheduler cluster paired with a seed
 * peer cluster. The cluster id is the scheduler cluster's id. Body and response:
 * `{name, bio, scopes, scheduler_cluster_config, seed_peer_cluster_config, peer_cluster_config, is_default}`
 * (responses add `id`, `scheduler_cluster_id`, `seed_peer_cluster_id`, timestamps). `peer_cluster_config`
 * is the scheduler cluster's `client_config`; `seed_peer_cluster_config` is the seed peer cluster's
 * `config` and the scheduler cluster's `seed_client_config`.
 */
import { z } from 'zod';

import { createError, ErrorCodes } from '../../../common/errors.js';
import type { SqlSession } from '../../../plugin-api/database/DatabaseDriver.js';
import { createRepositories, type SchedulerClusterRecord, type SeedPeerClusterRecord } from '../../models/index.js';
import { paginationQuery, setPaginationHeaders } from '../pagination.js';
import type { RouteHandler } from '../RestContext.js';
import { idParam } from '../schemas.js';
import { validate } from '../validation.js';
import { objectBody } from './resources.js';

const CLUSTER_KEYS = ['name', 'bio', 'scopes', 'scheduler_cluster_config', 'seed_peer_cluster_config', 'peer_cluster_config', 'is_default'] as const;
const listQuery = z.object({ ...paginationQuery, name: z.string().max(256).optional() });

type ClusterBody = Partial<Record<(typeof CLUSTER_KEYS)[number], unknown>>;

function clusterBody(body: Record<string, unknown>): ClusterBody {
  for (const key of Object.keys(body)) {
    if (!(CLUSTER_KEYS as readonly string[]).includes(key)) throw createError(ErrorCodes.INVALID_ARGUMENT, `${key}: unknown field of cluster`, { details: { field: key } });
  }
  return body as ClusterBody;
}

/** Drops undefined values, so that absent body keys leave columns unchanged. */
function defined<T extends Record<string, unknown>>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function clusterJson(schedulerCluster: SchedulerClusterRecord, seedPeerCluster: SeedPeerClusterRecord | undefined) {
  return {
    id: schedulerCluster.id,
    created_at: schedulerCluster.created_at,
    updated_at: schedulerCluster.updated_at,
    name: schedulerCluster.name,
    bio: schedulerCluster.bio,
    scopes: schedulerCluster.scopes,
    scheduler_cluster_id: schedulerCluster.id,
    seed_peer_cluster_id: seedPeerCluster?.id ?? 0,
    scheduler_cluster_config: schedulerCluster.config,
    seed_peer_cluster_config: seedPeerCluster?.config ?? {},
    peer_cluster_config: schedulerCluster.client_config,
    is_default: schedulerCluster.is_default,
  };
}

async function loadCluster(session: SqlSession, id: number) {
  const repos = createRepositories(session);
  const schedulerCluster = await repos.schedulerClusters.get(id);
  const [seedPeerClusterId] = await repos.clusterLinks.seedPeerClusterIdsOf(id);
  const seedPeerCluster = seedPeerClusterId === undefined ? undefined : await repos.seedPeerClusters.find(seedPeerClusterId);
  return { schedulerCluster, seedPeerCluster };
}

const createCluster: RouteHandler = async (ctx, request) => {
  const body = clusterBody(objectBody(request));
  const id = await ctx.db.transaction(async (tx) => {
    const repos = createRepositories(tx);
    const schedulerCluster = await repos.schedulerClusters.create(
      defined({ name: body.name, bio: body.bio, scopes: body.scopes, config: body.scheduler_cluster_config, client_config: body.peer_cluster_config, seed_client_config: body.seed_peer_cluster_config, is_default: body.is_default }) as never,
    );
    const seedPeerCluster = await repos.seedPeerClusters.create(defined({ name: body.name, bio: body.bio, config: body.seed_peer_cluster_config }) as never);
    await repos.clusterLinks.link(seedPeerCluster.id, schedulerCluster.id);
    return schedulerCluster.id;
  });
  const { schedulerCluster, seedPeerCluster } = await loadCluster(ctx.db, id);
  return clusterJson(schedulerCluster, seedPeerCluster);
};

const updateCluster: RouteHandler = async (ctx, request) => {
  const { id } = validate(idParam, request.params, 'params');
  const body = clusterBody(objectBody(request));
  await ctx.db.transaction(async (tx) => {
    const repos = createRepositories(tx);
    const { seedPeerCluster } = await loadCluster(tx, id);
    await repos.schedulerClusters.update(
      id,
      defined({ name: body.name, bio: body.bio, scopes: body.scopes, config: body.scheduler_cluster_config, client_config: body.peer_cluster_config, seed_client_config: body.seed_peer_cluster_config, is_default: body.is_default }) as never,
    );
    const seedPatch = defined({ name: body.name, bio: body.bio, config: body.seed_peer_cluster_config });
    if (seedPeerCluster !== undefined && Object.keys(seedPatch).length > 0) await repos.seedPeerClusters.update(seedPeerCluster.id, seedPatch as never);
  });
  const { schedulerCluster, seedPeerCluster } = await loadCluster(ctx.db, id);
  return clusterJson(schedulerCluster, seedPeerCluster);
};

const destroyCluster: RouteHandler = async (ctx, request) => {
  const { id } = validate(idParam, request.params, 'params');
  await ctx.db.transaction(async (tx) => {
    const repos = createRepositories(tx);
    const { seedPeerCluster } = await loadCluster(tx, id);
    await repos.schedulerClusters.delete(id);
    if (seedPeerCluster !== undefined && (await repos.clusterLinks.schedulerClusterIdsOf(seedPeerCluster.id)).length === 0) {
      await repos.seedPeerClusters.delete(seedPeerCluster.id);
    }
  });
  return {};
};

const getCluster: RouteHandler = async (ctx, request) => {
  const { schedulerCluster, seedPeerCluster } = await loadCluster(ctx.db, validate(idParam, request.params, 'params').id);
  return clusterJson(schedulerCluster, seedPeerCluster);
};

const listClusters: RouteHandler = async (ctx, request, reply) => {
  const { page, per_page: perPage, name } = validate(listQuery, request.query, 'query');
  const page_ = await createRepositories(ctx.db).schedulerClusters.list({ page, per_page: perPage, filters: { name } });
  setPaginationHeaders(request, reply, page, perPage, page_.total);
  const result = [];
  for (const schedulerCluster of page_.items) result.push(clusterJson(schedulerCluster, (await loadCluster(ctx.db, schedulerCluster.id)).seedPeerCluster));
  return result;
};

const handlers = { create: createCluster, destroy: destroyCluster, update: updateCluster, get: getCluster, list: listClusters };

/** Handlers of the console cluster routes and of their open-API twins. */
export const clusterHandlers = {
  'clusters.create': handlers.create,
  'clusters.destroy': handlers.destroy,
  'clusters.update': handlers.update,
  'clusters.get': handlers.get,
  'clusters.list': handlers.list,
  'oapi.clusters.create': handlers.create,
  'oapi.clusters.destroy': handlers.destroy,
  'oapi.clusters.update': handlers.update,
  'oapi.clusters.get': handlers.get,
  'oapi.clusters.list': handlers.list,
};
