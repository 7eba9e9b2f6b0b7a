/**
 * The cluster config the manager hands a scheduler, read defensively: a missing, malformed or out-of-range
 * value keeps the current one. Three JSON documents carry it (GetScheduler):
 * - `scheduler_cluster.config`: `{candidate_parent_limit, filter_parent_limit, job_rate_limit}`;
 * - `scheduler_cluster.client_config`: `{load_limit}`, the concurrent uploads given to each normal peer;
 * - `seed_peers[].seed_peer_cluster.config`: `{load_limit}`, the concurrent uploads given to each seed peer.
 */
import { NORMAL_HOST_UPLOAD_LIMIT, SEED_HOST_UPLOAD_LIMIT } from '../constants.js';

/** Limits a scheduler applies live. */
export interface ClusterLimits {
  /** Most candidate parents handed to a peer (1..20). */
  candidateParentLimit: number;
  /** Peers sampled per scheduling attempt (10..1000). */
  filterParentLimit: number;
  /** Concurrent uploads a normal peer may serve before it is no longer offered as a parent (1..50000). */
  peerLoadLimit: number;
  /** The same for seed peers (1..50000). */
  seedLoadLimit: number;
}

/** Dragonfly's defaults: 3 candidates, 15 sampled, 200 uploads per peer, 2000 per seed peer. */
export const DEFAULT_CLUSTER_LIMITS: Readonly<ClusterLimits> = Object.freeze({
  candidateParentLimit: 3,
  filterParentLimit: 15,
  peerLoadLimit: NORMAL_HOST_UPLOAD_LIMIT,
  seedLoadLimit: SEED_HOST_UPLOAD_LIMIT,
});

/** The JSON documents the limits are read from, as the manager sends them (UTF-8 bytes). */
export interface ClusterConfigDocuments {
  config?: Uint8Array;
  clientConfig?: Uint8Array;
  seedPeerClusterConfig?: Uint8Array;
}

function intIn(value: unknown, min: number, max: number): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

/** A JSON object document, or `{}` when missing or malformed. */
function objectOf(bytes: Uint8Array | undefined): Record<string, unknown> {
  try {
    const value: unknown = bytes && bytes.length > 0 ? JSON.parse(Buffer.from(bytes).toString('utf8')) : {};
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The limits in `documents`, falling back to `current` field by field. */
export function parseClusterLimits(documents: ClusterConfigDocuments, current: ClusterLimits): ClusterLimits {
  const config = objectOf(documents.config);
  const client = objectOf(documents.clientConfig);
  const seed = objectOf(documents.seedPeerClusterConfig);
  return {
    candidateParentLimit: intIn(config.candidate_parent_limit, 1, 20) ?? current.candidateParentLimit,
    filterParentLimit: intIn(config.filter_parent_limit, 10, 1000) ?? current.filterParentLimit,
    peerLoadLimit: intIn(client.load_limit, 1, 50_000) ?? current.peerLoadLimit,
    seedLoadLimit: intIn(seed.load_limit, 1, 50_000) ?? current.seedLoadLimit,
  };
}
