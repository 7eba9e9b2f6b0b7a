/** The per-host results of a job: success and failure rows (preheat, delete_task) or caching peers (get_task). */
import type { Job } from '../api/types';
import { hostResults, jobErrors } from '../lib/jobResults';
import { ErrorBox } from './DataState';
import { StateBadge } from './StateBadge';

/** The results table, or an empty state while there are none. */
export function HostResults({ job }: { job: Job }) {
  const rows = hostResults(job);
  const errors = jobErrors(job);
  const showUrl = rows.some((r) => r.url !== '');
  const showTask = rows.some((r) => r.taskId !== '');
  return (
    <>
      {errors.map((e, i) => (
        <ErrorBox key={i} message={e} />
      ))}
      {rows.length === 0 ? (
        <div className="empty">{job.state === 'SUCCESS' || job.state === 'FAILURE' ? 'The job reported no hosts.' : 'No host has reported yet.'}</div>
      ) : (
        <div className="table-wrap">
          <table data-testid="host-results">
            <thead>
              <tr>
                <th>Result</th>
                <th>Host</th>
                <th>IP</th>
                {showUrl && <th>URL</th>}
                {showTask && <th>Task</th>}
                <th>Cluster</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i} className={`result-${r.outcome}`}>
                  <td data-label="Result">
                    <StateBadge state={r.outcome} />
                  </td>
                  <td data-label="Host">{r.hostname || '—'}</td>
                  <td data-label="IP">{r.ip || '—'}</td>
                  {showUrl && (
                    <td data-label="URL" className="break">
                      {r.url}
                    </td>
                  )}
                  {showTask && (
                    <td data-label="Task" className="break mono">
                      {r.taskId}
                    </td>
                  )}
                  <td data-label="Cluster">{r.schedulerClusterId ?? '—'}</td>
                  <td data-label="Details">{r.description || r.hostType || ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
