/**
 * The scheduler cluster config the manager hands a scheduler (GetScheduler `scheduler_cluster.config`, JSON
 * `{candidate_parent_limit, filter_parent_limit, job_rate_limit}`), read defensively: a missing, malformed or
 * out-of-range value keeps the current one.
 */

/** Parent limits a scheduler applies live. */
export interface ClusterLimits {
  /** Most candidate parents handed to a peer (1..20). */
  candidateParentLimit: number;
  /** Peers sampled per scheduling attempt (10..1000). */
  filterParentLimit: number;
}

function intIn(value: unknown, min: number, max: number): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

/** The limits in `configBytes`, falling back to `current` field by field. */
export function parseClusterLimits(configBytes: Uint8Array | undefined, current: ClusterLimits): ClusterLimits {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = configBytes && configBytes.length > 0 ? JSON.parse(Buffer.from(configBytes).toString('utf8')) : {};
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    // Malformed config: keep the current limits.
  }
  return {
    candidateParentLimit: intIn(parsed.candidate_parent_limit, 1, 20) ?? current.candidateParentLimit,
    filterParentLimit: intIn(parsed.filter_parent_limit, 10, 1000) ?? current.filterParentLimit,
  };
}
