/**
 * `seed_peer_cluster_scheduler_cluster`: which seed peer clusters serve which scheduler clusters (Dragonfly's
 * many-to-many association; `PUT /api/v1/seed-peer-clusters/:id/scheduler-clusters/:scheduler_cluster_id`).
 */
import { invalid } from './fieldSpec.js';
import type { SqlSession } from '../../plugin-api/database/DatabaseDriver.js';

function checkId(id: number, name: string): void {
  if (!Number.isSafeInteger(id) || id < 1) invalid(name, 'expected a positive integer id');
}

/** Links between seed peer clusters and scheduler clusters. */
export class SeedPeerClusterSchedulerClusterRepository {
  constructor(private readonly session: SqlSession) {}

  /** Links the two clusters; linking twice is a no-op. The caller checks that both clusters exist. */
  async link(seedPeerClusterId: number, schedulerClusterId: number): Promise<void> {
    checkId(seedPeerClusterId, 'seed_peer_cluster_id');
    checkId(schedulerClusterId, 'scheduler_cluster_id');
    const existing = await this.session.query(
      'SELECT seed_peer_cluster_id FROM seed_peer_cluster_scheduler_cluster WHERE seed_peer_cluster_id = ? AND scheduler_cluster_id = ?',
      [seedPeerClusterId, schedulerClusterId],
    );
    if (existing.length > 0) return;
    try {
      await this.session.execute('INSERT INTO seed_peer_cluster_scheduler_cluster (seed_peer_cluster_id, scheduler_cluster_id) VALUES (?, ?)', [
        seedPeerClusterId,
        schedulerClusterId,
      ]);
    } catch (error) {
      // A concurrent link of the same pair won the race: the link exists, which is what was asked.
      if ((error as { code?: string }).code !== 'D7Y_ERR_ALREADY_EXISTS') throw error;
    }
  }

  /** Removes the link; removing a missing link is a no-op. */
  async unlink(seedPeerClusterId: number, schedulerClusterId: number): Promise<void> {
    await this.session.execute('DELETE FROM seed_peer_cluster_scheduler_cluster WHERE seed_peer_cluster_id = ? AND scheduler_cluster_id = ?', [
      seedPeerClusterId,
      schedulerClusterId,
    ]);
  }

  /** Ids of the scheduler clusters a seed peer cluster serves, ascending. */
  async schedulerClusterIdsOf(seedPeerClusterId: number): Promise<number[]> {
    const rows = await this.session.query<{ scheduler_cluster_id: number }>(
      'SELECT scheduler_cluster_id FROM seed_peer_cluster_scheduler_cluster WHERE seed_peer_cluster_id = ? ORDER BY scheduler_cluster_id',
      [seedPeerClusterId],
    );
    return rows.map((row) => Number(row.scheduler_cluster_id));
  }

  /** Ids of the seed peer clusters serving a scheduler cluster, ascending. */
  async seedPeerClusterIdsOf(schedulerClusterId: number): Promise<number[]> {
    const rows = await this.session.query<{ seed_peer_cluster_id: number }>(
      'SELECT seed_peer_cluster_id FROM seed_peer_cluster_scheduler_cluster WHERE scheduler_cluster_id = ? ORDER BY seed_peer_cluster_id',
      [schedulerClusterId],
    );
    return rows.map((row) => Number(row.seed_peer_cluster_id));
  }
}
