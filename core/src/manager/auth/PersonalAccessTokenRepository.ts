/** Rows of `personal_access_tokens`. Only the token's HMAC is stored; the value itself exists only in the creation response. */
import { createError, ErrorCodes, isD7yError } from '../../common/errors.js';
import type { SqlSession, SqlValue } from '../../plugin-api/database/DatabaseDriver.js';

/** Scopes a token may carry, as Dragonfly: `job` for `/oapi/v1/jobs`, `cluster` for `/oapi/v1/clusters`. */
export const PAT_SCOPES = ['job', 'cluster'] as const;
export type PatScope = (typeof PAT_SCOPES)[number];
/** Token states, as Dragonfly. */
export type PatState = 'active' | 'inactive';

/** A stored token (without its value, which is never stored). */
export interface PatRecord {
  readonly id: number;
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly name: string;
  readonly bio: string;
  readonly token_hmac: string;
  readonly scopes: PatScope[];
  readonly state: PatState;
  readonly expired_at: Date;
  readonly last_used_at: Date | null;
  readonly user_id: number;
}

/** Fields that may change after creation. */
export interface PatPatch {
  readonly bio?: string;
  readonly scopes?: readonly PatScope[];
  readonly state?: PatState;
  readonly expired_at?: Date;
}

function decode(row: Record<string, unknown>): PatRecord {
  let scopes: PatScope[] = [];
  try {
    const parsed: unknown = JSON.parse(String(row.scopes));
    if (Array.isArray(parsed)) scopes = parsed.filter((s): s is PatScope => (PAT_SCOPES as readonly string[]).includes(s));
  } catch {
    // A damaged scopes column grants nothing.
  }
  return { ...(row as unknown as PatRecord), id: Number(row.id), user_id: Number(row.user_id), scopes };
}

function translateDuplicate(error: unknown): never {
  if (isD7yError(error) && error.code === ErrorCodes.ALREADY_EXISTS) {
    throw createError(ErrorCodes.ALREADY_EXISTS, 'name: you already have a personal access token with this name', { details: { field: 'name' } });
  }
  throw error;
}

/** Reads and writes personal access tokens. */
export class PersonalAccessTokenRepository {
  constructor(private readonly db: SqlSession) {}

  /** Creates a token row and returns its id. */
  async create(input: { name: string; bio: string; tokenHmac: string; scopes: readonly PatScope[]; state: PatState; expiredAt: Date; userId: number }): Promise<number> {
    const now = new Date();
    try {
      const [row] = await this.db.query<{ id: number }>(
        'INSERT INTO personal_access_tokens (created_at, updated_at, name, bio, token_hmac, scopes, state, expired_at, user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
        [now, now, input.name, input.bio, input.tokenHmac, JSON.stringify(input.scopes), input.state, input.expiredAt, input.userId],
      );
      return Number(row.id);
    } catch (error) {
      return translateDuplicate(error);
    }
  }

  /** The token whose HMAC is `digest`, or undefined. */
  async findByDigest(digest: string): Promise<PatRecord | undefined> {
    const rows = await this.db.query('SELECT * FROM personal_access_tokens WHERE token_hmac = ?', [digest]);
    return rows[0] === undefined ? undefined : decode(rows[0]);
  }

  /** The token with `id`, optionally only if it belongs to `userId`. */
  async findById(id: number, userId?: number): Promise<PatRecord | undefined> {
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    const rows =
      userId === undefined
        ? await this.db.query('SELECT * FROM personal_access_tokens WHERE id = ?', [id])
        : await this.db.query('SELECT * FROM personal_access_tokens WHERE id = ? AND user_id = ?', [id, userId]);
    return rows[0] === undefined ? undefined : decode(rows[0]);
  }

  /** The token of `userId` named `name`, or undefined. */
  async findByName(userId: number, name: string): Promise<PatRecord | undefined> {
    const rows = await this.db.query('SELECT * FROM personal_access_tokens WHERE user_id = ? AND name = ?', [userId, name]);
    return rows[0] === undefined ? undefined : decode(rows[0]);
  }

  /** Replaces the stored digest of a token (its value changed). */
  async replaceDigest(id: number, tokenHmac: string): Promise<void> {
    await this.db.execute('UPDATE personal_access_tokens SET token_hmac = ?, updated_at = ? WHERE id = ?', [tokenHmac, new Date(), id]);
  }

  /** One page of tokens by id (all users when `userId` is undefined), and the number of matches. */
  async list(filter: { userId?: number; state?: PatState }, limit: number, offset: number): Promise<{ rows: PatRecord[]; total: number }> {
    const clauses: string[] = [];
    const params: SqlValue[] = [];
    if (filter.userId !== undefined) {
      clauses.push('user_id = ?');
      params.push(filter.userId);
    }
    if (filter.state !== undefined) {
      clauses.push('state = ?');
      params.push(filter.state);
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    const [{ n }] = await this.db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM personal_access_tokens ${where}`, params);
    const rows = await this.db.query(`SELECT * FROM personal_access_tokens ${where} ORDER BY id LIMIT ${limit} OFFSET ${offset}`, params);
    return { rows: rows.map(decode), total: Number(n) };
  }

  /** Changes a token. */
  async update(id: number, patch: PatPatch): Promise<void> {
    const sets = ['updated_at = ?'];
    const params: SqlValue[] = [new Date()];
    if (patch.bio !== undefined) sets.push('bio = ?'), params.push(patch.bio);
    if (patch.scopes !== undefined) sets.push('scopes = ?'), params.push(JSON.stringify(patch.scopes));
    if (patch.state !== undefined) sets.push('state = ?'), params.push(patch.state);
    if (patch.expired_at !== undefined) sets.push('expired_at = ?'), params.push(patch.expired_at);
    await this.db.execute(`UPDATE personal_access_tokens SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
  }

  /** Records that a token was just used. */
  async touch(id: number): Promise<void> {
    await this.db.execute('UPDATE personal_access_tokens SET last_used_at = ? WHERE id = ?', [new Date(), id]);
  }

  /** Deletes a token; true when it existed. */
  async delete(id: number): Promise<boolean> {
    const { affectedRows } = await this.db.execute('DELETE FROM personal_access_tokens WHERE id = ?', [id]);
    return affectedRows > 0;
  }
}
