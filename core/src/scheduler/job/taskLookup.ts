/**
 * get_task and delete_task on one scheduler: where a task is cached (hosts whose peer of the task succeeded)
 * and its eviction from those hosts (`DfdaemonUpload.DeleteTask`), after which the scheduler forgets those peers.
 */
import { taskId } from '../../common/ids.js';
import type { HostOutcome, TaskRefArgs } from '../../common/jobs/protocol.js';
import type { EgressPolicy } from '../../plugin-api/EgressPolicy.js';
import type { Peer } from '../resource/Peer.js';
import type { Resource } from '../resource/Resource.js';
import { mapLimit } from './concurrency.js';
import type { HostCalls } from './hostCalls.js';
import type { TaskOutcome } from './preheat.js';

/** What lookups run on. */
export interface TaskLookupDeps {
  readonly resource: Resource;
  readonly calls: HostCalls;
  readonly egress: EgressPolicy;
  readonly schedulerClusterId: number;
}

/** The id named by the args: `task_id`, or the id derived from `url`, `tag`, `application` and the filters. */
export function taskIdOf(args: TaskRefArgs): string {
  return args.task_id || taskId({ url: args.url, tag: args.tag, application: args.application, filteredQueryParams: args.filtered_query_params });
}

function cachedPeers(resource: Resource, id: string): Peer[] {
  const task = resource.tasks.get(id);
  return task ? task.dag.values().filter((peer) => peer.fsm.is('Succeeded') && peer.holdsWholeTask()) : [];
}

/** get_task: the peers holding the task (an unknown task is a success with no peers). */
export function runGetTask(deps: TaskLookupDeps, args: TaskRefArgs): TaskOutcome {
  const peers = cachedPeers(deps.resource, taskIdOf(args)).map((peer) => ({
    id: peer.id,
    hostname: peer.host.info.hostname,
    ip: peer.host.info.ip,
    port: peer.host.info.port,
    host_type: peer.host.info.type,
    state: peer.state,
  }));
  return { state: 'SUCCESS', error: '', result: { scheduler_cluster_id: deps.schedulerClusterId, peers } };
}

/** delete_task: evicts the task from every host holding it. */
export async function runDeleteTask(deps: TaskLookupDeps, args: TaskRefArgs): Promise<TaskOutcome> {
  const id = taskIdOf(args);
  const success: HostOutcome[] = [];
  const failure: HostOutcome[] = [];
  await mapLimit(cachedPeers(deps.resource, id), args.concurrent_peer_count, async (peer) => {
    const who = { task_id: id, hostname: peer.host.info.hostname, ip: peer.host.info.ip };
    if (!deps.egress.isAddressAllowed(peer.host.info.ip)) {
      failure.push({ ...who, description: 'host address refused by the egress policy' });
      return;
    }
    try {
      await deps.calls.deleteTask({ ip: peer.host.info.ip, port: peer.host.info.port }, id, args.timeout_ms);
      deps.resource.removePeer(peer);
      success.push(who);
    } catch (error) {
      failure.push({ ...who, description: (error as Error).message });
    }
  });
  const result = { scheduler_cluster_id: deps.schedulerClusterId, success_tasks: success, failure_tasks: failure };
  if (failure.length > 0) return { state: 'FAILURE', error: `delete_task failed on ${failure.length} host(s); first: ${failure[0]!.hostname}: ${failure[0]!.description}`, result };
  return { state: 'SUCCESS', error: '', result };
}
