/**
 * The cluster form and the `/api/v1/clusters` body it becomes: `{name, bio, scopes{idc, location, cidrs,
 * hostnames}, scheduler_cluster_config{candidate_parent_limit, filter_parent_limit, job_rate_limit},
 * peer_cluster_config{load_limit, concurrent_piece_count}, seed_peer_cluster_config{load_limit}, is_default}`.
 * Limits match the manager's validators (core/src/manager/models/jsonShapes.ts).
 */
import type { Cluster } from '../api/types';
import { splitList } from './format';

/** The form, as typed. */
export interface ClusterForm {
  name: string;
  bio: string;
  isDefault: boolean;
  idc: string;
  location: string;
  cidrs: string;
  hostnames: string;
  candidateParentLimit: string;
  filterParentLimit: string;
  jobRateLimit: string;
  peerLoadLimit: string;
  peerConcurrentPieceCount: string;
  seedPeerLoadLimit: string;
  /**
   * Keys of the peer config the form does not edit (such as `block_list`, set through the API): kept as they
   * were, so that saving the form does not drop them.
   */
  peerConfigKept?: Record<string, unknown>;
}

/** Defaults of a new cluster: Dragonfly's seeded values. */
export function emptyClusterForm(): ClusterForm {
  return {
    name: '',
    bio: '',
    isDefault: false,
    idc: '',
    location: '',
    cidrs: '',
    hostnames: '',
    candidateParentLimit: '3',
    filterParentLimit: '15',
    jobRateLimit: '10',
    peerLoadLimit: '200',
    peerConcurrentPieceCount: '',
    seedPeerLoadLimit: '2000',
  };
}

/** The form for an existing cluster. */
export function clusterToForm(cluster: Cluster): ClusterForm {
  const s = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    name: cluster.name,
    bio: cluster.bio ?? '',
    isDefault: cluster.is_default,
    idc: cluster.scopes?.idc ?? '',
    location: cluster.scopes?.location ?? '',
    cidrs: (cluster.scopes?.cidrs ?? []).join('\n'),
    hostnames: (cluster.scopes?.hostnames ?? []).join('\n'),
    candidateParentLimit: s(cluster.scheduler_cluster_config?.candidate_parent_limit),
    filterParentLimit: s(cluster.scheduler_cluster_config?.filter_parent_limit),
    jobRateLimit: s(cluster.scheduler_cluster_config?.job_rate_limit),
    peerLoadLimit: s(cluster.peer_cluster_config?.load_limit),
    peerConcurrentPieceCount: s(cluster.peer_cluster_config?.concurrent_piece_count),
    seedPeerLoadLimit: s(cluster.seed_peer_cluster_config?.load_limit),
    peerConfigKept: Object.fromEntries(
      Object.entries(cluster.peer_cluster_config ?? {}).filter(([key]) => key !== 'load_limit' && key !== 'concurrent_piece_count'),
    ),
  };
}

const CIDR = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]+)(\/\d{1,3})?$/i;

export type ClusterRequest = { ok: true; body: Record<string, unknown> } | { ok: false; errors: Partial<Record<keyof ClusterForm, string>> };

/** The request body for a filled form, or the problems keyed by form field. */
export function buildClusterRequest(form: ClusterForm): ClusterRequest {
  const errors: Partial<Record<keyof ClusterForm, string>> = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'required';
  else if (name.length > 256) errors.name = 'at most 256 characters';

  const cidrs = splitList(form.cidrs);
  const badCidr = cidrs.find((c) => !CIDR.test(c));
  if (badCidr !== undefined) errors.cidrs = `not a CIDR: ${badCidr} (for example 10.0.0.0/8)`;
  const hostnames = splitList(form.hostnames);
  const badRegex = hostnames.find((h) => {
    try {
      new RegExp(h);
      return false;
    } catch {
      return true;
    }
  });
  if (badRegex !== undefined) errors.hostnames = `not a regular expression: ${badRegex}`;

  const number = (key: keyof ClusterForm, min: number, max: number): number | undefined => {
    const text = String(form[key]).trim();
    if (text === '') return undefined;
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) {
      errors[key] = `expected a whole number from ${min} to ${max}`;
      return undefined;
    }
    return value;
  };
  const compact = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
  const schedulerConfig = compact({
    candidate_parent_limit: number('candidateParentLimit', 1, 20),
    filter_parent_limit: number('filterParentLimit', 10, 1000),
    job_rate_limit: number('jobRateLimit', 1, 1_000_000),
  });
  const peerConfig = compact({ load_limit: number('peerLoadLimit', 1, 50_000), concurrent_piece_count: number('peerConcurrentPieceCount', 1, 50) });
  const seedConfig = compact({ load_limit: number('seedPeerLoadLimit', 1, 50_000) });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    body: {
      name,
      bio: form.bio.trim(),
      is_default: form.isDefault,
      scopes: compact({ idc: form.idc.trim(), location: form.location.trim(), cidrs: cidrs.length ? cidrs : undefined, hostnames: hostnames.length ? hostnames : undefined }),
      scheduler_cluster_config: schedulerConfig,
      peer_cluster_config: { ...form.peerConfigKept, ...peerConfig },
      seed_peer_cluster_config: seedConfig,
    },
  };
}
