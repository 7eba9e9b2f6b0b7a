/**
 * Overview: clusters with their schedulers and seed peers (active / total), peers per cluster, and the most
 * recent jobs. Refreshes every 5 s so liveness changes show up without reloading.
 */
import { list, listAll } from '../api/client';
import type { Cluster, Job, Peer, Scheduler, SeedPeer } from '../api/types';
import { DataState, ErrorBox } from '../components/DataState';
import { PageHeader } from '../components/PageHeader';
import { StateBadge } from '../components/StateBadge';
import { formatDate } from '../lib/format';
import { Link } from '../lib/router';
import { useResource } from '../lib/useResource';

interface OverviewData {
  clusters: Cluster[];
  schedulers: Scheduler[];
  seedPeers: SeedPeer[];
  peers: Peer[];
}

/** Counts `active` and total rows matching `belongs`. */
export function liveness<T extends { state: string }>(rows: T[], belongs: (row: T) => boolean): { active: number; total: number } {
  const mine = rows.filter(belongs);
  return { active: mine.filter((r) => r.state === 'active').length, total: mine.length };
}

function RecentJobs() {
  const jobs = useResource(() => list<Job>('/api/v1/jobs', { page: 1, per_page: 5 }), [], { pollMs: 5000 });
  return (
    <section className="card">
      <div className="section-head">
        <h2>Recent jobs</h2>
        <Link to="/jobs">All jobs →</Link>
      </div>
      {jobs.error !== undefined && jobs.data === undefined ? (
        <ErrorBox message={`Jobs: ${jobs.error}`} onRetry={() => void jobs.reload()} />
      ) : (
        <DataState resource={jobs} isEmpty={(p) => p.items.length === 0} empty={<>No jobs yet. <Link to="/jobs/new">Create a preheat</Link>.</>}>
          {(page) => (
            <ul className="plain-list">
              {page.items.map((job) => (
                <li key={job.id}>
                  <Link to={`/jobs/${job.id}`}>
                    #{job.id} {job.type}
                  </Link>{' '}
                  <StateBadge state={job.state} /> <span className="muted">{formatDate(job.created_at)}</span>
                </li>
              ))}
            </ul>
          )}
        </DataState>
      )}
    </section>
  );
}

/** The overview page. */
export function Overview() {
  const data = useResource<OverviewData>(
    async () => {
      const [clusters, schedulers, seedPeers, peers] = await Promise.all([
        listAll<Cluster>('/api/v1/clusters'),
        listAll<Scheduler>('/api/v1/schedulers'),
        listAll<SeedPeer>('/api/v1/seed-peers'),
        listAll<Peer>('/api/v1/peers'),
      ]);
      return { clusters, schedulers, seedPeers, peers };
    },
    [],
    { pollMs: 5000 },
  );
  return (
    <>
      <PageHeader title="Overview" />
      <DataState resource={data}>
        {({ clusters, schedulers, seedPeers, peers }) => (
          <>
            <div className="stats">
              <Stat label="Clusters" value={String(clusters.length)} to="/clusters" />
              <Stat label="Schedulers active" value={`${liveness(schedulers, () => true).active} / ${schedulers.length}`} to="/schedulers" />
              <Stat label="Seed peers active" value={`${liveness(seedPeers, () => true).active} / ${seedPeers.length}`} to="/seed-peers" />
              <Stat label="Peers active" value={`${liveness(peers, () => true).active} / ${peers.length}`} to="/peers" />
            </div>
            <section className="card">
              <h2>Clusters</h2>
              {clusters.length === 0 ? (
                <div className="empty">
                  No clusters. <Link to="/clusters/new">Create one</Link>.
                </div>
              ) : (
                <div className="table-wrap">
                  <table data-testid="overview-clusters">
                    <thead>
                      <tr>
                        <th>Cluster</th>
                        <th>Schedulers</th>
                        <th>Seed peers</th>
                        <th>Peers</th>
                      </tr>
                    </thead>
                    <tbody>
                      {clusters.map((cluster) => {
                        const s = liveness(schedulers, (r) => r.scheduler_cluster_id === cluster.scheduler_cluster_id);
                        const sp = liveness(seedPeers, (r) => r.seed_peer_cluster_id === cluster.seed_peer_cluster_id);
                        const p = liveness(peers, (r) => r.scheduler_cluster_id === cluster.scheduler_cluster_id);
                        return (
                          <tr key={cluster.id}>
                            <td data-label="Cluster">
                              <Link to={`/clusters/${cluster.id}`}>{cluster.name}</Link> {cluster.is_default && <span className="tag">default</span>}
                            </td>
                            <td data-label="Schedulers">
                              {s.active} active / {s.total}
                            </td>
                            <td data-label="Seed peers">
                              {sp.active} active / {sp.total}
                            </td>
                            <td data-label="Peers">
                              {p.active} active / {p.total}
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          </>
        )}
      </DataState>
      <RecentJobs />
    </>
  );
}

function Stat({ label, value, to }: { label: string; value: string; to: string }) {
  return (
    <Link to={to} className="stat card">
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
    </Link>
  );
}
