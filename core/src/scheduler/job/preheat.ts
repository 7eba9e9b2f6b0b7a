/**
 * One scheduler's share of a preheat (Dragonfly `scheduler/job/job.go` preheat): `single_seed_peer` asks the
 * seed host owning each task on the consistent hash ring (task id) to download it; `all_seed_peers` and
 * `all_peers` ask every selected host directly (`ips` > `count` > `percentage`), at most
 * `concurrent_task_count` URLs and `concurrent_peer_count` hosts at once, each download waited for to its end.
 */
import type { commonV2 } from '@d7y/proto';

import { taskId } from '../../common/ids.js';
import type { HostOutcome, JobTaskResult, PreheatTaskArgs } from '../../common/jobs/protocol.js';
import type { EgressPolicy } from '../../plugin-api/EgressPolicy.js';
import type { Host } from '../resource/Host.js';
import type { HostManager } from '../resource/HostManager.js';
import { HashRing } from '../seedpeer/HashRing.js';
import { mapLimit } from './concurrency.js';
import type { HostCalls } from './hostCalls.js';
import { selectHosts } from './hostSelection.js';

/** What a preheat runs on. */
export interface PreheatDeps {
  readonly hosts: HostManager;
  readonly calls: HostCalls;
  /** Hosts on denied addresses are never dialled. */
  readonly egress: EgressPolicy;
  readonly schedulerClusterId: number;
  /** Aborted when the scheduler stops: downloads still running are cancelled and count as failures. */
  readonly signal?: AbortSignal;
  /** The job's trace context, sent on to the hosts' downloads. */
  readonly traceparent?: string;
}

/** The outcome of one task. */
export interface TaskOutcome {
  readonly state: 'SUCCESS' | 'FAILURE';
  readonly error: string;
  readonly result: JobTaskResult;
}

/** The Download a host is asked for; `seed` asks it to fetch from the origin itself. */
export function preheatDownload(url: string, args: PreheatTaskArgs, seed: boolean): commonV2.Download {
  return {
    url,
    type: 'STANDARD',
    tag: args.tag || undefined,
    application: args.application || undefined,
    filteredQueryParams: args.filtered_query_params,
    requestHeader: args.headers,
    ...(args.piece_length !== undefined ? { pieceLength: args.piece_length } : {}),
    timeout: { seconds: Math.floor(args.timeout_ms / 1000), nanos: (args.timeout_ms % 1000) * 1e6 },
    needBackToSource: seed,
  };
}

/** The task id of a preheated URL, as the hosts and dfget compute it. */
export function preheatTaskId(url: string, args: PreheatTaskArgs): string {
  return taskId({ url, tag: args.tag, application: args.application, pieceLength: args.piece_length, filteredQueryParams: args.filtered_query_params });
}

/** Runs the preheat on this scheduler's hosts. */
export async function runPreheat(deps: PreheatDeps, args: PreheatTaskArgs): Promise<TaskOutcome> {
  const usable = (hosts: Host[]) => hosts.filter((host) => deps.egress.isAddressAllowed(host.info.ip));
  const success: HostOutcome[] = [];
  const failure: HostOutcome[] = [];
  const attempt = async (url: string, host: Host, seed: boolean) => {
    const who = { url, hostname: host.info.hostname, ip: host.info.ip };
    try {
      await deps.calls.download({ ip: host.info.ip, port: host.info.port }, preheatDownload(url, args, seed), args.timeout_ms, deps.signal, deps.traceparent);
      success.push(who);
    } catch (error) {
      failure.push({ ...who, description: (error as Error).message });
    }
  };
  if (args.scope === 'single_seed_peer') {
    const seeds = usable(deps.hosts.seeds());
    if (seeds.length === 0) return failed(deps, 'no seed peer has announced itself to this scheduler');
    const ring = new HashRing(seeds.map((host) => host.id).sort());
    const byId = new Map(seeds.map((host) => [host.id, host]));
    await mapLimit(args.urls, args.concurrent_task_count, (url) => attempt(url, byId.get(ring.lookup(preheatTaskId(url, args))[0]!)!, true));
  } else {
    const pool = usable(args.scope === 'all_seed_peers' ? deps.hosts.seeds() : deps.hosts.all());
    const targets = selectHosts(
      pool.map((host) => ({ id: host.id, ip: host.info.ip, hostname: host.info.hostname, host })),
      { ips: args.ips, ...(args.count !== undefined ? { count: args.count } : {}), ...(args.percentage !== undefined ? { percentage: args.percentage } : {}) },
    ).map((candidate) => candidate.host);
    if (targets.length === 0) return failed(deps, `no ${args.scope === 'all_seed_peers' ? 'seed peer' : 'peer'} matches the selection on this scheduler`);
    await mapLimit(args.urls, args.concurrent_task_count, (url) => mapLimit(targets, args.concurrent_peer_count, (host) => attempt(url, host, host.isSeed)));
  }
  const result: JobTaskResult = { scheduler_cluster_id: deps.schedulerClusterId, success_tasks: success, failure_tasks: failure };
  if (failure.length > 0) {
    const first = failure[0]!;
    return { state: 'FAILURE', error: `preheat failed on ${failure.length} of ${failure.length + success.length} downloads; first: ${first.hostname} (${first.ip}) ${first.url}: ${first.description}`, result };
  }
  return { state: 'SUCCESS', error: '', result };
}

function failed(deps: PreheatDeps, error: string): TaskOutcome {
  return { state: 'FAILURE', error: `preheat failed: ${error}`, result: { scheduler_cluster_id: deps.schedulerClusterId, success_tasks: [], failure_tasks: [] } };
}
