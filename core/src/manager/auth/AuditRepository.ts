/** Rows of `audits`: who did what through the API, and whether it worked. No request bodies are stored. */
import type { SqlSession, SqlValue } from '../../plugin-api/database/DatabaseDriver.js';

/** Who made a call: a console user, a personal access token, or nobody we could identify. */
export type AuditActorType = 'UNKNOWN' | 'USER' | 'PAT';

/** One audit row. */
export interface AuditRecord {
  readonly id: number;
  readonly actor_type: AuditActorType;
  readonly actor_name: string;
  readonly event_type: 'API';
  readonly operation: string;
  readonly operated_at: Date;
  readonly state: 'SUCCESS' | 'FAILURE';
  readonly path: string;
  readonly status_code: number;
  readonly ip: string;
}

/** Filters of {@link AuditRepository.list}; all equality. */
export interface AuditFilter {
  readonly actor_type?: AuditActorType;
  readonly actor_name?: string;
  readonly operation?: string;
  readonly state?: 'SUCCESS' | 'FAILURE';
  readonly path?: string;
}

/** Appends and reads audit rows. */
export class AuditRepository {
  constructor(private readonly db: SqlSession) {}

  /** Appends one row. */
  async insert(row: Omit<AuditRecord, 'id' | 'operated_at' | 'event_type'>): Promise<void> {
    await this.db.execute(
      'INSERT INTO audits (actor_type, actor_name, event_type, operation, operated_at, state, path, status_code, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [row.actor_type, row.actor_name, 'API', row.operation, new Date(), row.state, row.path, row.status_code, row.ip],
    );
  }

  /** One page of rows, newest first, and the number of matches. */
  async list(filter: AuditFilter, limit: number, offset: number): Promise<{ rows: AuditRecord[]; total: number }> {
    const clauses: string[] = [];
    const params: SqlValue[] = [];
    for (const key of ['actor_type', 'actor_name', 'operation', 'state', 'path'] as const) {
      if (filter[key] === undefined) continue;
      clauses.push(`${key} = ?`);
      params.push(filter[key]);
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    const [{ n }] = await this.db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM audits ${where}`, params);
    const rows = await this.db.query(`SELECT * FROM audits ${where} ORDER BY id DESC LIMIT ${limit} OFFSET ${offset}`, params);
    return { rows: rows.map((r) => ({ ...(r as unknown as AuditRecord), id: Number(r.id), status_code: Number(r.status_code) })), total: Number(n) };
  }
}
