import { describe, expect, it } from 'vitest';

import { SPECIAL_RBAC } from './access.js';
import { apiGroups, ROUTES } from './routeTable.js';

describe('route table', () => {
  it('declares each route once, by id and by method + path', () => {
    expect(new Set(ROUTES.map((r) => r.id)).size).toBe(ROUTES.length);
    expect(new Set(ROUTES.map((r) => `${r.method} ${r.url}`)).size).toBe(ROUTES.length);
  });

  it('keeps the public allowlist to health (and Harbor\'s legacy ping), sign-in, sign-up, sign-out and the console files', () => {
    expect(ROUTES.filter((r) => r.access.kind === 'public').map((r) => r.id).sort()).toEqual(['console.asset', 'console.index', 'harbor.ping', 'healthy', 'users.signin', 'users.signout', 'users.signup']);
  });

  it('guards /api/v1 with session JWTs whose RBAC group is the path group, as Dragonfly derives it', () => {
    for (const route of ROUTES.filter((r) => r.url.startsWith('/api/'))) {
      expect(route.access.kind === 'jwt' || route.access.kind === 'public', route.id).toBe(true);
      if (route.access.kind !== 'jwt' || SPECIAL_RBAC.includes(route.access.rbac)) continue;
      const group = /^\/api\/v[0-9]+\/([-_a-zA-Z]*)/.exec(route.url)?.[1];
      expect(route.access.rbac, route.id).toBe(group);
    }
  });

  it('lets only a few user routes use the "self" and "refresh" rules, which their handlers narrow', () => {
    const special = ROUTES.filter((r) => r.access.kind === 'jwt' && SPECIAL_RBAC.includes(r.access.rbac)).map((r) => r.id).sort();
    expect(special).toEqual(['users.me', 'users.refreshToken', 'users.resetPassword', 'users.update']);
  });

  it('guards /oapi/v1 with personal access tokens whose scope matches the path (jobs -> job, clusters -> cluster)', () => {
    const open = ROUTES.filter((r) => r.url.startsWith('/oapi/'));
    expect(open.length).toBeGreaterThan(0);
    for (const route of open) {
      expect(route.access.kind, route.id).toBe('pat');
      if (route.access.kind !== 'pat') continue;
      const group = /^\/oapi\/v[0-9]+\/([-_a-zA-Z]*)/.exec(route.url)?.[1];
      expect(route.access.group).toBe(group);
      expect(route.access.scope).toBe({ jobs: 'job', clusters: 'cluster' }[group!]);
    }
  });

  it('routes nothing outside /healthy, /api/v1 and /oapi/v1 but the console, which only reads (GET) and is public', () => {
    for (const route of ROUTES) {
      if (route.id.startsWith('console.')) {
        expect([route.method, route.access.kind]).toEqual(['GET', 'public']);
        continue;
      }
      expect(route.url === '/healthy' || /^\/(api|oapi)\/v1\//.test(route.url) || route.id.startsWith('harbor.'), route.url).toBe(true);
    }
  });

  it('declares Harbor\'s legacy preheat routes: a public ping, and preheats behind a personal access token with scope job', () => {
    const harbor = ROUTES.filter((r) => r.id.startsWith('harbor.')).map((r) => [r.method, r.url, r.access]);
    expect(harbor).toEqual([
      ['GET', '/_ping', { kind: 'public' }],
      ['POST', '/preheats', { kind: 'pat', scope: 'job', group: 'jobs' }],
      ['GET', '/preheats/:id', { kind: 'pat', scope: 'job', group: 'jobs' }],
    ]);
  });

  it('lists the API groups RBAC grants, from the table', () => {
    expect(apiGroups()).toEqual(
      expect.arrayContaining(['applications', 'audits', 'clusters', 'configs', 'jobs', 'peers', 'permissions', 'personal-access-tokens', 'roles', 'scheduler-clusters', 'schedulers', 'seed-peer-clusters', 'seed-peers', 'users']),
    );
    expect(apiGroups()).not.toContain('self');
  });
});
