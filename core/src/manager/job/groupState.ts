/**
 * The group state of a job, in the shape Dragonfly stores as `Job.result` and Harbor parses
 * (`result.job_states[].results[]`, real-clients.md 1.6). The job's state is always one of PENDING, SUCCESS,
 * FAILURE: any task FAILURE -> FAILURE; any task not SUCCESS -> PENDING; else SUCCESS
 * (Dragonfly `GetGroupJobState`).
 */
import type { JobTaskResult } from '../../common/jobs/protocol.js';
import type { JobState } from './JobRepository.js';

/** One task of the group (one scheduler's share of the job). */
export interface TaskState {
  readonly task_uuid: string;
  readonly task_name: string;
  readonly state: JobState;
  readonly results: JobTaskResult[];
  readonly error: string;
  readonly created_at: string;
  readonly ttl: number;
  /** d7y: the queue the task went to (which scheduler runs it). */
  readonly queue?: string;
}

/** `Job.result`. */
export interface GroupResult {
  readonly group_uuid: string;
  readonly state: JobState;
  readonly created_at: string;
  readonly updated_at: string;
  readonly job_states: TaskState[];
}

/** Most per-host entries kept in one result list (the rest are summarised in a last entry). */
export const MAX_HOST_ENTRIES = 2000;

/** The state of a group of tasks. */
export function groupStateOf(tasks: readonly Pick<TaskState, 'state'>[]): JobState {
  if (tasks.length === 0) return 'FAILURE';
  if (tasks.some((task) => task.state === 'FAILURE')) return 'FAILURE';
  if (tasks.some((task) => task.state !== 'SUCCESS')) return 'PENDING';
  return 'SUCCESS';
}

/** A group with its state recomputed from `tasks`. */
export function withTasks(group: GroupResult, tasks: TaskState[], now = new Date()): GroupResult {
  return { ...group, job_states: tasks, state: groupStateOf(tasks), updated_at: now.toISOString() };
}

/** Caps the host lists of a result so that stored rows stay bounded. */
export function capResult(result: JobTaskResult): JobTaskResult {
  const cap = <T>(list: T[] | undefined) => (list && list.length > MAX_HOST_ENTRIES ? list.slice(0, MAX_HOST_ENTRIES) : list);
  return {
    scheduler_cluster_id: result.scheduler_cluster_id,
    ...(result.success_tasks ? { success_tasks: cap(result.success_tasks) } : {}),
    ...(result.failure_tasks ? { failure_tasks: cap(result.failure_tasks) } : {}),
    ...(result.peers ? { peers: cap(result.peers) } : {}),
    ...(typeof result.synced_peers === 'number' ? { synced_peers: result.synced_peers } : {}),
  };
}
