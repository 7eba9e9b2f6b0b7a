/** Scheduler, seed peer and peer lists (filters: host name, IP, IDC, state, cluster) and their detail pages. */
import { api } from '../api/client';
import type { Peer, Scheduler, SeedPeer } from '../api/types';
import { DataState } from '../components/DataState';
import { DetailList } from '../components/DetailList';
import { PageHeader } from '../components/PageHeader';
import { type Filter, ResourceTable } from '../components/ResourceTable';
import { StateBadge } from '../components/StateBadge';
import { formatDate, timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { useResource } from '../lib/useResource';

const STATE_FILTER: Filter = { param: 'state', label: 'State', options: [['active', 'active'], ['inactive', 'inactive']] };

/** `/schedulers`. */
export function Schedulers() {
  return (
    <>
      <PageHeader title="Schedulers" />
      <ResourceTable<Scheduler>
        path="/api/v1/schedulers"
        testId="schedulers-table"
        empty="No scheduler has registered with this manager yet."
        filters={[{ param: 'host_name', label: 'Host name' }, { param: 'ip', label: 'IP' }, { param: 'idc', label: 'IDC' }, STATE_FILTER, { param: 'scheduler_cluster_id', label: 'Cluster ID' }]}
        columns={[
          { header: 'Host', cell: (s) => <Link to={`/schedulers/${s.id}`}>{s.host_name}</Link> },
          { header: 'Address', cell: (s) => `${s.ip}:${s.port}` },
          { header: 'State', cell: (s) => <StateBadge state={s.state} /> },
          { header: 'Cluster', cell: (s) => <Link to={`/clusters/${s.scheduler_cluster_id}`}>#{s.scheduler_cluster_id}</Link> },
          { header: 'Features', cell: (s) => (s.features ?? []).join(', ') },
          { header: 'Last keepalive', cell: (s) => timeAgo(s.last_keep_alive_at) },
        ]}
      />
    </>
  );
}

/** `/schedulers/:id`. */
export function SchedulerDetail({ id }: { id: number }) {
  const row = useResource(() => api<Scheduler>('GET', `/api/v1/schedulers/${id}`), [id], { pollMs: 5000 });
  return (
    <DataState resource={row}>
      {(s) => (
        <>
          <PageHeader title={`Scheduler ${s.host_name}`} />
          <section className="card">
            <DetailList
              rows={[
                ['State', <StateBadge state={s.state} />],
                ['Host name', s.host_name],
                ['Address', `${s.ip}:${s.port}`],
                ['IDC', s.idc],
                ['Location', s.location],
                ['Features', (s.features ?? []).join(', ')],
                ['Cluster', <Link to={`/clusters/${s.scheduler_cluster_id}`}>#{s.scheduler_cluster_id}</Link>],
                ['Last keepalive', `${formatDate(s.last_keep_alive_at)} (${timeAgo(s.last_keep_alive_at)})`],
                ['Registered', formatDate(s.created_at)],
              ]}
            />
          </section>
        </>
      )}
    </DataState>
  );
}

/** `/seed-peers`. */
export function SeedPeers() {
  return (
    <>
      <PageHeader title="Seed peers" />
      <ResourceTable<SeedPeer>
        path="/api/v1/seed-peers"
        testId="seed-peers-table"
        empty="No seed peer has registered with this manager yet."
        filters={[{ param: 'host_name', label: 'Host name' }, { param: 'ip', label: 'IP' }, { param: 'idc', label: 'IDC' }, STATE_FILTER, { param: 'seed_peer_cluster_id', label: 'Seed peer cluster ID' }]}
        columns={[
          { header: 'Host', cell: (s) => <Link to={`/seed-peers/${s.id}`}>{s.host_name}</Link> },
          { header: 'Address', cell: (s) => `${s.ip}:${s.port}` },
          { header: 'State', cell: (s) => <StateBadge state={s.state} /> },
          { header: 'Type', cell: (s) => s.type },
          { header: 'Seed peer cluster', cell: (s) => `#${s.seed_peer_cluster_id}` },
          { header: 'Last keepalive', cell: (s) => timeAgo(s.last_keep_alive_at) },
        ]}
      />
    </>
  );
}

/** `/seed-peers/:id`. */
export function SeedPeerDetail({ id }: { id: number }) {
  const row = useResource(() => api<SeedPeer>('GET', `/api/v1/seed-peers/${id}`), [id], { pollMs: 5000 });
  return (
    <DataState resource={row}>
      {(s) => (
        <>
          <PageHeader title={`Seed peer ${s.host_name}`} />
          <section className="card">
            <DetailList
              rows={[
                ['State', <StateBadge state={s.state} />],
                ['Host name', s.host_name],
                ['Type', s.type],
                ['Address', `${s.ip}:${s.port}`],
                ['Download port', s.download_port],
                ['Object storage port', s.object_storage_port],
                ['IDC', s.idc],
                ['Location', s.location],
                ['Seed peer cluster', `#${s.seed_peer_cluster_id}`],
                ['Last keepalive', `${formatDate(s.last_keep_alive_at)} (${timeAgo(s.last_keep_alive_at)})`],
                ['Registered', formatDate(s.created_at)],
              ]}
            />
          </section>
        </>
      )}
    </DataState>
  );
}

/** `/peers`. */
export function Peers() {
  return (
    <>
      <PageHeader title="Peers" />
      <ResourceTable<Peer>
        path="/api/v1/peers"
        testId="peers-table"
        empty="No peer has reported to this manager yet."
        filters={[{ param: 'host_name', label: 'Host name' }, { param: 'ip', label: 'IP' }, STATE_FILTER, { param: 'type', label: 'Type', options: [['normal', 'normal'], ['super', 'super'], ['strong', 'strong'], ['weak', 'weak']] }, { param: 'scheduler_cluster_id', label: 'Cluster ID' }]}
        columns={[
          { header: 'Host', cell: (p) => <Link to={`/peers/${p.id}`}>{p.host_name}</Link> },
          { header: 'Address', cell: (p) => `${p.ip}:${p.port}` },
          { header: 'State', cell: (p) => <StateBadge state={p.state} /> },
          { header: 'Type', cell: (p) => p.type },
          { header: 'Version', cell: (p) => p.git_version },
          { header: 'Cluster', cell: (p) => (p.scheduler_cluster_id ? `#${p.scheduler_cluster_id}` : '—') },
          { header: 'Updated', cell: (p) => timeAgo(p.updated_at) },
        ]}
      />
    </>
  );
}

/** `/peers/:id`. */
export function PeerDetail({ id }: { id: number }) {
  const row = useResource(() => api<Peer>('GET', `/api/v1/peers/${id}`), [id]);
  return (
    <DataState resource={row}>
      {(p) => (
        <>
          <PageHeader title={`Peer ${p.host_name}`} />
          <section className="card">
            <DetailList
              rows={[
                ['State', <StateBadge state={p.state} />],
                ['Host name', p.host_name],
                ['Type', p.type],
                ['Address', `${p.ip}:${p.port}`],
                ['Download / proxy / object storage ports', `${p.download_port} / ${p.proxy_port} / ${p.object_storage_port}`],
                ['IDC', p.idc],
                ['Location', p.location],
                ['OS / platform', `${p.os} ${p.platform} ${p.platform_version}`.trim()],
                ['Kernel', p.kernel_version],
                ['Version', `${p.git_version} ${p.git_commit}`.trim()],
                ['Build platform', p.build_platform],
                ['Cluster', p.scheduler_cluster_id ? <Link to={`/clusters/${p.scheduler_cluster_id}`}>#{p.scheduler_cluster_id}</Link> : '—'],
                ['Last update', `${formatDate(p.updated_at)} (${timeAgo(p.updated_at)})`],
              ]}
            />
          </section>
        </>
      )}
    </DataState>
  );
}
