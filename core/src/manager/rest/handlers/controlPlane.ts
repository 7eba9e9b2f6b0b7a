/**
 * The control-plane resources and their link routes: scheduler clusters, schedulers, seed peer clusters,
 * seed peers, peers, applications and configs.
 */
import { z } from 'zod';

import { createRepositories } from '../../models/index.js';
import type { RouteHandler } from '../RestContext.js';
import { validate } from '../validation.js';
import { crudHandlers } from './resources.js';

const positiveId = z.string().regex(/^[1-9][0-9]{0,15}$/, 'expected a positive integer id').transform(Number);

const schedulerClusters = crudHandlers({ group: 'scheduler-clusters', repository: (r) => r.schedulerClusters, boolFilters: ['is_default'] });
const schedulers = crudHandlers({ group: 'schedulers', repository: (r) => r.schedulers, intFilters: ['scheduler_cluster_id'] });
const seedPeerClusters = crudHandlers({ group: 'seed-peer-clusters', repository: (r) => r.seedPeerClusters });
const seedPeers = crudHandlers({ group: 'seed-peers', repository: (r) => r.seedPeers, intFilters: ['seed_peer_cluster_id'] });
const peers = crudHandlers({ group: 'peers', repository: (r) => r.peers, intFilters: ['scheduler_cluster_id'] });
const applications = crudHandlers({ group: 'applications', repository: (r) => r.applications, intFilters: ['user_id'], stampsUser: true });
const configs = crudHandlers({ group: 'configs', repository: (r) => r.configs, intFilters: ['user_id'], stampsUser: true });

/** `PUT /scheduler-clusters/:id/schedulers/:scheduler_id`: moves a scheduler into the cluster. */
const addScheduler: RouteHandler = async (ctx, request) => {
  const { id, scheduler_id: schedulerId } = validate(z.object({ id: positiveId, scheduler_id: positiveId }), request.params, 'params');
  const repos = createRepositories(ctx.db);
  await repos.schedulerClusters.get(id);
  await repos.schedulers.update(schedulerId, { scheduler_cluster_id: id });
  return {};
};

/** `PUT /seed-peer-clusters/:id/seed-peers/:seed_peer_id`: moves a seed peer into the cluster. */
const addSeedPeer: RouteHandler = async (ctx, request) => {
  const { id, seed_peer_id: seedPeerId } = validate(z.object({ id: positiveId, seed_peer_id: positiveId }), request.params, 'params');
  const repos = createRepositories(ctx.db);
  await repos.seedPeerClusters.get(id);
  await repos.seedPeers.update(seedPeerId, { seed_peer_cluster_id: id });
  return {};
};

/** `PUT /seed-peer-clusters/:id/scheduler-clusters/:scheduler_cluster_id`: links the two clusters. */
const linkSchedulerCluster: RouteHandler = async (ctx, request) => {
  const params = validate(z.object({ id: positiveId, scheduler_cluster_id: positiveId }), request.params, 'params');
  const repos = createRepositories(ctx.db);
  await repos.seedPeerClusters.get(params.id);
  await repos.schedulerClusters.get(params.scheduler_cluster_id);
  await repos.clusterLinks.link(params.id, params.scheduler_cluster_id);
  return {};
};

/** Handlers of the control-plane resource routes. */
export const controlPlaneHandlers = {
  ...schedulerClusters,
  'scheduler-clusters.addScheduler': addScheduler,
  ...schedulers,
  ...seedPeerClusters,
  'seed-peer-clusters.addSeedPeer': addSeedPeer,
  'seed-peer-clusters.linkSchedulerCluster': linkSchedulerCluster,
  ...seedPeers,
  'peers.create': peers['peers.create'],
  'peers.destroy': peers['peers.destroy'],
  'peers.get': peers['peers.get'],
  'peers.list': peers['peers.list'],
  ...applications,
  ...configs,
};
