/**
 * Role-based access, as Dragonfly's casbin model: the object is the API group (`/api/v1/<group>`), the action
 * is `read` for GET/HEAD and `*` for everything else, and a permission with action `*` also allows `read`.
 * Built-in roles: `root` holds `*` on every group, `guest` holds `read` on every group; new sign-ups get
 * `guest`. Both are re-granted on every start, so a group added by an upgrade is covered.
 */
import type { Permission, PermissionAction, RoleRepository } from './RoleRepository.js';

/** The administrator role. */
export const ROOT_ROLE = 'root';
/** The read-only role given to new sign-ups. */
export const GUEST_ROLE = 'guest';
/** Built-in roles, which cannot be deleted. */
export const BUILT_IN_ROLES: readonly string[] = Object.freeze([ROOT_ROLE, GUEST_ROLE]);

/** The action an HTTP method needs. */
export function actionFor(method: string): PermissionAction {
  return method === 'GET' || method === 'HEAD' ? 'read' : '*';
}

/** True when `permissions` allow `action` on `group`. */
export function isAllowed(permissions: readonly Permission[], group: string, action: PermissionAction): boolean {
  return permissions.some((p) => p.object === group && (p.action === '*' || p.action === action));
}

/** Creates the built-in roles and grants them every API group. */
export async function ensureBuiltInRoles(roles: RoleRepository, groups: readonly string[]): Promise<void> {
  await roles.ensure(ROOT_ROLE, 'Administrator: every action on every API group');
  await roles.ensure(GUEST_ROLE, 'Read-only access to every API group');
  await roles.grant(ROOT_ROLE, groups.map((object) => ({ object, action: '*' as const })));
  await roles.grant(GUEST_ROLE, groups.map((object) => ({ object, action: 'read' as const })));
}
