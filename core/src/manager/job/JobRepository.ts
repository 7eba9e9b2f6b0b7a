/** `jobs` and its links to scheduler and seed peer clusters, in Dragonfly's `Job` JSON shape. */
import type { SqlSession } from '../../plugin-api/database/DatabaseDriver.js';
import type { BaseRecord } from '../models/BaseRecord.js';
import { field, invalid, isPlainObject } from '../models/fieldSpec.js';
import { Table } from '../models/Table.js';
import type { GroupResult } from './groupState.js';

/** Job states as Harbor and Dragonfly clients see them. */
export type JobState = 'PENDING' | 'SUCCESS' | 'FAILURE';
/** Every job state. */
export const JOB_STATES: readonly JobState[] = Object.freeze(['PENDING', 'SUCCESS', 'FAILURE']);
/** Job types d7y runs. */
export const JOB_TYPES = Object.freeze(['preheat', 'get_task', 'delete_task', 'sync_peers'] as const);
export type JobType = (typeof JOB_TYPES)[number];

/** A job row. */
export interface JobRecord extends BaseRecord {
  /** `group_<uuid>`. */
  readonly task_id: string;
  readonly bio: string;
  readonly type: string;
  readonly state: JobState;
  /** The arguments with defaults applied and secrets removed. */
  readonly args: Record<string, unknown>;
  readonly result: GroupResult | null;
  readonly user_id: number;
}

/** Filters of `GET /jobs`. */
export type JobFilter = 'type' | 'state' | 'user_id';

/** Largest stored result (per-host lists beyond it are cut, see `groupState.ts`). */
export const MAX_RESULT_BYTES = 1024 * 1024;

/** CRUD for jobs. */
export class JobRepository extends Table<JobRecord, JobFilter> {
  constructor(session: SqlSession) {
    super(session, {
      table: 'jobs',
      noun: 'job',
      fields: {
        task_id: field.string(256),
        bio: field.string(1024),
        type: field.oneOf(JOB_TYPES, 'preheat'),
        state: field.oneOf(JOB_STATES, 'PENDING'),
        args: field.json(() => ({}), (value, name) => {
          if (!isPlainObject(value)) invalid(name, 'expected an object');
        }),
        result: field.json(() => null),
        user_id: field.int(0),
      },
      filters: ['type', 'state', 'user_id'],
    });
  }

  /** Stores the state and result of job `id` (results may be up to `MAX_RESULT_BYTES`). */
  async setResult(id: number, state: JobState, result: GroupResult): Promise<void> {
    const text = JSON.stringify(result);
    if (Buffer.byteLength(text) > MAX_RESULT_BYTES) invalid('result', `at most ${MAX_RESULT_BYTES} bytes`);
    await this.session.execute('UPDATE jobs SET state = ?, result = ?, updated_at = ? WHERE id = ? AND is_del = 0', [state, text, new Date(), id]);
  }

  /** Links the job to scheduler clusters and seed peer clusters. */
  async link(jobId: number, schedulerClusterIds: readonly number[], seedPeerClusterIds: readonly number[]): Promise<void> {
    for (const id of new Set(schedulerClusterIds)) {
      await this.session.execute('INSERT INTO job_scheduler_cluster (job_id, scheduler_cluster_id) VALUES (?, ?)', [jobId, id]);
    }
    for (const id of new Set(seedPeerClusterIds)) {
      await this.session.execute('INSERT INTO job_seed_peer_cluster (job_id, seed_peer_cluster_id) VALUES (?, ?)', [jobId, id]);
    }
  }

  /** Scheduler cluster ids of a job, ascending. */
  async schedulerClusterIdsOf(jobId: number): Promise<number[]> {
    const rows = await this.session.query<{ scheduler_cluster_id: number }>(
      'SELECT scheduler_cluster_id FROM job_scheduler_cluster WHERE job_id = ? ORDER BY scheduler_cluster_id',
      [jobId],
    );
    return rows.map((row) => Number(row.scheduler_cluster_id));
  }

  /** Seed peer cluster ids of a job, ascending. */
  async seedPeerClusterIdsOf(jobId: number): Promise<number[]> {
    const rows = await this.session.query<{ seed_peer_cluster_id: number }>(
      'SELECT seed_peer_cluster_id FROM job_seed_peer_cluster WHERE job_id = ? ORDER BY seed_peer_cluster_id',
      [jobId],
    );
    return rows.map((row) => Number(row.seed_peer_cluster_id));
  }

  /**
   * Deletes (for good, with their cluster links) up to `limit` finished jobs, SUCCESS or FAILURE, last updated
   * before `before`; returns how many. Pending jobs are kept whatever their age.
   */
  async deleteFinishedBefore(before: Date, limit: number): Promise<number> {
    const rows = await this.session.query<{ id: number }>(
      `SELECT id FROM jobs WHERE state IN ('SUCCESS', 'FAILURE') AND updated_at < ? ORDER BY id LIMIT ${Math.max(1, Math.trunc(limit))}`,
      [before],
    );
    if (rows.length === 0) return 0;
    const ids = rows.map((row) => Number(row.id));
    const marks = ids.map(() => '?').join(', ');
    await this.session.execute(`DELETE FROM job_scheduler_cluster WHERE job_id IN (${marks})`, ids);
    await this.session.execute(`DELETE FROM job_seed_peer_cluster WHERE job_id IN (${marks})`, ids);
    await this.session.execute(`DELETE FROM jobs WHERE id IN (${marks})`, ids);
    return ids.length;
  }
}
