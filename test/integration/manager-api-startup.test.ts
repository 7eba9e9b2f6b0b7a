/**
 * The manager's REST start-up on SQLite: refusal of published or short JWT keys, the generated key and root
 * password, the DRAGONFLY_PAT token, HTTPS with server.rest.tls, the root password length rule and the default
 * sign-up limit per client address.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseConfig } from '../../core/src/config/index.js';
import { managerMigrations } from '../../core/src/manager/database/migrations.js';
import { INSECURE_DEV_JWT_KEY_ENV, startRestServer } from '../../core/src/manager/rest/index.js';
import { type DatabaseDriver, type Plugin } from '../../core/src/plugin-api/index.js';
import sqlitePlugin from '../../plugins/database-sqlite/src/index.js';
import { BASE_ENV, client, managerConfig, openDriver, recordingLogger, ROOT_PASSWORD } from '../helpers/managerApiKit.js';
import { writeServerCertificate } from '../helpers/tlsFiles.js';

describe('manager REST start-up: JWT key and root account (SQLite)', () => {
  let dir: string;
  let db: DatabaseDriver;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'd7y-api-start-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function freshDb(name: string): Promise<DatabaseDriver> {
    db = await openDriver(sqlitePlugin as Plugin<never>, { path: join(dir, `${name}.db`) });
    await db.migrate(managerMigrations);
    return db;
  }

  it('refuses to start with a JWT key published in Dragonfly docs or shorter than 32 bytes, unless the dev flag is set', async () => {
    const database = await freshDb('keys');
    try {
      const documented = parseConfig('manager', 'server:\n  rest:\n    addr: 127.0.0.1:0\nauth:\n  jwt:\n    key: ZHJhZ29uZmx5Cg==\n', 't').config;
      const short = parseConfig('manager', 'server:\n  rest:\n    addr: 127.0.0.1:0\nauth:\n  jwt:\n    key: not-documented-but-short\n', 't').config;
      for (const config of [documented, short]) {
        const error = await startRestServer({ db: database, config, logger: recordingLogger(), env: BASE_ENV }).then(
          (s) => s.close().then(() => undefined),
          (e: { code?: string; message: string }) => e,
        );
        expect(error).toMatchObject({ code: 'D7Y_ERR_INVALID_CONFIG' });
        expect(error!.message).toContain('auth.jwt.key');
        expect(error!.message).toContain(INSECURE_DEV_JWT_KEY_ENV);
      }
      const logger = recordingLogger();
      const dev = await startRestServer({ db: database, config: documented, logger, env: { ...BASE_ENV, [INSECURE_DEV_JWT_KEY_ENV]: '1' } });
      try {
        expect(logger.lines.some((l) => l.level === 'warn' && l.message?.includes('INSECURE'))).toBe(true);
        const signin = await client(dev.port)('POST', '/api/v1/users/signin', { body: { name: 'root', password: ROOT_PASSWORD } });
        expect(signin.status).toBe(200);
      } finally {
        await dev.close();
      }
      const strong = parseConfig('manager', `server:\n  rest:\n    addr: 127.0.0.1:0\nauth:\n  jwt:\n    key: ${randomBytes(32).toString('hex')}\n`, 't').config;
      await (await startRestServer({ db: database, config: strong, logger: recordingLogger(), env: BASE_ENV })).close();
    } finally {
      await database.close();
    }
  });

  it('generates a JWT key on first start, keeps it in the database, and prints a generated root password once', async () => {
    const database = await freshDb('generated');
    const config = managerConfig(0);
    try {
      const first = recordingLogger();
      const server = await startRestServer({ db: database, config, logger: first, env: {} });
      const line = first.lines.find((l) => l.message?.includes('generated password'));
      const password = /generated password (\S+)/.exec(line?.message ?? '')?.[1];
      expect(password).toMatch(/^[\w-]{24}$/);
      expect(first.lines.some((l) => l.message?.includes('generated a JWT signing key'))).toBe(true);
      const signin = await client(server.port)('POST', '/api/v1/users/signin', { body: { name: 'root', password } });
      expect(signin.status).toBe(200);
      await server.close();

      const second = recordingLogger();
      const again = await startRestServer({ db: database, config, logger: second, env: {} });
      try {
        expect(second.lines.some((l) => l.message?.includes('password'))).toBe(false);
        expect(second.lines.some((l) => l.message?.includes('using the JWT signing key stored'))).toBe(true);
        expect((await client(again.port)('GET', '/api/v1/users/1', { token: signin.body.token })).status).toBe(200);
      } finally {
        await again.close();
      }
      const [{ n }] = await database.query<{ n: number }>("SELECT COUNT(*) AS n FROM auth_secrets WHERE name = 'jwt_key'");
      expect(n).toBe(1);
    } finally {
      await database.close();
    }
  });

  it('provisions the DRAGONFLY_PAT token for root with scopes job and cluster, stored as an HMAC', async () => {
    const database = await freshDb('provisioned');
    const pat = `provisioned-${randomBytes(16).toString('hex')}`;
    const server = await startRestServer({ db: database, config: managerConfig(0), logger: recordingLogger(), env: { ...BASE_ENV, DRAGONFLY_PAT: pat } });
    try {
      expect((await client(server.port)('GET', '/oapi/v1/clusters', { token: pat })).status).toBe(200);
      const rows = await database.query("SELECT name, scopes, user_id FROM personal_access_tokens WHERE name = 'default'");
      expect(rows).toEqual([{ name: 'default', scopes: '["job","cluster"]', user_id: 1 }]);
      expect(JSON.stringify(await database.query('SELECT * FROM personal_access_tokens'))).not.toContain(pat);
    } finally {
      await server.close();
    }
    await expect(startRestServer({ db: database, config: managerConfig(0), logger: recordingLogger(), env: { ...BASE_ENV, DRAGONFLY_PAT: 'too-short' } })).rejects.toMatchObject({
      code: 'D7Y_ERR_INVALID_CONFIG',
    });
    await database.close();
  });

  it('serves HTTPS with server.rest.tls and marks the session cookie Secure', async () => {
    const database = await freshDb('tls');
    const files = writeServerCertificate(dir, ['localhost']);
    const config = parseConfig('manager', `server:\n  rest:\n    addr: 127.0.0.1:0\n    tls:\n      cert: ${files.cert}\n      key: ${files.key}\n`, 't').config;
    const server = await startRestServer({ db: database, config, logger: recordingLogger(), env: BASE_ENV });
    try {
      const answer = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
        const req = httpsRequest(
          { host: 'localhost', port: server.port, path: '/api/v1/users/signin', method: 'POST', ca: readFileSync(files.ca), headers: { 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode!, cookie: String(res.headers['set-cookie']) }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ name: 'root', password: ROOT_PASSWORD }));
      });
      expect(answer.status).toBe(200);
      expect(answer.cookie).toMatch(/; Secure/i);
    } finally {
      await server.close();
      await database.close();
    }
  });

  it('refuses an initial root password shorter than 8 characters', async () => {
    const database = await freshDb('shortroot');
    try {
      await expect(startRestServer({ db: database, config: managerConfig(0), logger: recordingLogger(), env: { DRAGONFLY_INITIAL_ROOT_PASSWORD: 'short' } })).rejects.toMatchObject({
        code: 'D7Y_ERR_INVALID_CONFIG',
      });
    } finally {
      await database.close();
    }
  });

  it('limits sign-ups per client address with the default limits (429)', async () => {
    const database = await freshDb('signups');
    const server = await startRestServer({ db: database, config: managerConfig(0), logger: recordingLogger(), env: BASE_ENV });
    try {
      const call = client(server.port);
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await call('POST', '/api/v1/users/signup', { body: { name: `su${i}`, password: 'password-123' } })).status);
      expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
      expect(statuses[10]).toBe(429);
    } finally {
      await server.close();
      await database.close();
    }
  });
});
