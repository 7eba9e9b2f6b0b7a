/** Rows of the `users` table. The password hash and token version never leave this module's callers' process. */
import { createError, ErrorCodes, isD7yError } from '../../common/errors.js';
import type { SqlSession, SqlValue } from '../../plugin-api/database/DatabaseDriver.js';

/** Account states, as Dragonfly's `user.state`. */
export type UserState = 'enable' | 'disable';

/** A stored user, including the fields that are never serialised to clients. */
export interface UserRecord {
  readonly id: number;
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly email: string | null;
  readonly name: string;
  readonly encrypted_password: string;
  readonly avatar: string;
  readonly phone: string;
  readonly state: UserState;
  readonly location: string;
  readonly bio: string;
  readonly token_version: number;
}

/** Profile fields a user (or an admin) may change. */
export interface UserProfilePatch {
  readonly email?: string | null;
  readonly avatar?: string;
  readonly phone?: string;
  readonly location?: string;
  readonly bio?: string;
  readonly state?: UserState;
}

/** Filters of {@link UserRepository.list}. */
export interface UserFilter {
  readonly name?: string;
  readonly email?: string;
  readonly state?: UserState;
}

function decode(row: Record<string, unknown>): UserRecord {
  return { ...(row as unknown as UserRecord), id: Number(row.id), token_version: Number(row.token_version) };
}

/** Reads and writes users. */
export class UserRepository {
  constructor(private readonly db: SqlSession) {}

  /** The user with `id`, or undefined. */
  async findById(id: number): Promise<UserRecord | undefined> {
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    const rows = await this.db.query('SELECT * FROM users WHERE id = ?', [id]);
    return rows[0] === undefined ? undefined : decode(rows[0]);
  }

  /** The user named `name`, or undefined. */
  async findByName(name: string): Promise<UserRecord | undefined> {
    const rows = await this.db.query('SELECT * FROM users WHERE name = ?', [name]);
    return rows[0] === undefined ? undefined : decode(rows[0]);
  }

  /** One page of users by id, and the number of matches. `limit`/`offset` are validated integers. */
  async list(filter: UserFilter, limit: number, offset: number): Promise<{ rows: UserRecord[]; total: number }> {
    const clauses: string[] = [];
    const params: SqlValue[] = [];
    for (const key of ['name', 'email', 'state'] as const) {
      if (filter[key] === undefined) continue;
      clauses.push(`${key} = ?`);
      params.push(filter[key]);
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    const [{ n }] = await this.db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM users ${where}`, params);
    const rows = await this.db.query(`SELECT * FROM users ${where} ORDER BY id LIMIT ${limit} OFFSET ${offset}`, params);
    return { rows: rows.map(decode), total: Number(n) };
  }

  /**
   * Creates a user and returns its id.
   * @throws `D7Y_ERR_ALREADY_EXISTS` when the name or email is taken.
   */
  async create(input: { name: string; email: string | null; encryptedPassword: string; phone?: string; bio?: string; avatar?: string; location?: string }): Promise<number> {
    const now = new Date();
    try {
      const [row] = await this.db.query<{ id: number }>(
        'INSERT INTO users (created_at, updated_at, name, email, encrypted_password, phone, bio, avatar, location) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
        [now, now, input.name, input.email, input.encryptedPassword, input.phone ?? '', input.bio ?? '', input.avatar ?? '', input.location ?? ''],
      );
      return Number(row.id);
    } catch (error) {
      if (isD7yError(error) && error.code === ErrorCodes.ALREADY_EXISTS) throw createError(ErrorCodes.ALREADY_EXISTS, 'a user with this name or email already exists');
      throw error;
    }
  }

  /**
   * Changes profile fields. Disabling an account also bumps its token version, so its sessions end.
   * @throws `D7Y_ERR_NOT_FOUND`, `D7Y_ERR_ALREADY_EXISTS` (email taken).
   */
  async updateProfile(id: number, patch: UserProfilePatch): Promise<void> {
    const sets = ['updated_at = ?'];
    const params: SqlValue[] = [new Date()];
    for (const key of ['email', 'avatar', 'phone', 'location', 'bio', 'state'] as const) {
      if (patch[key] === undefined) continue;
      sets.push(`${key} = ?`);
      params.push(patch[key]);
    }
    if (patch.state === 'disable') sets.push('token_version = token_version + 1');
    try {
      const { affectedRows } = await this.db.execute(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
      if (affectedRows === 0) throw createError(ErrorCodes.NOT_FOUND, `user ${id} not found`);
    } catch (error) {
      if (isD7yError(error) && error.code === ErrorCodes.ALREADY_EXISTS) throw createError(ErrorCodes.ALREADY_EXISTS, 'email: already used by another user', { details: { field: 'email' } });
      throw error;
    }
  }

  /** Stores a new password hash and bumps the token version, which ends every existing session of the user. */
  async setPassword(id: number, encryptedPassword: string): Promise<void> {
    await this.db.execute('UPDATE users SET encrypted_password = ?, token_version = token_version + 1, updated_at = ? WHERE id = ?', [encryptedPassword, new Date(), id]);
  }
}
