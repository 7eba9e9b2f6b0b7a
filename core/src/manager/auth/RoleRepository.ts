/**
 * Roles, their permissions and the roles of each user, in the shape of Dragonfly's casbin model
 * (`r = sub, obj, act`; a permission grants action `read` or `*` on one API group such as `clusters`).
 */
import { createError, ErrorCodes, isD7yError } from '../../common/errors.js';
import type { SqlSession, SqlValue } from '../../plugin-api/database/DatabaseDriver.js';

/** `read` allows GET; `*` allows every method. */
export type PermissionAction = 'read' | '*';

/** One permission: an action on an API group. */
export interface Permission {
  readonly object: string;
  readonly action: PermissionAction;
}

/** A role with its permissions. */
export interface RoleRecord {
  readonly name: string;
  readonly description: string;
  readonly permissions: Permission[];
}

async function ignoreDuplicate(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (!isD7yError(error) || error.code !== ErrorCodes.ALREADY_EXISTS) throw error;
  }
}

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** Reads and writes roles and role membership. */
export class RoleRepository {
  constructor(private readonly db: SqlSession) {}

  /** Creates the role if it does not exist. */
  async ensure(name: string, description: string): Promise<void> {
    await ignoreDuplicate(this.db.execute('INSERT INTO roles (name, description) VALUES (?, ?)', [name, description]));
  }

  /**
   * Creates a role.
   * @throws `D7Y_ERR_ALREADY_EXISTS` when the name is taken.
   */
  async create(name: string, description: string, permissions: readonly Permission[]): Promise<void> {
    try {
      await this.db.execute('INSERT INTO roles (name, description) VALUES (?, ?)', [name, description]);
    } catch (error) {
      if (isD7yError(error) && error.code === ErrorCodes.ALREADY_EXISTS) throw createError(ErrorCodes.ALREADY_EXISTS, `role ${name} already exists`);
      throw error;
    }
    await this.grant(name, permissions);
  }

  /** Adds permissions to a role; ones it has already are ignored. */
  async grant(role: string, permissions: readonly Permission[]): Promise<void> {
    for (const { object, action } of permissions) {
      await ignoreDuplicate(this.db.execute('INSERT INTO role_permissions (role, obj, act) VALUES (?, ?, ?)', [role, object, action]));
    }
  }

  /** Removes permissions from a role. */
  async revoke(role: string, permissions: readonly Permission[]): Promise<void> {
    for (const { object, action } of permissions) {
      await this.db.execute('DELETE FROM role_permissions WHERE role = ? AND obj = ? AND act = ?', [role, object, action]);
    }
  }

  /** The role with its permissions, or undefined. */
  async find(name: string): Promise<RoleRecord | undefined> {
    const rows = await this.db.query<{ name: string; description: string }>('SELECT name, description FROM roles WHERE name = ?', [name]);
    if (rows[0] === undefined) return undefined;
    return { ...rows[0], permissions: await this.permissionsOf([name]) };
  }

  /** Every role with its permissions, by name. */
  async list(): Promise<RoleRecord[]> {
    const rows = await this.db.query<{ name: string; description: string }>('SELECT name, description FROM roles ORDER BY name');
    const result: RoleRecord[] = [];
    for (const row of rows) result.push({ ...row, permissions: await this.permissionsOf([row.name]) });
    return result;
  }

  /** Deletes a role, its permissions and its memberships. */
  async delete(name: string): Promise<void> {
    await this.db.execute('DELETE FROM user_roles WHERE role = ?', [name]);
    await this.db.execute('DELETE FROM role_permissions WHERE role = ?', [name]);
    const { affectedRows } = await this.db.execute('DELETE FROM roles WHERE name = ?', [name]);
    if (affectedRows === 0) throw createError(ErrorCodes.NOT_FOUND, `role ${name} not found`);
  }

  /** The union of the permissions of `roles`. */
  async permissionsOf(roles: readonly string[]): Promise<Permission[]> {
    if (roles.length === 0) return [];
    const rows = await this.db.query<{ obj: string; act: string }>(
      `SELECT DISTINCT obj, act FROM role_permissions WHERE role IN (${placeholders(roles.length)}) ORDER BY obj, act`,
      roles as SqlValue[],
    );
    return rows.map((row) => ({ object: row.obj, action: row.act as PermissionAction }));
  }

  /** The role names of a user, sorted. */
  async rolesOf(userId: number): Promise<string[]> {
    const rows = await this.db.query<{ role: string }>('SELECT role FROM user_roles WHERE user_id = ? ORDER BY role', [userId]);
    return rows.map((row) => row.role);
  }

  /** Gives a user a role; nothing happens if the user has it already. */
  async addUserRole(userId: number, role: string): Promise<void> {
    await ignoreDuplicate(this.db.execute('INSERT INTO user_roles (user_id, role) VALUES (?, ?)', [userId, role]));
  }

  /** Takes a role from a user; true when the user had it. */
  async removeUserRole(userId: number, role: string): Promise<boolean> {
    const { affectedRows } = await this.db.execute('DELETE FROM user_roles WHERE user_id = ? AND role = ?', [userId, role]);
    return affectedRows > 0;
  }

  /** How many enabled users hold `role`. */
  async countEnabledMembers(role: string): Promise<number> {
    const [{ n }] = await this.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM user_roles ur JOIN users u ON u.id = ur.user_id WHERE ur.role = ? AND u.state = 'enable'",
      [role],
    );
    return Number(n);
  }
}
