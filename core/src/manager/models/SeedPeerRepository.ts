/** `seed_peers`: seed peer hosts (console data, and liveness from UpdateSeedPeer / KeepAlive). */
import type { SqlSession } from '../../plugin-api/database/DatabaseDriver.js';
import type { BaseRecord, Fields } from './BaseRecord.js';
import { field } from './fieldSpec.js';
import { LIVENESS_STATES, type LivenessState } from './SchedulerRepository.js';
import { Table } from './Table.js';

/** Seed peer host types, as Dragonfly names them. */
export const SEED_PEER_TYPES: readonly string[] = Object.freeze(['super', 'strong', 'weak']);

/** A seed peer, as Dragonfly's `SeedPeer` model serialises it. */
export interface SeedPeerRecord extends BaseRecord {
  readonly host_name: string;
  readonly type: string;
  readonly idc: string;
  readonly location: string;
  readonly ip: string;
  readonly port: number;
  readonly download_port: number;
  readonly object_storage_port: number;
  readonly state: LivenessState;
  readonly last_keep_alive_at: Date | null;
  readonly seed_peer_cluster_id: number;
}

/** Filters of `GET /api/v1/seed-peers`. */
export type SeedPeerFilter = 'host_name' | 'type' | 'ip' | 'idc' | 'location' | 'state' | 'seed_peer_cluster_id';

/** The key a seed peer is known by. */
export interface SeedPeerKey {
  readonly host_name: string;
  readonly ip: string;
  readonly seed_peer_cluster_id: number;
}

/** CRUD for seed peers plus the upsert and liveness updates of the gRPC service. */
export class SeedPeerRepository extends Table<SeedPeerRecord, SeedPeerFilter> {
  constructor(session: SqlSession) {
    super(session, {
      table: 'seed_peers',
      noun: 'seed peer',
      fields: {
        host_name: field.string(256),
        type: field.oneOf(SEED_PEER_TYPES, 'super'),
        idc: field.string(1024),
        location: field.string(1024),
        ip: field.string(256),
        port: field.port(),
        download_port: field.port(),
        object_storage_port: field.port(),
        state: field.oneOf(LIVENESS_STATES, 'inactive'),
        last_keep_alive_at: field.date(),
        seed_peer_cluster_id: field.int(1),
      },
      filters: ['host_name', 'type', 'ip', 'idc', 'location', 'state', 'seed_peer_cluster_id'],
    });
  }

  /** The live seed peer with this key. */
  async findByKey(key: SeedPeerKey): Promise<SeedPeerRecord | undefined> {
    return this.findOne({ host_name: key.host_name, ip: key.ip, seed_peer_cluster_id: key.seed_peer_cluster_id });
  }

  /** Creates the seed peer with `key`, or updates it with `fields` when it exists (UpdateSeedPeer). */
  async upsert(key: SeedPeerKey, fields: Partial<Fields<SeedPeerRecord>>): Promise<SeedPeerRecord> {
    const existing = await this.findByKey(key);
    if (existing) return this.update(existing.id, fields);
    return this.create({ ...fields, ...key });
  }

  /** Sets the state of the seed peer with `key` (and `last_keep_alive_at` when active); false if there is none. */
  async setLiveness(key: SeedPeerKey, state: LivenessState, at = new Date()): Promise<boolean> {
    const where = 'WHERE host_name = ? AND ip = ? AND seed_peer_cluster_id = ? AND is_del = 0';
    const keyParams = [key.host_name, key.ip, key.seed_peer_cluster_id];
    const result =
      state === 'active'
        ? await this.session.execute(`UPDATE seed_peers SET state = ?, last_keep_alive_at = ?, updated_at = ? ${where}`, [state, at, at, ...keyParams])
        : await this.session.execute(`UPDATE seed_peers SET state = ?, updated_at = ? ${where}`, [state, at, ...keyParams]);
    return result.affectedRows > 0;
  }

  /** Live seed peers of the given seed peer clusters, by id. */
  async inClusters(clusterIds: readonly number[]): Promise<SeedPeerRecord[]> {
    if (clusterIds.length === 0) return [];
    const rows = await this.session.query(
      `SELECT * FROM seed_peers WHERE is_del = 0 AND seed_peer_cluster_id IN (${clusterIds.map(() => '?').join(', ')}) ORDER BY id`,
      [...clusterIds],
    );
    return rows.map((row) => this.decode(row));
  }

  /**
   * Marks inactive every active row whose last keep-alive is older than `before` (or missing): senders that
   * died while no manager held their stream. Returns the number of rows changed.
   */
  async expireStale(before: Date): Promise<number> {
    const result = await this.session.execute(
      "UPDATE seed_peers SET state = 'inactive', updated_at = ? WHERE is_del = 0 AND state = 'active' AND (last_keep_alive_at IS NULL OR last_keep_alive_at < ?)",
      [new Date(), before],
    );
    return result.affectedRows;
  }
}
