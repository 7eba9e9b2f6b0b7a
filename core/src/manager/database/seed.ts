/**
 * Seed data, as Dragonfly's `manager/database/database.go` `seed()`: the default scheduler cluster
 * `cluster-1` (id 1 on a fresh database) with the scheduler's default limits, and its seed peer cluster
 * `cluster-1`, linked together. Applied at every start and idempotent: it only runs while the scheduler
 * cluster table has never had a row, so an operator who renames or deletes the default keeps that choice.
 */
import { ErrorCodes, isD7yError } from '../../common/errors.js';
import type { DatabaseDriver } from '../../plugin-api/database/DatabaseDriver.js';
import { createRepositories } from '../models/index.js';

/** Name of the seeded scheduler cluster and seed peer cluster. */
export const DEFAULT_CLUSTER_NAME = 'cluster-1';

/** Config of the seeded scheduler cluster (Dragonfly's scheduler defaults). */
export const DEFAULT_SCHEDULER_CLUSTER_CONFIG = Object.freeze({ candidate_parent_limit: 3, filter_parent_limit: 15, job_rate_limit: 10 });
/** Client config of the seeded scheduler cluster (`load_limit` = peer concurrent upload limit). */
export const DEFAULT_CLIENT_CONFIG = Object.freeze({ load_limit: 200 });
/** Config of the seeded seed peer cluster. */
export const DEFAULT_SEED_PEER_CLUSTER_CONFIG = Object.freeze({ load_limit: 2000 });

/** Seeds the default clusters when the database has never had a scheduler cluster; true if it seeded. */
export async function seedDefaults(db: DatabaseDriver): Promise<boolean> {
  try {
    return await db.transaction(async (tx) => {
      const [{ n }] = await tx.query<{ n: number }>('SELECT COUNT(*) AS n FROM scheduler_clusters');
      if (Number(n) > 0) return false;
      const repos = createRepositories(tx);
      const schedulerCluster = await repos.schedulerClusters.create({
        name: DEFAULT_CLUSTER_NAME,
        config: { ...DEFAULT_SCHEDULER_CLUSTER_CONFIG },
        client_config: { ...DEFAULT_CLIENT_CONFIG },
        seed_client_config: { ...DEFAULT_SEED_PEER_CLUSTER_CONFIG },
        scopes: {},
        is_default: true,
      });
      const existing = await repos.seedPeerClusters.findOne({ name: DEFAULT_CLUSTER_NAME });
      const seedPeerCluster = existing ?? (await repos.seedPeerClusters.create({ name: DEFAULT_CLUSTER_NAME, config: { ...DEFAULT_SEED_PEER_CLUSTER_CONFIG } }));
      await repos.clusterLinks.link(seedPeerCluster.id, schedulerCluster.id);
      return true;
    });
  } catch (error) {
    // Another manager seeded at the same moment: its rows are the seed.
    if (isD7yError(error) && error.code === ErrorCodes.ALREADY_EXISTS) return false;
    throw error;
  }
}
