/** One job: state (polled every 2 s until SUCCESS or FAILURE), arguments, target clusters and per-host results. */
import { api } from '../api/client';
import type { Job } from '../api/types';
import { DataState } from '../components/DataState';
import { DetailList } from '../components/DetailList';
import { HostResults } from '../components/HostResults';
import { PageHeader } from '../components/PageHeader';
import { StateBadge } from '../components/StateBadge';
import { formatDate } from '../lib/format';
import { isJobRunning } from '../lib/jobResults';
import { useResource } from '../lib/useResource';

/** Arguments shown on the job page; credentials are masked. */
export function visibleArgs(args: Record<string, unknown> | undefined): Array<[string, string]> {
  return Object.entries(args ?? {}).map(([key, value]) => {
    if (key === 'password') return [key, '••••••'];
    if (key === 'headers' && value && typeof value === 'object') {
      return [key, Object.entries(value as Record<string, unknown>).map(([name, v]) => `${name}: ${/^(authorization|cookie|proxy-authorization)$/i.test(name) ? '••••••' : String(v)}`).join('\n')];
    }
    return [key, typeof value === 'string' ? value : JSON.stringify(value)];
  });
}

/** `/jobs/:id`. */
export function JobDetail({ id }: { id: number }) {
  const job = useResource(() => api<Job>('GET', `/api/v1/jobs/${id}`), [id], { pollMs: 2000, poll: (j) => j === undefined || isJobRunning(j.state) });
  return (
    <DataState resource={job}>
      {(j) => (
        <>
          <PageHeader title={`Job #${j.id}`}>
            <span data-testid="job-state">
              <StateBadge state={j.state} />
            </span>
          </PageHeader>
          <section className="card">
            <DetailList
              rows={[
                ['Type', j.type],
                ['State', j.state],
                ['Description', j.bio],
                ['Group', j.task_id],
                ['Scheduler clusters', (j.scheduler_clusters ?? []).map((c) => c.name ?? `#${c.id}`).join(', ') || 'all'],
                ['Created', formatDate(j.created_at)],
                ['Updated', formatDate(j.updated_at)],
              ]}
            />
          </section>
          <section className="card">
            <h2>Arguments</h2>
            <DetailList rows={visibleArgs(j.args).map(([k, v]) => [k, <span className="break pre">{v}</span>])} />
          </section>
          <section className="card">
            <h2>Hosts</h2>
            {isJobRunning(j.state) && <p className="loading" role="status">Running; this page refreshes every 2 seconds.</p>}
            <HostResults job={j} />
          </section>
        </>
      )}
    </DataState>
  );
}
