/**
 * The manager's REST API against a real database: the same suite runs on SQLite (always) and on real
 * PostgreSQL and MariaDB when D7Y_TEST_POSTGRES_URL / D7Y_TEST_MYSQL_URL are set (scripts/services/*.sh;
 * `npm test` starts them). Each run starts the REST server in-process on a free port over its own private
 * database, with the database plugin built as the kernel builds it. Covers: sessions, the route table sweep
 * (default deny), JWT forgery, RBAC (guest vs root), pagination abuse, personal access tokens, cluster resources
 * and validation, audits and secret redaction. Start-up rules are in manager-api-startup.test.ts, outages of
 * the database and Redis in manager-api-outages.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { InProcessSharedState } from '../../core/src/common/sharedState/index.js';
import { managerMigrations } from '../../core/src/manager/database/migrations.js';
import { seedDefaults } from '../../core/src/manager/database/seed.js';
import { createRestApp, ROUTES, startRestServer, type RestServer } from '../../core/src/manager/rest/index.js';
import { SCHEDULER_LIST_GENERATION_KEY } from '../../core/src/manager/rpc/SchedulerListCache.js';
import { type DatabaseDriver } from '../../core/src/plugin-api/index.js';
import {
  BASE_ENV,
  client,
  eventually,
  managerConfig,
  openDriver,
  recordingLogger,
  ROOT_PASSWORD,
  TARGETS,
  type Config,
} from '../helpers/managerApiKit.js';
import { freePort } from '../helpers/ports.js';

/** A concrete path for a route pattern. */
function concrete(url: string): string {
  return url.replace(/:role\b/g, 'guest').replace(/:[a-z_]+/g, '1');
}

/** Limits high enough for a suite that signs up and in many times from one IP. */
const GENEROUS_LIMITS = { signinPerIp: { limit: 10_000, windowMs: 60_000 }, signupPerIp: { limit: 10_000, windowMs: 60_000 } };

const FUTURE = () => new Date(Date.now() + 86_400_000).toISOString();

for (const target of TARGETS) {
  const missing = target.env !== undefined && !process.env[target.env];
  if (missing) console.warn(`\n!!! ${target.env} is not set: the manager API suite on ${target.name} is SKIPPED.\n`);

  describe.skipIf(missing)(`manager REST API on ${target.name}`, () => {
    let db: DatabaseDriver;
    let driverConfig: Config;
    let cleanup: () => Promise<void>;
    let server: RestServer;
    let call: ReturnType<typeof client>;
    let rootToken: string;
    let jwtKey: Uint8Array;
    const logger = recordingLogger();
    const sharedState = new InProcessSharedState();

    beforeAll(async () => {
      ({ config: driverConfig, cleanup } = await target.fresh());
      db = await openDriver(target.plugin, driverConfig);
      await db.migrate(managerMigrations);
      await seedDefaults(db);
      server = await startRestServer({ db, config: managerConfig(await freePort()), logger, sharedState, env: BASE_ENV, rateLimits: GENEROUS_LIMITS });
      call = client(server.port);
      const signin = await call('POST', '/api/v1/users/signin', { body: { name: 'root', password: ROOT_PASSWORD } });
      expect(signin.status).toBe(200);
      rootToken = signin.body.token;
      const [row] = await db.query<{ value: string }>("SELECT value FROM auth_secrets WHERE name = 'jwt_key'");
      jwtKey = new TextEncoder().encode(row.value);
    });

    afterAll(async () => {
      await server?.close();
      await sharedState.close();
      await db?.close();
      await cleanup?.();
    });

    /** Signs up and signs in a new guest; returns its id, name and token. */
    async function newGuest(): Promise<{ id: number; name: string; password: string; token: string }> {
      const name = `g${randomBytes(3).toString('hex')}`;
      const password = `pw-${randomBytes(6).toString('hex')}`;
      const signup = await call('POST', '/api/v1/users/signup', { body: { name, password, email: `${name}@example.com` } });
      expect(signup.status, signup.text).toBe(200);
      const signin = await call('POST', '/api/v1/users/signin', { body: { name, password } });
      expect(signin.status, signin.text).toBe(200);
      return { id: signup.body.id, name, password, token: signin.body.token };
    }

    describe('sessions', () => {
      it('signs root in with the initial password, as a token and an HttpOnly cookie that also authenticates', async () => {
        const signin = await call('POST', '/api/v1/users/signin', { body: { name: 'root', password: ROOT_PASSWORD } });
        expect(signin.body).toEqual({ code: 200, token: expect.any(String), expire: expect.any(String) });
        const cookie = signin.headers.get('set-cookie')!;
        expect(cookie).toMatch(/^jwt=[^;]+;/);
        expect(cookie).toMatch(/HttpOnly/i);
        expect(cookie).toMatch(/SameSite=Lax/i);
        const me = await call('GET', '/api/v1/users/1', { headers: { cookie: cookie.split(';')[0] } });
        expect(me.status).toBe(200);
        expect(me.body).toMatchObject({ id: 1, name: 'root', state: 'enable' });
      });

      it('refuses a wrong password or unknown user with the same 401 and audits the attempt', async () => {
        const wrong = await call('POST', '/api/v1/users/signin', { body: { name: 'root', password: 'not-it-at-all' } });
        const unknown = await call('POST', '/api/v1/users/signin', { body: { name: 'nobody', password: 'not-it-at-all' } });
        expect(wrong.status).toBe(401);
        expect(unknown.status).toBe(401);
        expect(wrong.body).toEqual(unknown.body);
        await eventually(async () => {
          const rows = await db.query("SELECT actor_type, actor_name, state, status_code FROM audits WHERE path = '/api/v1/users/signin' AND state = 'FAILURE'");
          expect(rows).toContainEqual({ actor_type: 'UNKNOWN', actor_name: 'root', state: 'FAILURE', status_code: 401 });
          // A name that matches no account is not recorded: it may be a password typed into the wrong field.
          expect(rows).toContainEqual({ actor_type: 'UNKNOWN', actor_name: '', state: 'FAILURE', status_code: 401 });
          expect(JSON.stringify(rows)).not.toContain('nobody');
        });
      });

      it('refreshes a token, keeping the original sign-in time, and refuses one past maxRefresh', async () => {
        const refreshed = await call('POST', '/api/v1/users/refresh_token', { token: rootToken });
        expect(refreshed.status, refreshed.text).toBe(200);
        expect((await call('GET', '/api/v1/users/1', { token: refreshed.body.token })).status).toBe(200);
        const now = Math.floor(Date.now() / 1000);
        const expiredButRefreshable = await sign({ id: 1, tv: 0, orig_iat: now - 3600 }, { iat: now - 3700, exp: now - 100 });
        expect((await call('GET', '/api/v1/users/1', { token: expiredButRefreshable })).status).toBe(401);
        expect((await call('POST', '/api/v1/users/refresh_token', { token: expiredButRefreshable })).status).toBe(200);
        const tooOld = await sign({ id: 1, tv: 0, orig_iat: now - 3 * 3600 }, { iat: now - 3 * 3600, exp: now - 100 });
        expect((await call('POST', '/api/v1/users/refresh_token', { token: tooOld })).status).toBe(401);
      });

      it('signs up new users as guests and validates input with 422 naming the field', async () => {
        const guest = await newGuest();
        expect((await call('GET', `/api/v1/users/${guest.id}/roles`, { token: rootToken })).body).toEqual(['guest']);
        const short = await call('POST', '/api/v1/users/signup', { body: { name: 'ab', password: 'long-enough-pw' } });
        expect(short.status).toBe(422);
        expect(short.body).toMatchObject({ code: 'D7Y_ERR_INVALID_ARGUMENT', field: 'name' });
        const noPassword = await call('POST', '/api/v1/users/signup', { body: { name: 'abcdef' } });
        expect(noPassword.status).toBe(422);
        expect(noPassword.body.field).toBe('password');
        const taken = await call('POST', '/api/v1/users/signup', { body: { name: guest.name, password: 'long-enough-pw' } });
        expect(taken.status).toBe(409);
        const badJson = await call('POST', '/api/v1/users/signup', { body: undefined, headers: { 'content-type': 'application/json' } });
        expect([400, 422]).toContain(badJson.status);
        expect(badJson.text).not.toMatch(/at .*\.(js|ts):\d+/);
      });

      it('resets only one\'s own password, with the old one, and ends older sessions', async () => {
        const guest = await newGuest();
        const other = await newGuest();
        expect((await call('POST', `/api/v1/users/${other.id}/reset_password`, { token: guest.token, body: { old_password: other.password, new_password: 'hijacked-pw-1' } })).status).toBe(403);
        expect((await call('POST', `/api/v1/users/${guest.id}/reset_password`, { token: guest.token, body: { old_password: 'wrong-old-pw', new_password: 'new-password-1' } })).status).toBe(403);
        const ok = await call('POST', `/api/v1/users/${guest.id}/reset_password`, { token: guest.token, body: { old_password: guest.password, new_password: 'new-password-1' } });
        expect(ok.status, ok.text).toBe(200);
        expect((await call('GET', '/api/v1/users', { token: guest.token })).status).toBe(401);
        expect((await call('POST', '/api/v1/users/signin', { body: { name: guest.name, password: 'new-password-1' } })).status).toBe(200);
      });

      it('rate-limits sign-in attempts per account name (429), even with the right password', async () => {
        const guest = await newGuest();
        const statuses: number[] = [];
        for (let i = 0; i < 10; i++) statuses.push((await call('POST', '/api/v1/users/signin', { body: { name: guest.name, password: `wrong-${i}` } })).status);
        expect(statuses.filter((s) => s === 401).length).toBe(9);
        expect((await call('POST', '/api/v1/users/signin', { body: { name: guest.name, password: guest.password } })).status).toBe(429);
      });

      it('rate-limits password reset attempts per account (429)', async () => {
        const guest = await newGuest();
        const statuses: number[] = [];
        for (let i = 0; i < 7; i++) {
          statuses.push((await call('POST', `/api/v1/users/${guest.id}/reset_password`, { token: guest.token, body: { old_password: `wrong-${i}`, new_password: 'whatever-pw-1' } })).status);
        }
        expect(statuses.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
        expect(statuses.slice(5)).toEqual([429, 429]);
      });
    });

    /** Signs a token with the server's real key (tests of claim checks). */
    async function sign(claims: Record<string, unknown>, times: { iat: number; exp: number }, key = jwtKey, alg = 'HS256'): Promise<string> {
      return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).setIssuedAt(times.iat).setExpirationTime(times.exp).sign(key);
    }

    describe('default deny', () => {
      it('answers 401 on every non-public route of the table without credentials, with garbage, an empty header or an expired token', async () => {
        const now = Math.floor(Date.now() / 1000);
        const expired = await sign({ id: 1, tv: 0, orig_iat: now - 7200 }, { iat: now - 7200, exp: now - 3600 });
        const variants: { label: string; headers: Record<string, string> }[] = [
          { label: 'none', headers: {} },
          { label: 'garbage', headers: { authorization: 'Bearer garbage' } },
          { label: 'empty', headers: { authorization: '' } },
          { label: 'basic', headers: { authorization: 'Basic cm9vdDpyb290' } },
          { label: 'expired', headers: { authorization: `Bearer ${expired}` } },
        ];
        const problems: string[] = [];
        for (const route of ROUTES) {
          if (route.access.kind === 'public') continue;
          for (const variant of variants) {
            const answer = await call(route.method, concrete(route.url), { headers: variant.headers, body: route.method === 'GET' ? undefined : {} });
            if (answer.status !== 401) problems.push(`${route.method} ${route.url} (${variant.label}): ${answer.status}`);
            else if (answer.body?.code !== 'D7Y_ERR_UNAUTHENTICATED') problems.push(`${route.method} ${route.url}: body ${answer.text}`);
          }
        }
        expect(problems).toEqual([]);
      });

      it('leaves no way around the table: HEAD, trailing slashes, case and encoded variants never reach a handler unauthenticated', async () => {
        expect((await call('HEAD', '/api/v1/users')).status).toBe(401);
        for (const path of ['/api/v1/users/', '/API/v1/users', '//api/v1/users', '/api/v1//users', '/api/v1/users%2F1', '/api/v1/./users', '/oapi/v1/clusters/', '/api/v2/users']) {
          const answer = await call('GET', path);
          expect([401, 404], `${path}: ${answer.status}`).toContain(answer.status);
        }
      });

      it('serves public routes without credentials', async () => {
        expect(ROUTES.filter((r) => r.access.kind === 'public').map((r) => `${r.method} ${r.url}`).sort()).toEqual([
          'GET /',
          'GET /*',
          'GET /_ping',
          'GET /healthy',
          'POST /api/v1/users/signin',
          'POST /api/v1/users/signout',
          'POST /api/v1/users/signup',
        ]);
        expect(await call('GET', '/healthy')).toMatchObject({ status: 200, body: { status: 'OK' } });
      });

      it('refuses a route registered outside the route table, and answers unknown paths with a JSON 404', async () => {
        const { app, close } = await createRestApp({ db, config: managerConfig(0), logger: recordingLogger(), env: BASE_ENV });
        try {
          app.get('/api/v1/undeclared', async () => ({ leaked: true }));
          app.post('/debug', async () => ({ leaked: true }));
          const get = await app.inject({ method: 'GET', url: '/api/v1/undeclared', headers: { authorization: `Bearer ${rootToken}` } });
          expect(get.statusCode).toBe(403);
          expect(get.body).not.toContain('leaked');
          expect((await app.inject({ method: 'POST', url: '/debug' })).statusCode).toBe(403);
          const unknown = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
          expect(unknown.statusCode).toBe(404);
          expect(unknown.json()).toMatchObject({ code: 'D7Y_ERR_NOT_FOUND' });
        } finally {
          await close();
        }
      });
    });

    describe('JWT forgery', () => {
      it('refuses alg none, wrong keys, the documented key, other algorithms, stripped signatures and bad claims', async () => {
        const now = Math.floor(Date.now() / 1000);
        const good = { id: 1, tv: 0, orig_iat: now };
        const times = { iat: now, exp: now + 600 };
        const valid = await sign(good, times);
        expect((await call('GET', '/api/v1/users', { token: valid })).status).toBe(200);
        const forged: Record<string, string> = {
          'alg none': new UnsecuredJWT(good).setIssuedAt(now).setExpirationTime(now + 600).encode(),
          'wrong key': await sign(good, times, randomBytes(32)),
          'documented key': await sign(good, times, new TextEncoder().encode('ZHJhZ29uZmx5Cg==')),
          'HS512 with the right key': await sign(good, times, jwtKey, 'HS512'),
          'stripped signature': valid.split('.').slice(0, 2).join('.') + '.',
          'iat far in the future': await sign(good, { iat: now + 3600, exp: now + 7200 }),
          'missing id': await sign({ tv: 0, orig_iat: now }, times),
          'string id': await sign({ ...good, id: '1' }, times),
          'unknown user': await sign({ ...good, id: 999_999 }, times),
          'old token version': await sign({ ...good, tv: 5 }, times),
          'oversized': await sign({ ...good, pad: 'x'.repeat(12_000) }, times),
        };
        for (const [label, token] of Object.entries(forged)) {
          const answer = await call('GET', '/api/v1/users', { token });
          expect(answer.status, label).toBe(401);
          expect(answer.headers.get('www-authenticate'), label).toBe('Bearer realm="Dragonfly"');
        }
        expect((await call('GET', `/api/v1/users?token=${valid}`)).status).toBe(401);
      });
    });

    describe('RBAC', () => {
      it('lets a guest read but not change anything an admin changes (403)', async () => {
        const guest = await newGuest();
        const other = await newGuest();
        expect((await call('GET', '/api/v1/users', { token: guest.token })).status).toBe(200);
        expect((await call('GET', '/api/v1/roles', { token: guest.token })).status).toBe(200);
        const attempts: [string, string, unknown][] = [
          ['POST', '/api/v1/roles', { role: 'mine', permissions: [{ object: 'users', action: '*' }] }],
          ['PUT', `/api/v1/users/${guest.id}/roles/root`, undefined],
          ['DELETE', '/api/v1/users/1/roles/root', undefined],
          ['POST', '/api/v1/personal-access-tokens', { name: 't', scopes: ['cluster'], expired_at: FUTURE() }],
          ['PATCH', `/api/v1/users/${other.id}`, { bio: 'defaced' }],
          ['PATCH', `/api/v1/users/${guest.id}`, { state: 'disable' }],
          ['DELETE', '/api/v1/roles/guest', undefined],
        ];
        for (const [method, path, body] of attempts) {
          const answer = await call(method, path, { token: guest.token, body: body ?? (method === 'PUT' || method === 'DELETE' ? undefined : {}) });
          expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(403);
          expect(answer.body.code).toBe('D7Y_ERR_PERMISSION_DENIED');
        }
        expect((await call('GET', `/api/v1/users/${guest.id}/roles`, { token: rootToken })).body).toEqual(['guest']);
        expect((await call('PATCH', `/api/v1/users/${guest.id}`, { token: guest.token, body: { bio: 'hello' } })).body).toMatchObject({ bio: 'hello' });
      });

      it('ends the sessions of a user an admin disables, and refuses its sign-in until re-enabled', async () => {
        const guest = await newGuest();
        expect((await call('PATCH', `/api/v1/users/${guest.id}`, { token: rootToken, body: { state: 'disable' } })).body).toMatchObject({ state: 'disable' });
        expect((await call('GET', '/api/v1/users', { token: guest.token })).status).toBe(401);
        expect((await call('POST', '/api/v1/users/signin', { body: { name: guest.name, password: guest.password } })).status).toBe(401);
        expect((await call('PATCH', '/api/v1/users/1', { token: rootToken, body: { state: 'disable' } })).status).toBe(412);
        expect((await call('PATCH', `/api/v1/users/${guest.id}`, { token: rootToken, body: { state: 'enable' } })).status).toBe(200);
        expect((await call('POST', '/api/v1/users/signin', { body: { name: guest.name, password: guest.password } })).status).toBe(200);
      });

      it('lets root manage roles; built-in roles are protected, and the last root cannot lose the role', async () => {
        const created = await call('POST', '/api/v1/roles', { token: rootToken, body: { role: 'auditor', permissions: [{ object: 'audits', action: 'read' }] } });
        expect(created.status, created.text).toBe(200);
        expect(created.body).toEqual([{ object: 'audits', action: 'read' }]);
        const unknownGroup = await call('POST', '/api/v1/roles', { token: rootToken, body: { role: 'bad', permissions: [{ object: 'nope', action: 'read' }] } });
        expect(unknownGroup.status).toBe(422);
        expect(unknownGroup.body.field).toBe('permissions.0.object');
        expect((await call('GET', '/api/v1/roles', { token: rootToken })).body).toEqual(expect.arrayContaining(['auditor', 'guest', 'root']));
        const guest = await newGuest();
        expect((await call('PUT', `/api/v1/users/${guest.id}/roles/auditor`, { token: rootToken })).status).toBe(200);
        expect((await call('GET', `/api/v1/users/${guest.id}/roles`, { token: rootToken })).body).toEqual(['auditor', 'guest']);
        expect((await call('DELETE', '/api/v1/roles/root', { token: rootToken })).status).toBe(412);
        expect((await call('DELETE', '/api/v1/users/1/roles/root', { token: rootToken })).status).toBe(412);
        expect((await call('DELETE', '/api/v1/roles/auditor', { token: rootToken })).status).toBe(200);
        expect((await call('GET', `/api/v1/users/${guest.id}/roles`, { token: rootToken })).body).toEqual(['guest']);
        const permissions = await call('GET', '/api/v1/permissions', { token: rootToken });
        expect(permissions.body).toContainEqual({ object: 'clusters', action: '*' });
      });
    });

    describe('pagination', () => {
      it('rejects abusive page and per_page values with 422 naming the parameter, and pages with Link headers', async () => {
        const bad = ['per_page=1001', 'per_page=0', 'per_page=-1', 'per_page=1e9', 'page=0', 'page=4611686018427387904', "page=' OR 1=1--", 'page=abc', 'per_page=0x10', 'page=2000000'];
        for (const query of bad) {
          const answer = await call('GET', `/api/v1/users?${query}`, { token: rootToken });
          expect(answer.status, query).toBe(422);
          expect(answer.body.field, query).toBe(query.split('=')[0]);
        }
        const filterInjection = await call('GET', `/api/v1/users?name=${encodeURIComponent("' OR 1=1--")}`, { token: rootToken });
        expect(filterInjection.status).toBe(200);
        expect(filterInjection.body).toEqual([]);
        const page = await call('GET', '/api/v1/users?page=1&per_page=1', { token: rootToken });
        expect(page.status).toBe(200);
        expect(page.body).toHaveLength(1);
        expect(page.headers.get('link')).toContain('rel=next');
        expect(Number(page.headers.get('x-total-count'))).toBeGreaterThan(1);
        expect((await call('GET', '/api/v1/users?per_page=1000', { token: rootToken })).status).toBe(200);
      });
    });

    describe('personal access tokens', () => {
      async function createPat(token: string, scopes: string[], name = `t-${randomBytes(3).toString('hex')}`) {
        return call('POST', '/api/v1/personal-access-tokens', { token, body: { name, scopes, expired_at: FUTURE() } });
      }

      it('shows a token once, stores only its HMAC, and opens /oapi/v1/clusters with scope cluster', async () => {
        const created = await createPat(rootToken, ['cluster']);
        expect(created.status, created.text).toBe(200);
        const pat: string = created.body.token;
        expect(pat).toMatch(/^d7y_pat_[\w-]{43}$/);
        expect(created.body).toMatchObject({ scopes: ['cluster'], state: 'active', user_id: 1 });
        const listed = await call('GET', '/api/v1/personal-access-tokens', { token: rootToken });
        expect(listed.text).not.toContain(pat);
        expect(listed.body.every((t: Record<string, unknown>) => !('token' in t) && !('token_hmac' in t))).toBe(true);
        expect((await call('GET', `/api/v1/personal-access-tokens/${created.body.id}`, { token: rootToken })).text).not.toContain(pat);
        const rows = await db.query('SELECT * FROM personal_access_tokens WHERE id = ?', [created.body.id]);
        expect(JSON.stringify(rows)).not.toContain(pat);
        expect(rows[0].token_hmac).toMatch(/^[0-9a-f]{64}$/);

        const clusters = await call('GET', '/oapi/v1/clusters', { token: pat });
        expect(clusters.status, clusters.text).toBe(200);
        expect(clusters.body.map((c: { name: string }) => c.name)).toContain('cluster-1');
        const made = await call('POST', '/oapi/v1/clusters', { token: pat, body: { name: `oapi-${randomBytes(2).toString('hex')}` } });
        expect(made.status, made.text).toBe(200);
        expect((await call('GET', '/api/v1/clusters', { token: pat })).status).toBe(401);
        expect((await call('GET', '/oapi/v1/clusters', { token: rootToken })).status).toBe(401);
        expect((await call('GET', `/oapi/v1/clusters?access_token=${pat}`)).status).toBe(401);
        await eventually(async () => {
          const audits = await db.query("SELECT actor_type, actor_name, operation, state FROM audits WHERE path = '/oapi/v1/clusters' AND actor_type = 'PAT'");
          expect(audits).toContainEqual({ actor_type: 'PAT', actor_name: created.body.name, operation: 'POST', state: 'SUCCESS' });
        });
      });

      it('denies expired, inactive, wrong-scope and empty-scope tokens', async () => {
        const job = await createPat(rootToken, ['job']);
        const wrongScope = await call('GET', '/oapi/v1/clusters', { token: job.body.token });
        expect(wrongScope.status).toBe(403);
        expect(wrongScope.body.message).toContain('scope');
        expect((await call('GET', '/oapi/v1/jobs', { token: job.body.token })).status).toBe(200);

        const inactive = await createPat(rootToken, ['cluster']);
        expect((await call('PATCH', `/api/v1/personal-access-tokens/${inactive.body.id}`, { token: rootToken, body: { state: 'inactive' } })).status).toBe(200);
        expect((await call('GET', '/oapi/v1/clusters', { token: inactive.body.token })).status).toBe(401);

        const expired = await createPat(rootToken, ['cluster']);
        await db.execute('UPDATE personal_access_tokens SET expired_at = ? WHERE id = ?', [new Date(Date.now() - 1000), expired.body.id]);
        expect((await call('GET', '/oapi/v1/clusters', { token: expired.body.token })).status).toBe(401);
        const past = await call('POST', '/api/v1/personal-access-tokens', { token: rootToken, body: { name: 'past', scopes: ['job'], expired_at: new Date(Date.now() - 1000).toISOString() } });
        expect(past.status).toBe(422);
        expect(past.body.field).toBe('expired_at');

        const empty = await createPat(rootToken, []);
        expect(empty.status).toBe(422);
        expect(empty.body.field).toBe('scopes');
        // A row with empty scopes (as Dragonfly allows) still grants nothing.
        const emptied = await createPat(rootToken, ['cluster']);
        await db.execute("UPDATE personal_access_tokens SET scopes = '[]' WHERE id = ?", [emptied.body.id]);
        const denied = await call('GET', '/oapi/v1/clusters', { token: emptied.body.token });
        expect(denied.status).toBe(403);
        expect(denied.body.message).toContain('empty scopes grant nothing');
        expect((await call('GET', '/oapi/v1/clusters', { token: `d7y_pat_${randomBytes(32).toString('base64url')}` })).status).toBe(401);
      });

      it('keeps tokens private to their owner and limits them to the owner\'s roles', async () => {
        const rootPat = await createPat(rootToken, ['cluster']);
        const guest = await newGuest();
        expect((await call('GET', '/api/v1/personal-access-tokens', { token: guest.token })).body).toEqual([]);
        expect((await call('GET', `/api/v1/personal-access-tokens/${rootPat.body.id}`, { token: guest.token })).status).toBe(404);
        // Give the guest a token by promoting it briefly, then demote: the token keeps only guest rights.
        expect((await call('PUT', `/api/v1/users/${guest.id}/roles/root`, { token: rootToken })).status).toBe(200);
        const guestPat = await createPat(guest.token, ['cluster']);
        expect(guestPat.status, guestPat.text).toBe(200);
        expect((await call('DELETE', `/api/v1/users/${guest.id}/roles/root`, { token: rootToken })).status).toBe(200);
        expect((await call('GET', '/oapi/v1/clusters', { token: guestPat.body.token })).status).toBe(200);
        expect((await call('POST', '/oapi/v1/clusters', { token: guestPat.body.token, body: { name: 'nope-guest' } })).status).toBe(403);
      });
    });

    describe('cluster resources', () => {
      it('invalidates cached scheduler lists after a cluster or scheduler change, and not after reads', async () => {
        const generation = () => sharedState.get(SCHEDULER_LIST_GENERATION_KEY);
        const before = await generation();
        expect((await call('GET', '/api/v1/clusters', { token: rootToken })).status).toBe(200);
        expect(await generation()).toBe(before);
        const made = await call('POST', '/api/v1/clusters', { token: rootToken, body: { name: `scoped-${randomBytes(2).toString('hex')}`, scopes: { idc: 'idc-x' } } });
        expect(made.status, made.text).toBe(200);
        const afterCreate = await generation();
        expect(afterCreate).not.toBe(before);
        expect((await call('PATCH', `/api/v1/clusters/${made.body.id}`, { token: rootToken, body: { scopes: { idc: 'idc-y' } } })).status).toBe(200);
        expect(await generation()).not.toBe(afterCreate);
      });

      it('serves Dragonfly clusters (scheduler cluster + seed peer cluster) with CRUD', async () => {
        const listed = await call('GET', '/api/v1/clusters', { token: rootToken });
        expect(listed.status, listed.text).toBe(200);
        expect(listed.body[0]).toMatchObject({ id: 1, name: 'cluster-1', is_default: true, scheduler_cluster_config: { candidate_parent_limit: 3 } });
        const body = {
          name: 'c-two',
          bio: 'second',
          scopes: { idc: 'idc-a', cidrs: ['10.0.0.0/8'] },
          scheduler_cluster_config: { candidate_parent_limit: 4, filter_parent_limit: 20 },
          seed_peer_cluster_config: { load_limit: 100 },
          peer_cluster_config: { load_limit: 50 },
          is_default: false,
        };
        const created = await call('POST', '/api/v1/clusters', { token: rootToken, body });
        expect(created.status, created.text).toBe(200);
        expect(created.body).toMatchObject({ ...body, scheduler_cluster_id: created.body.id, seed_peer_cluster_id: expect.any(Number) });
        const patched = await call('PATCH', `/api/v1/clusters/${created.body.id}`, { token: rootToken, body: { bio: 'changed', peer_cluster_config: { load_limit: 60 } } });
        expect(patched.body).toMatchObject({ bio: 'changed', peer_cluster_config: { load_limit: 60 }, scopes: body.scopes });
        const badScope = await call('POST', '/api/v1/clusters', { token: rootToken, body: { name: 'bad-cidr', scopes: { cidrs: ['not-a-cidr'] } } });
        expect(badScope.status).toBe(422);
        expect(badScope.body.field).toMatch(/cidrs/);
        const unknownKey = await call('POST', '/api/v1/clusters', { token: rootToken, body: { name: 'x', owner: 'me' } });
        expect(unknownKey.status).toBe(422);
        expect(unknownKey.body.field).toBe('owner');
        expect((await call('DELETE', `/api/v1/clusters/${created.body.id}`, { token: rootToken })).status).toBe(200);
        expect((await call('GET', `/api/v1/clusters/${created.body.id}`, { token: rootToken })).status).toBe(404);
      });

      it('serves scheduler clusters, schedulers, seed peers, peers, applications and configs', async () => {
        const sc = await call('POST', '/api/v1/scheduler-clusters', { token: rootToken, body: { name: 'sc-rest' } });
        expect(sc.status, sc.text).toBe(200);
        const scheduler = await call('POST', '/api/v1/schedulers', { token: rootToken, body: { host_name: 'sched-1', ip: '10.0.0.5', port: 8002, scheduler_cluster_id: 1 } });
        expect(scheduler.status, scheduler.text).toBe(200);
        expect((await call('PUT', `/api/v1/scheduler-clusters/${sc.body.id}/schedulers/${scheduler.body.id}`, { token: rootToken })).status).toBe(200);
        const inCluster = await call('GET', `/api/v1/schedulers?scheduler_cluster_id=${sc.body.id}`, { token: rootToken });
        expect(inCluster.body.map((s: { host_name: string }) => s.host_name)).toEqual(['sched-1']);
        expect((await call('GET', '/api/v1/schedulers?scheduler_cluster_id=abc', { token: rootToken })).body.field).toBe('scheduler_cluster_id');
        expect((await call('GET', '/api/v1/schedulers?password=x', { token: rootToken })).status).toBe(422);
        expect((await call('DELETE', `/api/v1/scheduler-clusters/${sc.body.id}`, { token: rootToken })).status).toBe(412);

        const spc = await call('POST', '/api/v1/seed-peer-clusters', { token: rootToken, body: { name: 'spc-rest', config: { load_limit: 10 } } });
        expect(spc.status, spc.text).toBe(200);
        const seedPeer = await call('POST', '/api/v1/seed-peers', { token: rootToken, body: { host_name: 'seed-1', ip: '10.0.0.6', port: 4000, download_port: 4001, type: 'super', seed_peer_cluster_id: spc.body.id } });
        expect(seedPeer.status, seedPeer.text).toBe(200);
        expect((await call('PUT', `/api/v1/seed-peer-clusters/${spc.body.id}/scheduler-clusters/${sc.body.id}`, { token: rootToken })).status).toBe(200);
        expect((await call('PUT', `/api/v1/seed-peer-clusters/${spc.body.id}/seed-peers/${seedPeer.body.id}`, { token: rootToken })).status).toBe(200);

        const peer = await call('POST', '/api/v1/peers', { token: rootToken, body: { host_name: 'peer-1', ip: '10.0.0.7', port: 4000 } });
        expect(peer.status, peer.text).toBe(200);
        expect((await call('PATCH', `/api/v1/peers/${peer.body.id}`, { token: rootToken, body: {} })).status).toBe(404);

        const app = await call('POST', '/api/v1/applications', { token: rootToken, body: { name: 'app-1', url: 'https://example.com', priority: { value: 1 }, user_id: 77 } });
        expect(app.status, app.text).toBe(200);
        expect(app.body.user_id).toBe(1);
        const config = await call('POST', '/api/v1/configs', { token: rootToken, body: { name: 'cfg-1', value: '{"a":1}' } });
        expect(config.status, config.text).toBe(200);
        expect((await call('PATCH', `/api/v1/configs/${config.body.id}`, { token: rootToken, body: { value: 'v2' } })).body.value).toBe('v2');
        expect((await call('GET', '/api/v1/configs?name=cfg-1', { token: rootToken })).body).toHaveLength(1);
        expect((await call('POST', '/api/v1/configs', { token: rootToken, body: { name: 'cfg-1', value: 'dup' } })).status).toBe(409);
        expect((await call('POST', '/api/v1/configs', { token: rootToken, body: [1, 2] })).status).toBe(422);

        const guest = await newGuest();
        expect((await call('GET', '/api/v1/schedulers', { token: guest.token })).status).toBe(200);
        for (const path of ['/api/v1/schedulers', '/api/v1/applications', '/api/v1/configs', '/api/v1/clusters', '/api/v1/peers', '/api/v1/jobs']) {
          expect((await call('POST', path, { token: guest.token, body: { name: 'x' } })).status, path).toBe(403);
        }
        expect((await call('GET', '/api/v1/jobs', { token: rootToken })).body).toEqual([]);
      });

      it("rate-limits job creation per scheduler cluster with 429 (the cluster's job_rate_limit)", async () => {
        const made = await call('POST', '/api/v1/clusters', {
          token: rootToken,
          body: { name: `jobs-${randomBytes(2).toString('hex')}`, scheduler_cluster_config: { job_rate_limit: 2 } },
        });
        expect(made.status, made.text).toBe(200);
        const create = () =>
          call('POST', '/api/v1/jobs', { token: rootToken, body: { type: 'preheat', args: { type: 'file', url: 'http://127.0.0.1:9/f' }, scheduler_cluster_ids: [made.body.id] } });
        const answers = [];
        for (let i = 0; i < 3; i++) answers.push(await create());
        // The first two pass the limit (and then find no scheduler in the new cluster); the third is over it.
        expect(answers.slice(0, 2).map((a) => a.status)).not.toContain(429);
        expect(answers[0]!.body.message).toMatch(/no active scheduler/);
        expect(answers[2]!.status).toBe(429);
        expect(answers[2]!.body.message).toBe(`rate limit exceeded: scheduler cluster ${made.body.id} accepts 2 jobs per second (job_rate_limit)`);
      });

      it('refuses oversized bodies with 413 and keeps serving', async () => {
        const big = await call('POST', '/api/v1/configs', { token: rootToken, body: { name: 'big', value: 'x'.repeat(2 * 1024 * 1024) } });
        expect(big.status).toBe(413);
        expect(big.text).not.toMatch(/\.(js|ts):\d+/);
        expect((await call('GET', '/healthy')).status).toBe(200);
      });
    });

    describe('audits', () => {
      it('records mutating calls by users, refused ones included, readable through the API', async () => {
        const guest = await newGuest();
        await call('POST', '/api/v1/roles', { token: guest.token, body: { role: 'x', permissions: [{ object: 'users', action: '*' }] } });
        await eventually(async () => {
          const audits = await call('GET', `/api/v1/audits?actor_name=${guest.name}&per_page=100`, { token: rootToken });
          expect(audits.status).toBe(200);
          expect(audits.body).toContainEqual(expect.objectContaining({ actor_type: 'USER', actor_name: guest.name, operation: 'POST', path: '/api/v1/roles', state: 'FAILURE', status_code: 403 }));
          expect(audits.body).toContainEqual(expect.objectContaining({ actor_type: 'UNKNOWN', actor_name: guest.name, path: '/api/v1/users/signup', state: 'SUCCESS' }));
        });
      });

      it('records unauthenticated attempts on declared routes but not requests to unknown paths', async () => {
        const marker = randomBytes(4).toString('hex');
        expect((await call('DELETE', `/api/v1/configs/${parseInt(marker, 16)}`)).status).toBe(401);
        expect((await call('POST', `/api/v1/unknown-${marker}`, { body: {} })).status).toBe(404);
        await eventually(async () => {
          const rows = await db.query('SELECT actor_type, state, status_code FROM audits WHERE path = ?', [`/api/v1/configs/${parseInt(marker, 16)}`]);
          expect(rows).toEqual([{ actor_type: 'UNKNOWN', state: 'FAILURE', status_code: 401 }]);
        });
        expect(await db.query('SELECT id FROM audits WHERE path = ?', [`/api/v1/unknown-${marker}`])).toEqual([]);
      });
    });

    describe('secrets', () => {
      it('never returns password hashes, and audits carry no passwords', async () => {
        const users = await call('GET', '/api/v1/users?per_page=1000', { token: rootToken });
        expect(users.text).not.toMatch(/encrypted_password|scrypt\$|token_version/);
        await eventually(async () => {
          const rows = await db.query('SELECT * FROM audits');
          expect(rows.length).toBeGreaterThan(0);
          expect(JSON.stringify(rows)).not.toContain(ROOT_PASSWORD);
        });
      });
    });
  });
}
