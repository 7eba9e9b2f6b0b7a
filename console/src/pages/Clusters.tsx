/** Cluster list: name, scopes, defaults, scheduler and seed peer counts; create, edit and delete for admins. */
import { useState } from 'react';

import { api, list } from '../api/client';
import type { Cluster } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { DataState, ErrorBox } from '../components/DataState';
import { type Column, DataTable } from '../components/DataTable';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { formatDate } from '../lib/format';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useResource } from '../lib/useResource';

const PER_PAGE = 20;

/** A short text for a cluster's scopes. */
export function scopesSummary(scopes: Cluster['scopes'] | undefined): string {
  const parts: string[] = [];
  if (scopes?.idc) parts.push(`IDC ${scopes.idc}`);
  if (scopes?.location) parts.push(`location ${scopes.location}`);
  if (scopes?.cidrs?.length) parts.push(`${scopes.cidrs.length} CIDR${scopes.cidrs.length > 1 ? 's' : ''}`);
  if (scopes?.hostnames?.length) parts.push(`${scopes.hostnames.length} hostname rule${scopes.hostnames.length > 1 ? 's' : ''}`);
  return parts.length ? parts.join(', ') : 'any client';
}

/** The cluster list page. */
export function Clusters() {
  const session = useSession();
  const admin = session.can('clusters', '*');
  const [page, setPage] = useState(1);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const clusters = useResource(() => list<Cluster>('/api/v1/clusters', { page, per_page: PER_PAGE, name }), [page, name]);

  const remove = async (cluster: Cluster) => {
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/clusters/${cluster.id}`);
      await clusters.reload();
    } catch (e) {
      setError(`Could not delete ${cluster.name}: ${(e as Error).message}`);
    }
  };

  const columns: Array<Column<Cluster>> = [
    {
      header: 'Name',
      cell: (cluster) => (
        <>
          <Link to={`/clusters/${cluster.id}`}>{cluster.name}</Link> {cluster.is_default && <span className="tag">default</span>}
          {cluster.bio && <div className="muted small">{cluster.bio}</div>}
        </>
      ),
    },
    { header: 'Scopes', cell: (cluster) => scopesSummary(cluster.scopes) },
    {
      header: 'Limits',
      cell: (cluster) => (
        <>
          parents {cluster.scheduler_cluster_config?.candidate_parent_limit ?? '—'}/{cluster.scheduler_cluster_config?.filter_parent_limit ?? '—'}, load{' '}
          {cluster.peer_cluster_config?.load_limit ?? '—'}, jobs {cluster.scheduler_cluster_config?.job_rate_limit ?? '—'}/s
        </>
      ),
    },
    { header: 'Created', cell: (cluster) => formatDate(cluster.created_at) },
  ];
  if (admin) {
    columns.push({
      header: 'Actions',
      className: 'row-actions',
      cell: (cluster) => (
        <>
          <Link to={`/clusters/${cluster.id}/edit`} className="button">
            Edit
          </Link>
          <ConfirmButton label="Delete" onConfirm={() => remove(cluster)} />
        </>
      ),
    });
  }

  return (
    <>
      <PageHeader title="Clusters">
        {admin && (
          <Link to="/clusters/new" className="button primary" data-testid="create-cluster">
            Create cluster
          </Link>
        )}
      </PageHeader>
      <div className="filters">
        <input aria-label="Filter by exact name" placeholder="Exact name" value={name} onChange={(e) => { setPage(1); setName(e.target.value); }} />
      </div>
      {error && <ErrorBox message={error} />}
      <DataState resource={clusters} isEmpty={(p) => p.items.length === 0} empty={name ? `No cluster is named "${name}".` : 'No clusters yet.'}>
        {(p) => (
          <>
            <DataTable rows={p.items} columns={columns} testId="clusters-table" />
            <Pager page={page} perPage={PER_PAGE} total={p.total} onPage={setPage} />
          </>
        )}
      </DataState>
    </>
  );
}
