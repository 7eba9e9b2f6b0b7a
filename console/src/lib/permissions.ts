/** What the signed-in user may do, from their RBAC permissions (Dragonfly's casbin model). */
import type { Permission } from '../api/types';

/** True when `permissions` allow `action` on the API `group` (`*` also allows `read`). */
export function can(permissions: readonly Permission[] | undefined, group: string, action: 'read' | '*'): boolean {
  return (permissions ?? []).some((p) => p.object === group && (p.action === '*' || p.action === action));
}

/** True for a root user (the console's user and role pages are theirs only). */
export function isRoot(roles: readonly string[] | undefined): boolean {
  return (roles ?? []).includes('root');
}
