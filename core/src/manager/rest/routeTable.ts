/**
 * THE route table of the manager's REST server: every route, with who may call it. The server registers
 * exactly these routes, each with its access rule, and refuses anything else; `routeTable.test.ts` and the
 * API integration suite walk this list. Paths and methods follow Dragonfly's `manager/router/router.go`.
 */
import { access, type RouteAccess } from './access.js';

/** HTTP methods the API uses. */
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One declared route. */
export interface RouteDeclaration {
  /** Stable id, `<group>.<operation>`; the handler map is keyed by it. */
  readonly id: string;
  readonly method: RouteMethod;
  /** Fastify path pattern (`:id` parameters). */
  readonly url: string;
  readonly access: RouteAccess;
}

const V1 = '/api/v1';
const OPEN_V1 = '/oapi/v1';

/** The five routes of a Dragonfly CRUD group on the console API (session JWT, RBAC on the group). */
function crud<G extends string>(group: G) {
  return [
    { id: `${group}.create`, method: 'POST', url: `${V1}/${group}`, access: access.jwt(group) },
    { id: `${group}.destroy`, method: 'DELETE', url: `${V1}/${group}/:id`, access: access.jwt(group) },
    { id: `${group}.update`, method: 'PATCH', url: `${V1}/${group}/:id`, access: access.jwt(group) },
    { id: `${group}.get`, method: 'GET', url: `${V1}/${group}/:id`, access: access.jwt(group) },
    { id: `${group}.list`, method: 'GET', url: `${V1}/${group}`, access: access.jwt(group) },
  ] as const;
}

/** The five routes of a CRUD group on the open API (personal access token with `scope`; owner's RBAC on the group). */
function openCrud<G extends string>(group: G, scope: 'job' | 'cluster') {
  return [
    { id: `oapi.${group}.create`, method: 'POST', url: `${OPEN_V1}/${group}`, access: access.pat(scope, group) },
    { id: `oapi.${group}.destroy`, method: 'DELETE', url: `${OPEN_V1}/${group}/:id`, access: access.pat(scope, group) },
    { id: `oapi.${group}.update`, method: 'PATCH', url: `${OPEN_V1}/${group}/:id`, access: access.pat(scope, group) },
    { id: `oapi.${group}.get`, method: 'GET', url: `${OPEN_V1}/${group}/:id`, access: access.pat(scope, group) },
    { id: `oapi.${group}.list`, method: 'GET', url: `${OPEN_V1}/${group}`, access: access.pat(scope, group) },
  ] as const;
}

/** Every route of the REST server. */
export const ROUTES = [
  { id: 'healthy', method: 'GET', url: '/healthy', access: access.public() },

  { id: 'users.signin', method: 'POST', url: `${V1}/users/signin`, access: access.public() },
  { id: 'users.signup', method: 'POST', url: `${V1}/users/signup`, access: access.public() },
  { id: 'users.signout', method: 'POST', url: `${V1}/users/signout`, access: access.public() },
  { id: 'users.refreshToken', method: 'POST', url: `${V1}/users/refresh_token`, access: access.refresh() },
  { id: 'users.resetPassword', method: 'POST', url: `${V1}/users/:id/reset_password`, access: access.self() },
  { id: 'users.update', method: 'PATCH', url: `${V1}/users/:id`, access: access.self() },
  { id: 'users.me', method: 'GET', url: `${V1}/users/me`, access: access.self() },
  { id: 'users.get', method: 'GET', url: `${V1}/users/:id`, access: access.jwt('users') },
  { id: 'users.list', method: 'GET', url: `${V1}/users`, access: access.jwt('users') },
  { id: 'users.roles', method: 'GET', url: `${V1}/users/:id/roles`, access: access.jwt('users') },
  { id: 'users.addRole', method: 'PUT', url: `${V1}/users/:id/roles/:role`, access: access.jwt('users') },
  { id: 'users.removeRole', method: 'DELETE', url: `${V1}/users/:id/roles/:role`, access: access.jwt('users') },

  { id: 'roles.create', method: 'POST', url: `${V1}/roles`, access: access.jwt('roles') },
  { id: 'roles.destroy', method: 'DELETE', url: `${V1}/roles/:role`, access: access.jwt('roles') },
  { id: 'roles.get', method: 'GET', url: `${V1}/roles/:role`, access: access.jwt('roles') },
  { id: 'roles.list', method: 'GET', url: `${V1}/roles`, access: access.jwt('roles') },
  { id: 'roles.addPermissions', method: 'POST', url: `${V1}/roles/:role/permissions`, access: access.jwt('roles') },
  { id: 'roles.removePermissions', method: 'DELETE', url: `${V1}/roles/:role/permissions`, access: access.jwt('roles') },
  { id: 'permissions.list', method: 'GET', url: `${V1}/permissions`, access: access.jwt('permissions') },

  ...crud('personal-access-tokens'),
  { id: 'audits.list', method: 'GET', url: `${V1}/audits`, access: access.jwt('audits') },

  ...crud('clusters'),
  ...crud('scheduler-clusters'),
  { id: 'scheduler-clusters.addScheduler', method: 'PUT', url: `${V1}/scheduler-clusters/:id/schedulers/:scheduler_id`, access: access.jwt('scheduler-clusters') },
  ...crud('schedulers'),
  ...crud('seed-peer-clusters'),
  { id: 'seed-peer-clusters.addSeedPeer', method: 'PUT', url: `${V1}/seed-peer-clusters/:id/seed-peers/:seed_peer_id`, access: access.jwt('seed-peer-clusters') },
  {
    id: 'seed-peer-clusters.linkSchedulerCluster',
    method: 'PUT',
    url: `${V1}/seed-peer-clusters/:id/scheduler-clusters/:scheduler_cluster_id`,
    access: access.jwt('seed-peer-clusters'),
  },
  ...crud('seed-peers'),
  { id: 'peers.create', method: 'POST', url: `${V1}/peers`, access: access.jwt('peers') },
  { id: 'peers.destroy', method: 'DELETE', url: `${V1}/peers/:id`, access: access.jwt('peers') },
  { id: 'peers.get', method: 'GET', url: `${V1}/peers/:id`, access: access.jwt('peers') },
  { id: 'peers.list', method: 'GET', url: `${V1}/peers`, access: access.jwt('peers') },
  ...crud('applications'),
  ...crud('configs'),
  ...crud('jobs'),

  ...openCrud('clusters', 'cluster'),
  ...openCrud('jobs', 'job'),

  // Harbor v2.0–v2.11 preheat protocol (removed from Dragonfly in 2026; kept for older Harbors): handlers/harbor.ts.
  { id: 'harbor.ping', method: 'GET', url: '/_ping', access: access.public() },
  { id: 'harbor.createPreheat', method: 'POST', url: '/preheats', access: access.pat('job', 'jobs') },
  { id: 'harbor.getPreheat', method: 'GET', url: '/preheats/:id', access: access.pat('job', 'jobs') },

  // The web console (built `@d7y/console`) and its client-side routes. `/*` answers API paths that no route
  // above matched with the API's JSON 404 (see handlers/console.ts), so it never opens the API.
  { id: 'console.index', method: 'GET', url: '/', access: access.public() },
  { id: 'console.asset', method: 'GET', url: '/*', access: access.public() },
] as const satisfies readonly RouteDeclaration[];

/** Id of a declared route. */
export type RouteId = (typeof ROUTES)[number]['id'];

/** The API groups RBAC knows: every `rbac` group of a JWT route and every `group` of a PAT route. */
export function apiGroups(routes: readonly RouteDeclaration[] = ROUTES): string[] {
  const groups = new Set<string>();
  for (const route of routes) {
    if (route.access.kind === 'jwt' && route.access.rbac !== 'self' && route.access.rbac !== 'refresh') groups.add(route.access.rbac);
    if (route.access.kind === 'pat') groups.add(route.access.group);
  }
  return [...groups].sort();
}
