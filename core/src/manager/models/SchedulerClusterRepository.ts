/** `scheduler_clusters`: groups of schedulers with their cluster config and searcher scopes. */
import { createError, ErrorCodes } from '../../common/errors.js';
import type { SqlSession } from '../../plugin-api/database/DatabaseDriver.js';
import type { BaseRecord } from './BaseRecord.js';
import { field } from './fieldSpec.js';
import {
  type SchedulerClusterClientConfig,
  type SchedulerClusterConfig,
  type SchedulerClusterScopes,
  validateClientConfig,
  validateSchedulerClusterConfig,
  validateScopes,
} from './jsonShapes.js';
import { Table } from './Table.js';

/** A scheduler cluster, as Dragonfly's `SchedulerCluster` model serialises it. */
export interface SchedulerClusterRecord extends BaseRecord {
  readonly name: string;
  readonly bio: string;
  readonly config: SchedulerClusterConfig;
  readonly client_config: SchedulerClusterClientConfig;
  readonly seed_client_config: SchedulerClusterClientConfig;
  readonly scopes: SchedulerClusterScopes;
  readonly is_default: boolean;
}

/** Filters of `GET /api/v1/scheduler-clusters`. */
export type SchedulerClusterFilter = 'name' | 'is_default';

/** CRUD for scheduler clusters. */
export class SchedulerClusterRepository extends Table<SchedulerClusterRecord, SchedulerClusterFilter> {
  constructor(session: SqlSession) {
    super(session, {
      table: 'scheduler_clusters',
      noun: 'scheduler cluster',
      fields: {
        name: field.string(256),
        bio: field.string(1024),
        config: field.json(() => ({}), validateSchedulerClusterConfig),
        client_config: field.json(() => ({}), validateClientConfig),
        seed_client_config: field.json(() => ({}), validateClientConfig),
        scopes: field.json(() => ({}), validateScopes),
        is_default: field.bool(false),
      },
      filters: ['name', 'is_default'],
    });
  }

  /** Creates a cluster; `name` is required and unique among live clusters. */
  override async create(input: Partial<Omit<SchedulerClusterRecord, keyof BaseRecord>>): Promise<SchedulerClusterRecord> {
    if (!input.name) throw createError(ErrorCodes.INVALID_ARGUMENT, 'name: required', { details: { field: 'name' } });
    return super.create(input);
  }

  /** Every live cluster (the searcher's input), by id. */
  async all(): Promise<SchedulerClusterRecord[]> {
    return this.findAll();
  }

  /**
   * Soft-deletes a cluster. Refused with `D7Y_ERR_FAILED_PRECONDITION` while schedulers still belong to it, as
   * Dragonfly refuses ("scheduler cluster exists scheduler").
   */
  override async delete(id: number): Promise<void> {
    const [{ n }] = await this.session.query<{ n: number }>('SELECT COUNT(*) AS n FROM schedulers WHERE scheduler_cluster_id = ? AND is_del = 0', [id]);
    if (Number(n) > 0) throw createError(ErrorCodes.FAILED_PRECONDITION, `scheduler cluster ${id} still has ${Number(n)} scheduler(s)`, { details: { id } });
    await super.delete(id);
    await this.session.execute('DELETE FROM seed_peer_cluster_scheduler_cluster WHERE scheduler_cluster_id = ?', [id]);
  }
}
