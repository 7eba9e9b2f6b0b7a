/** Which hosts an all_seed_peers / all_peers preheat targets (Dragonfly: `ips` > `count` > `percentage`). */

/** A candidate host. */
export interface Candidate {
  readonly id: string;
  readonly ip: string;
  readonly hostname: string;
}

/** Selection args. */
export interface Selection {
  readonly ips: readonly string[];
  readonly count?: number;
  readonly percentage?: number;
}

/**
 * The hosts to preheat on: those whose IP is in `ips` when given; else the first `count` (by id, stable);
 * else `percentage` of them rounded down but at least one; else all.
 */
export function selectHosts<H extends Candidate>(hosts: readonly H[], selection: Selection): H[] {
  const sorted = [...hosts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (selection.ips.length > 0) {
    const wanted = new Set(selection.ips);
    return sorted.filter((host) => wanted.has(host.ip));
  }
  if (selection.count !== undefined && selection.count > 0) return sorted.slice(0, selection.count);
  if (selection.percentage !== undefined && selection.percentage > 0) {
    if (sorted.length === 0) return [];
    return sorted.slice(0, Math.max(1, Math.floor((sorted.length * selection.percentage) / 100)));
  }
  return sorted;
}
