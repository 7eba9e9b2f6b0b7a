/**
 * Task lookup (`get_task`: which hosts cache a URL) and eviction (`delete_task`) job requests, in Dragonfly's
 * `GetTaskArgs` / `DeleteTaskArgs` shapes: the task is named by `task_id`, or by `url` plus the fields that
 * enter the task id (`tag`, `application`, `filtered_query_params`).
 */

/** The task form, as typed. */
export interface TaskForm {
  url: string;
  taskId: string;
  tag: string;
  application: string;
  filteredQueryParams: string;
  clusterIds: number[];
}

/** An empty task form. */
export function emptyTaskForm(): TaskForm {
  return { url: '', taskId: '', tag: '', application: '', filteredQueryParams: '', clusterIds: [] };
}

export type TaskJobRequest = { ok: true; body: { type: 'get_task' | 'delete_task'; args: Record<string, string>; scheduler_cluster_ids?: number[] } } | { ok: false; error: string };

/** The `get_task` or `delete_task` job body for a form. */
export function buildTaskJobRequest(type: 'get_task' | 'delete_task', form: TaskForm): TaskJobRequest {
  const url = form.url.trim();
  const taskId = form.taskId.trim();
  if (url === '' && taskId === '') return { ok: false, error: 'Give a URL or a task id.' };
  if (url !== '' && !/^https?:\/\/\S+$/.test(url)) return { ok: false, error: 'The URL must start with http:// or https://.' };
  const args: Record<string, string> = {};
  if (url) args.url = url;
  if (taskId) args.task_id = taskId;
  if (form.tag.trim()) args.tag = form.tag.trim();
  if (form.application.trim()) args.application = form.application.trim();
  if (form.filteredQueryParams.trim()) args.filtered_query_params = form.filteredQueryParams.trim();
  const body: { type: 'get_task' | 'delete_task'; args: Record<string, string>; scheduler_cluster_ids?: number[] } = { type, args };
  if (form.clusterIds.length > 0) body.scheduler_cluster_ids = [...form.clusterIds];
  return { ok: true, body };
}
