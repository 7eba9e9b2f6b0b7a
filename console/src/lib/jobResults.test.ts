import { describe, expect, it } from 'vitest';

import { hostResults, isJobRunning, jobErrors } from './jobResults';

describe('job results', () => {
  it('flattens per-cluster success and failure tasks into host rows, successes first', () => {
    const rows = hostResults({
      result: {
        state: 'FAILURE',
        job_states: [
          {
            state: 'FAILURE',
            results: [
              { scheduler_cluster_id: 1, success_tasks: null, failure_tasks: [{ url: 'u1', hostname: 'b', ip: '10.0.0.2', description: 'timeout' }] },
              { scheduler_cluster_id: 2, success_tasks: [{ url: 'u1', hostname: 'a', ip: '10.0.0.1' }], failure_tasks: [] },
            ],
          },
        ],
      },
    });
    expect(rows.map((r) => [r.outcome, r.hostname, r.schedulerClusterId, r.description])).toEqual([
      ['success', 'a', 2, ''],
      ['failure', 'b', 1, 'timeout'],
    ]);
  });

  it('shows get_task peers as cached copies and delete_task task ids', () => {
    const rows = hostResults({
      result: { job_states: [{ results: [{ peers: [{ id: 'peer-1', hostname: 'h', ip: '1.1.1.1', host_type: 'super' }], success_tasks: [{ task_id: 't1', hostname: 'h2', ip: '2.2.2.2' }] }] }] },
    });
    expect(rows).toEqual([
      expect.objectContaining({ outcome: 'success', taskId: 't1', hostname: 'h2' }),
      expect.objectContaining({ outcome: 'cached', taskId: 'peer-1', hostType: 'super' }),
    ]);
  });

  it('copes with a pending job that has no result yet, and lists task-state errors', () => {
    expect(hostResults({ result: null })).toEqual([]);
    expect(jobErrors({ result: { job_states: [{ error: '' }, { error: 'manifest unknown' }] } })).toEqual(['manifest unknown']);
    expect(isJobRunning('PENDING')).toBe(true);
    expect(isJobRunning('SUCCESS')).toBe(false);
    expect(isJobRunning('FAILURE')).toBe(false);
  });
});
