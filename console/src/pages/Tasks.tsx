/**
 * Task lookup and eviction: find which hosts cache a URL (a `get_task` job) and evict it from them (a
 * `delete_task` job). The job runs on the schedulers; this page follows it live and shows its hosts.
 */
import { type FormEvent, useState } from 'react';

import { api } from '../api/client';
import type { Job } from '../api/types';
import { ClusterPicker } from '../components/ClusterPicker';
import { ConfirmButton } from '../components/ConfirmButton';
import { DataState, ErrorBox } from '../components/DataState';
import { TextField } from '../components/Field';
import { HostResults } from '../components/HostResults';
import { PageHeader } from '../components/PageHeader';
import { StateBadge } from '../components/StateBadge';
import { isJobRunning } from '../lib/jobResults';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { buildTaskJobRequest, emptyTaskForm, type TaskForm } from '../lib/taskJob';
import { useResource } from '../lib/useResource';

function LiveJob({ id }: { id: number }) {
  const job = useResource(() => api<Job>('GET', `/api/v1/jobs/${id}`), [id], { pollMs: 2000, poll: (j) => j === undefined || isJobRunning(j.state) });
  return (
    <section className="card">
      <DataState resource={job}>
        {(j) => (
          <>
            <div className="section-head">
              <h2>
                {j.type === 'delete_task' ? 'Eviction' : 'Lookup'} <Link to={`/jobs/${j.id}`}>#{j.id}</Link>
              </h2>
              <StateBadge state={j.state} />
            </div>
            <HostResults job={j} />
          </>
        )}
      </DataState>
    </section>
  );
}

/** `/tasks`. */
export function Tasks() {
  const session = useSession();
  const [form, setForm] = useState<TaskForm>(emptyTaskForm);
  const [error, setError] = useState<string | undefined>(undefined);
  const [jobId, setJobId] = useState<number | undefined>(undefined);
  const set = (key: keyof TaskForm) => (value: string) => setForm({ ...form, [key]: value });

  const run = async (type: 'get_task' | 'delete_task') => {
    const request = buildTaskJobRequest(type, form);
    if (!request.ok) {
      setError(request.error);
      return;
    }
    setError(undefined);
    try {
      setJobId((await api<Job>('POST', '/api/v1/jobs', request.body)).id);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const lookup = (event: FormEvent) => {
    event.preventDefault();
    void run('get_task');
  };
  const admin = session.can('jobs', '*');

  return (
    <>
      <PageHeader title="Tasks" />
      <form className="card" onSubmit={lookup} noValidate>
        <p className="muted">Find the hosts that cache a download, and evict it from them. Name the task by its URL (plus tag, application and filtered query params, if it was downloaded with them) or by its task id.</p>
        {!admin && <p className="notice">Your role can read jobs but not create them, so lookups and evictions are not available to you.</p>}
        {error && <ErrorBox message={error} />}
        <div className="grid-2">
          <TextField label="URL" name="url" value={form.url} onChange={set('url')} placeholder="https://example.com/file.tar.gz" />
          <TextField label="Task id" name="task_id" value={form.taskId} onChange={set('taskId')} hint="Instead of the URL" />
          <TextField label="Tag" name="tag" value={form.tag} onChange={set('tag')} />
          <TextField label="Application" name="application" value={form.application} onChange={set('application')} />
          <TextField label="Filtered query params" name="filtered_query_params" value={form.filteredQueryParams} onChange={set('filteredQueryParams')} />
        </div>
        <ClusterPicker value={form.clusterIds} onChange={(clusterIds) => setForm({ ...form, clusterIds })} />
        {admin && (
          <div className="form-actions">
            <button type="submit" className="primary">
              Find cached copies
            </button>
            <ConfirmButton label="Evict from every host" confirmLabel="Yes, evict" onConfirm={() => run('delete_task')} />
          </div>
        )}
      </form>
      {jobId !== undefined && <LiveJob key={jobId} id={jobId} />}
    </>
  );
}
