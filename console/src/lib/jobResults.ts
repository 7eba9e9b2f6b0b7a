/**
 * Per-host rows of a job's result. Dragonfly nests them: `result.job_states[].results[]` holds, per scheduler
 * cluster, `success_tasks` and `failure_tasks` (preheat, delete_task) or `peers` (get_task). The console
 * flattens them into one table, and lists the error of any task state that failed without host results.
 */
import type { Job } from '../api/types';

/** One host's line on the job page. */
export interface HostResultRow {
  outcome: 'success' | 'failure' | 'cached';
  hostname: string;
  ip: string;
  url: string;
  taskId: string;
  hostType: string;
  description: string;
  schedulerClusterId: number | undefined;
}

/** Flattens `job.result` into host rows (successes first, then failures, then get_task peers). */
export function hostResults(job: Pick<Job, 'result'>): HostResultRow[] {
  const rows: HostResultRow[] = [];
  for (const state of job.result?.job_states ?? []) {
    for (const cluster of state.results ?? []) {
      const base = { schedulerClusterId: cluster.scheduler_cluster_id };
      for (const t of cluster.success_tasks ?? []) {
        rows.push({ ...base, outcome: 'success', hostname: t.hostname ?? '', ip: t.ip ?? '', url: t.url ?? '', taskId: t.task_id ?? '', hostType: t.host_type ?? '', description: '' });
      }
      for (const t of cluster.failure_tasks ?? []) {
        rows.push({ ...base, outcome: 'failure', hostname: t.hostname ?? '', ip: t.ip ?? '', url: t.url ?? '', taskId: t.task_id ?? '', hostType: t.host_type ?? '', description: t.description ?? '' });
      }
      for (const p of cluster.peers ?? []) {
        rows.push({ ...base, outcome: 'cached', hostname: p.hostname ?? '', ip: p.ip ?? '', url: '', taskId: p.id ?? '', hostType: p.host_type ?? '', description: '' });
      }
    }
  }
  const order = { success: 0, failure: 1, cached: 2 } as const;
  return rows.sort((a, b) => order[a.outcome] - order[b.outcome]);
}

/** Errors of task states that failed (shown above the host table). */
export function jobErrors(job: Pick<Job, 'result'>): string[] {
  return (job.result?.job_states ?? []).map((s) => s.error ?? '').filter((e) => e.trim() !== '');
}

/** True while a job may still change state (the page keeps polling). */
export function isJobRunning(state: string): boolean {
  return state !== 'SUCCESS' && state !== 'FAILURE';
}
