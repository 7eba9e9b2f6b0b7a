/**
 * What the manager and the schedulers' job workers exchange. The manager keeps one FIFO queue per scheduler in
 * its shared state (Redis when configured, in-process otherwise), named `scheduler_<clusterID>_<hostname>_<ip>`
 * as Dragonfly's machinery queues; a scheduler takes its tasks with the `TakeJobTask` call of the manager's
 * `d7y.manager.v2.Jobs` gRPC service (a long poll) and reports each outcome with `ReportJobTask`. Messages are
 * JSON in snake_case.
 */

/** Job types the worker runs. */
export type JobTaskType = 'preheat' | 'get_task' | 'delete_task' | 'sync_peers';

/** Where the preheat lands. */
export type PreheatScope = 'single_seed_peer' | 'all_seed_peers' | 'all_peers';

/** Work of one preheat task on one scheduler (secrets such as `Authorization` included; never stored in the database). */
export interface PreheatTaskArgs {
  readonly urls: string[];
  readonly headers: Record<string, string>;
  readonly tag: string;
  readonly application: string;
  readonly filtered_query_params: string[];
  readonly piece_length?: number;
  readonly scope: PreheatScope;
  readonly ips: string[];
  readonly count?: number;
  readonly percentage?: number;
  readonly concurrent_task_count: number;
  readonly concurrent_peer_count: number;
  readonly timeout_ms: number;
}

/** A task to look up or evict, by id or by the inputs of its id. */
export interface TaskRefArgs {
  readonly task_id: string;
  readonly url: string;
  readonly tag: string;
  readonly application: string;
  readonly filtered_query_params: string[];
  readonly concurrent_peer_count: number;
  readonly timeout_ms: number;
}

/** sync_peers: list the peer hosts this scheduler knows. */
export interface SyncPeersArgs {
  readonly timeout_ms: number;
}

/** A peer host as sync_peers reports it (the manager's `peers` columns). */
export interface SyncedHost {
  readonly hostname: string;
  readonly ip: string;
  readonly type: string;
  readonly port: number;
  readonly download_port: number;
  readonly proxy_port: number;
  readonly idc: string;
  readonly location: string;
  readonly os: string;
  readonly platform: string;
  readonly platform_family: string;
  readonly platform_version: string;
  readonly kernel_version: string;
  readonly git_version: string;
}

/** Most hosts one sync_peers report carries. */
export const MAX_SYNCED_HOSTS = 10_000;

/** One queued task. */
export interface JobTaskMessage {
  readonly task_uuid: string;
  readonly job_id: number;
  readonly type: JobTaskType;
  readonly scheduler_cluster_id: number;
  readonly args: PreheatTaskArgs | TaskRefArgs | SyncPeersArgs;
  /** W3C trace context of the request that created the job (manager tracing), continued by the scheduler. */
  readonly traceparent?: string;
}

/** A host that did (or failed) a piece of work. */
export interface HostOutcome {
  readonly url?: string;
  readonly task_id?: string;
  readonly hostname: string;
  readonly ip: string;
  readonly description?: string;
}

/** What one scheduler found or did (Dragonfly's per-cluster result entry). */
export interface JobTaskResult {
  readonly scheduler_cluster_id: number;
  readonly success_tasks?: HostOutcome[];
  readonly failure_tasks?: HostOutcome[];
  /** get_task: the peers holding the task. */
  readonly peers?: Array<{ id: string; hostname: string; ip: string; port: number; host_type: string; state: string }>;
  /** sync_peers, from the scheduler: the peer hosts it knows (the manager stores them, not this list). */
  readonly hosts?: SyncedHost[];
  /** sync_peers, as stored: how many peer rows the report refreshed. */
  readonly synced_peers?: number;
}

/** Identity of a scheduler, as registered with the manager. */
export interface SchedulerIdentity {
  readonly hostname: string;
  readonly ip: string;
  readonly scheduler_cluster_id: number;
}

/** `TakeJobTask` request: wait up to `wait_ms` for a task on this scheduler's queue. */
export interface TakeJobTaskRequest {
  readonly scheduler: SchedulerIdentity;
  readonly wait_ms: number;
}

/** `TakeJobTask` answer; no task when the wait ended empty. */
export interface TakeJobTaskResponse {
  readonly task?: JobTaskMessage;
}

/** `ReportJobTask` request. */
export interface ReportJobTaskRequest {
  readonly scheduler: SchedulerIdentity;
  readonly task_uuid: string;
  readonly job_id: number;
  readonly state: 'SUCCESS' | 'FAILURE';
  readonly error: string;
  readonly result: JobTaskResult;
}

/** Longest `wait_ms` the manager honours. */
export const MAX_TAKE_WAIT_MS = 10_000;

/** The queue of one scheduler, as Dragonfly names it. */
export function schedulerQueueName(id: SchedulerIdentity): string {
  return `scheduler_${id.scheduler_cluster_id}_${id.hostname}_${id.ip}`;
}
