/** One cluster: its configuration and scopes, and the schedulers, seed peers and peers in it. */
import { api, listAll } from '../api/client';
import type { Cluster, Peer, Scheduler, SeedPeer } from '../api/types';
import { DataState } from '../components/DataState';
import { DetailList } from '../components/DetailList';
import { PageHeader } from '../components/PageHeader';
import { StateBadge } from '../components/StateBadge';
import { formatDate, timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useResource } from '../lib/useResource';

/** `/clusters/:id`. */
export function ClusterDetail({ id }: { id: number }) {
  const session = useSession();
  const data = useResource(
    async () => {
      const cluster = await api<Cluster>('GET', `/api/v1/clusters/${id}`);
      const [schedulers, seedPeers, peers] = await Promise.all([
        listAll<Scheduler>('/api/v1/schedulers', { scheduler_cluster_id: cluster.scheduler_cluster_id }),
        cluster.seed_peer_cluster_id ? listAll<SeedPeer>('/api/v1/seed-peers', { seed_peer_cluster_id: cluster.seed_peer_cluster_id }) : Promise.resolve([]),
        listAll<Peer>('/api/v1/peers', { scheduler_cluster_id: cluster.scheduler_cluster_id }),
      ]);
      return { cluster, schedulers, seedPeers, peers };
    },
    [id],
    { pollMs: 5000 },
  );
  return (
    <DataState resource={data}>
      {({ cluster, schedulers, seedPeers, peers }) => (
        <>
          <PageHeader title={cluster.name}>
            {session.can('clusters', '*') && (
              <Link to={`/clusters/${cluster.id}/edit`} className="button">
                Edit
              </Link>
            )}
          </PageHeader>
          <section className="card">
            <DetailList
              rows={[
                ['ID', cluster.id],
                ['Description', cluster.bio],
                ['Default', cluster.is_default ? 'yes' : 'no'],
                ['IDC', cluster.scopes?.idc],
                ['Location', cluster.scopes?.location],
                ['CIDRs', (cluster.scopes?.cidrs ?? []).join(', ')],
                ['Hostnames', (cluster.scopes?.hostnames ?? []).join(', ')],
                ['Candidate parent limit', cluster.scheduler_cluster_config?.candidate_parent_limit],
                ['Filter parent limit', cluster.scheduler_cluster_config?.filter_parent_limit],
                ['Job rate limit', cluster.scheduler_cluster_config?.job_rate_limit],
                ['Peer load limit', cluster.peer_cluster_config?.load_limit],
                ['Seed peer load limit', cluster.seed_peer_cluster_config?.load_limit],
                ['Created', formatDate(cluster.created_at)],
              ]}
            />
          </section>
          <section className="card">
            <h2>Schedulers</h2>
            {schedulers.length === 0 ? (
              <div className="empty">No scheduler has registered in this cluster. Start one with manager.schedulerClusterID: {cluster.scheduler_cluster_id}.</div>
            ) : (
              <ul className="plain-list" data-testid="cluster-schedulers">
                {schedulers.map((s) => (
                  <li key={s.id}>
                    <Link to={`/schedulers/${s.id}`}>{s.host_name}</Link> {s.ip}:{s.port} <StateBadge state={s.state} /> <span className="muted">keepalive {timeAgo(s.last_keep_alive_at)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="card">
            <h2>Seed peers</h2>
            {seedPeers.length === 0 ? (
              <div className="empty">No seed peer in this cluster.</div>
            ) : (
              <ul className="plain-list" data-testid="cluster-seed-peers">
                {seedPeers.map((s) => (
                  <li key={s.id}>
                    <Link to={`/seed-peers/${s.id}`}>{s.host_name}</Link> {s.ip}:{s.port} <StateBadge state={s.state} />
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="card">
            <h2>Peers</h2>
            <p>
              {peers.filter((p) => p.state === 'active').length} active of {peers.length}. <Link to={`/peers?scheduler_cluster_id=${cluster.scheduler_cluster_id}`}>List them →</Link>
            </p>
          </section>
        </>
      )}
    </DataState>
  );
}
