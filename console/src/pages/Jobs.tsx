/** Job list with live state (polls every 3 s while any job on the page is running), filters by type and state. */
import { useState } from 'react';

import { list } from '../api/client';
import type { Job } from '../api/types';
import { DataState } from '../components/DataState';
import { type Column, DataTable } from '../components/DataTable';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { StateBadge } from '../components/StateBadge';
import { formatDate } from '../lib/format';
import { isJobRunning } from '../lib/jobResults';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useResource } from '../lib/useResource';

const PER_PAGE = 20;

/** What a job is about, in a few words: the preheated URL, the looked-up task. */
export function jobSubject(job: Pick<Job, 'args'>): string {
  const args = job.args ?? {};
  const url = typeof args.url === 'string' ? args.url : Array.isArray(args.urls) ? String(args.urls[0] ?? '') : '';
  const kind = typeof args.type === 'string' ? `${args.type} ` : '';
  return `${kind}${url || (typeof args.task_id === 'string' ? args.task_id : '')}`.trim();
}

const JOB_COLUMNS: Array<Column<Job>> = [
  { header: 'ID', cell: (job) => <Link to={`/jobs/${job.id}`}>#{job.id}</Link> },
  { header: 'Type', cell: (job) => job.type },
  { header: 'Subject', cell: (job) => jobSubject(job), className: 'break' },
  { header: 'State', cell: (job) => <StateBadge state={job.state} /> },
  { header: 'Created', cell: (job) => formatDate(job.created_at) },
];

/** `/jobs`. */
export function Jobs() {
  const session = useSession();
  const [type, setType] = useState('');
  const [state, setState] = useState('');
  const [page, setPage] = useState(1);
  const jobs = useResource(() => list<Job>('/api/v1/jobs', { type, state, page, per_page: PER_PAGE }), [type, state, page], {
    pollMs: 3000,
    poll: (data) => data === undefined || data.items.some((j) => isJobRunning(j.state)),
  });
  return (
    <>
      <PageHeader title="Preheat & jobs">
        {session.can('jobs', '*') && (
          <Link to="/jobs/new" className="button primary" data-testid="create-preheat">
            Create preheat
          </Link>
        )}
      </PageHeader>
      <div className="filters">
        <select aria-label="Type" value={type} onChange={(e) => { setPage(1); setType(e.target.value); }}>
          <option value="">Type: any</option>
          {['preheat', 'get_task', 'delete_task'].map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <select aria-label="State" value={state} onChange={(e) => { setPage(1); setState(e.target.value); }}>
          <option value="">State: any</option>
          {['PENDING', 'SUCCESS', 'FAILURE'].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <DataState resource={jobs} isEmpty={(p) => p.items.length === 0} empty={type || state ? 'No job matches these filters.' : 'No jobs yet. Create a preheat to warm the P2P network before a rollout.'}>
        {(p) => (
          <>
            <DataTable rows={p.items} columns={JOB_COLUMNS} testId="jobs-table" />
            <Pager page={page} perPage={PER_PAGE} total={p.total} onPage={setPage} />
          </>
        )}
      </DataState>
    </>
  );
}
