/** `schedulers`: one row per scheduler process (host name, ip, cluster), with its liveness. */
import type { SqlSession } from '../../plugin-api/database/DatabaseDriver.js';
import type { BaseRecord, Fields } from './BaseRecord.js';
import { field } from './fieldSpec.js';
import { validateAnyObject, validateFeatures } from './jsonShapes.js';
import { Table } from './Table.js';

/** Liveness of a scheduler or seed peer row. */
export type LivenessState = 'active' | 'inactive';
/** Every liveness state. */
export const LIVENESS_STATES: readonly LivenessState[] = Object.freeze(['active', 'inactive']);

/** Features a scheduler has unless it says otherwise (Dragonfly `DefaultSchedulerFeatures`). */
export const DEFAULT_SCHEDULER_FEATURES: readonly string[] = Object.freeze(['schedule', 'preheat']);

/** A scheduler, as Dragonfly's `Scheduler` model serialises it. */
export interface SchedulerRecord extends BaseRecord {
  readonly host_name: string;
  readonly idc: string;
  readonly location: string;
  readonly ip: string;
  readonly port: number;
  readonly state: LivenessState;
  readonly features: string[];
  readonly config: Record<string, unknown>;
  readonly last_keep_alive_at: Date | null;
  readonly scheduler_cluster_id: number;
}

/** Filters of `GET /api/v1/schedulers`. */
export type SchedulerFilter = 'host_name' | 'ip' | 'idc' | 'location' | 'state' | 'scheduler_cluster_id';

/** The key a scheduler is known by. */
export interface SchedulerKey {
  readonly host_name: string;
  readonly ip: string;
  readonly scheduler_cluster_id: number;
}

/** CRUD for schedulers plus the upsert and liveness updates of the gRPC service. */
export class SchedulerRepository extends Table<SchedulerRecord, SchedulerFilter> {
  constructor(session: SqlSession) {
    super(session, {
      table: 'schedulers',
      noun: 'scheduler',
      fields: {
        host_name: field.string(256),
        idc: field.string(1024),
        location: field.string(1024),
        ip: field.string(256),
        port: field.port(),
        state: field.oneOf(LIVENESS_STATES, 'inactive'),
        features: field.json(() => [...DEFAULT_SCHEDULER_FEATURES], validateFeatures),
        config: field.json(() => ({}), validateAnyObject),
        last_keep_alive_at: field.date(),
        scheduler_cluster_id: field.int(1),
      },
      filters: ['host_name', 'ip', 'idc', 'location', 'state', 'scheduler_cluster_id'],
    });
  }

  /** The live scheduler with this key. */
  async findByKey(key: SchedulerKey): Promise<SchedulerRecord | undefined> {
    return this.findOne({ host_name: key.host_name, ip: key.ip, scheduler_cluster_id: key.scheduler_cluster_id });
  }

  /** Creates the scheduler with `key`, or updates it with `fields` when it exists (UpdateScheduler). */
  async upsert(key: SchedulerKey, fields: Partial<Fields<SchedulerRecord>>): Promise<SchedulerRecord> {
    const existing = await this.findByKey(key);
    if (existing) return this.update(existing.id, fields);
    return this.create({ ...fields, ...key });
  }

  /** Sets the state of the scheduler with `key` (and `last_keep_alive_at` when active); false if there is none. */
  async setLiveness(key: SchedulerKey, state: LivenessState, at = new Date()): Promise<boolean> {
    const where = 'WHERE host_name = ? AND ip = ? AND scheduler_cluster_id = ? AND is_del = 0';
    const keyParams = [key.host_name, key.ip, key.scheduler_cluster_id];
    const result =
      state === 'active'
        ? await this.session.execute(`UPDATE schedulers SET state = ?, last_keep_alive_at = ?, updated_at = ? ${where}`, [state, at, at, ...keyParams])
        : await this.session.execute(`UPDATE schedulers SET state = ?, updated_at = ? ${where}`, [state, at, ...keyParams]);
    return result.affectedRows > 0;
  }

  /** Active schedulers of the given clusters, by id. */
  async activeIn(clusterIds: readonly number[]): Promise<SchedulerRecord[]> {
    if (clusterIds.length === 0) return [];
    const rows = await this.session.query(
      `SELECT * FROM schedulers WHERE is_del = 0 AND state = 'active' AND scheduler_cluster_id IN (${clusterIds.map(() => '?').join(', ')}) ORDER BY id`,
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
      "UPDATE schedulers SET state = 'inactive', updated_at = ? WHERE is_del = 0 AND state = 'active' AND (last_keep_alive_at IS NULL OR last_keep_alive_at < ?)",
      [new Date(), before],
    );
    return result.affectedRows;
  }
}
