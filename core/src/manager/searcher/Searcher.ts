/**
 * Dragonfly's searcher (spec 9.5): ranks scheduler clusters for a client by
 * `0.3·CIDR + 0.3·Hostname + 0.25·IDC + 0.14·Location + 0.01·IsDefault`, dropping clusters without an active
 * scheduler. Ties keep the input order (ascending cluster id).
 */
import { createError, ErrorCodes } from '../../common/errors.js';
import type { SchedulerClusterScopes } from '../models/jsonShapes.js';
import { cidrAffinity, hostnameAffinity, idcAffinity, locationAffinity } from './affinity.js';

/** Weights of the score terms (`cidrAffinityWeight`, ...). */
export const SEARCH_WEIGHTS = Object.freeze({ cidr: 0.3, hostname: 0.3, idc: 0.25, location: 0.14, isDefault: 0.01 });

/** The client asking for schedulers. */
export interface SearchClient {
  readonly ip: string;
  readonly hostname: string;
  readonly idc?: string;
  readonly location?: string;
}

/** What the searcher needs to know about a cluster. */
export interface SearchCluster {
  readonly id: number;
  readonly is_default: boolean;
  readonly scopes: SchedulerClusterScopes;
  /** Number of active schedulers with the `schedule` feature. */
  readonly activeSchedulers: number;
}

/** The score of `cluster` for `client`, in [0, 1]. */
export function scoreCluster(client: SearchClient, cluster: SearchCluster): number {
  const scopes = cluster.scopes ?? {};
  return (
    SEARCH_WEIGHTS.cidr * cidrAffinity(client.ip, scopes.cidrs) +
    SEARCH_WEIGHTS.hostname * hostnameAffinity(client.hostname, scopes.hostnames) +
    SEARCH_WEIGHTS.idc * idcAffinity(client.idc, scopes.idc) +
    SEARCH_WEIGHTS.location * locationAffinity(client.location, scopes.location) +
    SEARCH_WEIGHTS.isDefault * (cluster.is_default ? 1 : 0)
  );
}

/** Ranks clusters best first; a pluggable searcher implements the same contract. */
export interface Searcher {
  /**
   * The clusters with active schedulers, best first for `client`. Throws `D7Y_ERR_NOT_FOUND` when none has
   * an active scheduler (the caller then falls back to every cluster, as Dragonfly does).
   */
  findSchedulerClusters<C extends SearchCluster>(clusters: readonly C[], client: SearchClient): C[];
}

/** The default searcher. */
export const defaultSearcher: Searcher = {
  findSchedulerClusters<C extends SearchCluster>(clusters: readonly C[], client: SearchClient): C[] {
    const candidates = clusters.filter((cluster) => cluster.activeSchedulers > 0);
    if (candidates.length === 0) throw createError(ErrorCodes.NOT_FOUND, 'no scheduler cluster has an active scheduler');
    return candidates
      .map((cluster, index) => ({ cluster, index, score: scoreCluster(client, cluster) }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .map(({ cluster }) => cluster);
  },
};
