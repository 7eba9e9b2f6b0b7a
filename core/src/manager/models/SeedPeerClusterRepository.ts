/** `seed_peer_clusters`: groups of seed peers with their config. */
import { createError, ErrorCodes } from '../../common/errors.js';
import type { SqlSession } from '../../plugin-api/database/DatabaseDriver.js';
import type { BaseRecord } from './BaseRecord.js';
import { field } from './fieldSpec.js';
import { type SeedPeerClusterConfig, validateSeedPeerClusterConfig } from './jsonShapes.js';
import { Table } from './Table.js';

/** A seed peer cluster, as Dragonfly's `SeedPeerCluster` model serialises it. */
export interface SeedPeerClusterRecord extends BaseRecord {
  readonly name: string;
  readonly bio: string;
  readonly config: SeedPeerClusterConfig;
}

/** Filters of `GET /api/v1/seed-peer-clusters`. */
export type SeedPeerClusterFilter = 'name';

/** CRUD for seed peer clusters. */
export class SeedPeerClusterRepository extends Table<SeedPeerClusterRecord, SeedPeerClusterFilter> {
  constructor(session: SqlSession) {
    super(session, {
      table: 'seed_peer_clusters',
      noun: 'seed peer cluster',
      fields: {
        name: field.string(256),
        bio: field.string(1024),
        config: field.json(() => ({}), validateSeedPeerClusterConfig),
      },
      filters: ['name'],
    });
  }

  /** Creates a cluster; `name` is required and unique among live clusters. */
  override async create(input: Partial<Omit<SeedPeerClusterRecord, keyof BaseRecord>>): Promise<SeedPeerClusterRecord> {
    if (!input.name) throw createError(ErrorCodes.INVALID_ARGUMENT, 'name: required', { details: { field: 'name' } });
    return super.create(input);
  }

  /** Soft-deletes a cluster; refused with `D7Y_ERR_FAILED_PRECONDITION` while seed peers still belong to it. */
  override async delete(id: number): Promise<void> {
    const [{ n }] = await this.session.query<{ n: number }>('SELECT COUNT(*) AS n FROM seed_peers WHERE seed_peer_cluster_id = ? AND is_del = 0', [id]);
    if (Number(n) > 0) throw createError(ErrorCodes.FAILED_PRECONDITION, `seed peer cluster ${id} still has ${Number(n)} seed peer(s)`, { details: { id } });
    await super.delete(id);
    await this.session.execute('DELETE FROM seed_peer_cluster_scheduler_cluster WHERE seed_peer_cluster_id = ?', [id]);
  }
}
