/**
 * The manager's REST API while its dependencies go away: 503 with a clean JSON error while PostgreSQL or MariaDB
 * (behind a TCP proxy that is stopped) or Redis is unreachable, and recovery without a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { managerMigrations } from '../../core/src/manager/database/migrations.js';
import { startRestServer, type RestServer } from '../../core/src/manager/rest/index.js';
import { TOKENS, type Plugin, type SharedStateBackend } from '../../core/src/plugin-api/index.js';
import redisPlugin from '../../plugins/database-redis/src/index.js';
import sqlitePlugin from '../../plugins/database-sqlite/src/index.js';
import {
  BASE_ENV,
  build,
  client,
  managerConfig,
  openDriver,
  recordingLogger,
  ROOT_PASSWORD,
  TARGETS,
  untilStatus,
} from '../helpers/managerApiKit.js';
import { freePort } from '../helpers/ports.js';
import { TcpProxy } from '../helpers/tcpProxy.js';

for (const target of TARGETS.filter((t) => t.env !== undefined)) {
  const missing = !process.env[target.env!];
  describe.skipIf(missing)(`manager REST API when ${target.name} goes away`, () => {
    it('answers 503 with a clean JSON error while the database is unreachable, and recovers without a restart', async () => {
      const { config: base, cleanup } = await target.fresh();
      const proxy = new TcpProxy(await freePort(), { host: String(base.host), port: Number(base.port) });
      await proxy.start();
      const db = await openDriver(target.plugin, { ...base, port: proxy.port });
      const logger = recordingLogger();
      let server: RestServer | undefined;
      try {
        await db.migrate(managerMigrations);
        server = await startRestServer({ db, config: managerConfig(0), logger, env: BASE_ENV });
        const call = client(server.port);
        const token = (await call('POST', '/api/v1/users/signin', { body: { name: 'root', password: ROOT_PASSWORD } })).body.token;
        expect((await call('GET', '/api/v1/users', { token })).status).toBe(200);

        await proxy.stop();
        for (const request of [() => call('GET', '/api/v1/users', { token }), () => call('GET', '/healthy'), () => call('POST', '/api/v1/users/signin', { body: { name: 'root', password: ROOT_PASSWORD } })]) {
          const answer = await request();
          expect(answer.status, answer.text).toBe(503);
          expect(answer.body).toEqual({ code: 'D7Y_ERR_UNAVAILABLE', message: expect.stringContaining('unavailable') });
          expect(answer.headers.get('retry-after')).toBe('5');
          expect(answer.text).not.toMatch(/127\.0\.0\.1|\.(js|ts):\d+|ECONNREFUSED/);
        }

        await proxy.start();
        expect((await untilStatus(() => call('GET', '/api/v1/users', { token }), 200)).status).toBe(200);
        expect((await call('GET', '/healthy')).status).toBe(200);
      } finally {
        await server?.close();
        await proxy.stop();
        await db.close();
        await cleanup();
      }
    });
  });
}

describe.skipIf(!process.env.D7Y_TEST_REDIS_URL)('manager REST API when Redis goes away', () => {
  it('answers 503 on calls that need the shared state while Redis is unreachable, and recovers without a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'd7y-api-redis-'));
    const redisUrl = new URL(process.env.D7Y_TEST_REDIS_URL!);
    const proxy = new TcpProxy(await freePort(), { host: redisUrl.hostname, port: Number(redisUrl.port) });
    await proxy.start();
    const db = await openDriver(sqlitePlugin as Plugin<never>, { path: join(dir, 'manager.db') });
    const sharedState = build<SharedStateBackend>(redisPlugin as Plugin<never>, { addrs: [`127.0.0.1:${proxy.port}`], db: 5 }, TOKENS.SharedStateBackend);
    let server: RestServer | undefined;
    try {
      await db.migrate(managerMigrations);
      server = await startRestServer({ db, config: managerConfig(0), logger: recordingLogger(), env: BASE_ENV, sharedState });
      const call = client(server.port);
      const signin = () => call('POST', '/api/v1/users/signin', { body: { name: 'root', password: ROOT_PASSWORD } });
      const first = await signin();
      expect(first.status, first.text).toBe(200);

      await proxy.stop();
      const down = await signin();
      expect(down.status, down.text).toBe(503);
      expect(down.body).toEqual({ code: 'D7Y_ERR_UNAVAILABLE', message: expect.stringContaining('unavailable') });
      // Calls that do not need Redis keep working.
      expect((await call('GET', '/api/v1/users', { token: first.body.token })).status).toBe(200);

      await proxy.start();
      expect((await untilStatus(signin, 200)).status).toBe(200);
    } finally {
      await server?.close();
      await sharedState.close();
      await proxy.stop();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
