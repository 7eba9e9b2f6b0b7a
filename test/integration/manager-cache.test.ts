/**
 * The ListSchedulers cache: answers are cached (in-process, and in Redis when D7Y_TEST_REDIS_URL is set),
 * and every change of scheduler liveness invalidates them, also for other manager replicas sharing Redis.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { InProcessSharedState } from '../../core/src/common/sharedState/index.js';
import { parseConfig } from '../../core/src/config/load.js';
import { silentLogger } from '../../core/src/kernel/defaults.js';
import { ManagerClient } from '../../core/src/manager/client/ManagerClient.js';
import { Manager } from '../../core/src/manager/Manager.js';
import { createRepositories, type Repositories } from '../../core/src/manager/models/index.js';
import { SchedulerListCache } from '../../core/src/manager/rpc/SchedulerListCache.js';
import type { Plugin, SharedStateBackend } from '../../core/src/plugin-api/index.js';
import { RedisSharedState, resolveRedisConfig } from '../../plugins/database-redis/src/index.js';
import { redisUrlConfig } from '../../plugins/database-redis/test/privateRedis.js';
import sqlitePlugin from '../../plugins/database-sqlite/src/index.js';
import { buildDriver } from '../helpers/managerDb.js';
import { freePort } from '../helpers/ports.js';

const redisUrl = process.env.D7Y_TEST_REDIS_URL;
if (!redisUrl) console.warn('\n!!! D7Y_TEST_REDIS_URL is not set: the Redis scheduler-list cache cases are SKIPPED.\n');

const backends: Array<{ name: string; missing: boolean; make: () => SharedStateBackend }> = [
  { name: 'in-process', missing: false, make: () => new InProcessSharedState() },
  {
    name: 'redis',
    missing: !redisUrl,
    make: () =>
      new RedisSharedState({ ...resolveRedisConfig({ ...redisUrlConfig(redisUrl!), keyPrefix: `d7y-mgr-${Date.now()}-${Math.random().toString(36).slice(2)}:` }), logger: silentLogger }),
  },
];

const PEER = { sourceType: 'PEER_SOURCE' as const, hostname: 'peer-c', ip: '10.3.0.1', version: 'v1' };

for (const backend of backends) {
  describe.skipIf(backend.missing)(`scheduler list cache: ${backend.name}`, () => {
    let dir: string;
    let shared: SharedStateBackend;
    let manager: Manager;
    let client: ManagerClient;
    let repos: Repositories;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'd7y-mgr-cache-'));
      shared = backend.make();
      const port = await freePort();
      const { config } = parseConfig('manager', stringify({ server: { grpc: { listenIP: '127.0.0.1', port } }, database: { type: 'sqlite' } }), 'manager.yaml');
      const db = buildDriver(sqlitePlugin as Plugin<never>, { path: join(dir, 'manager.db') });
      manager = new Manager(config, undefined, silentLogger, { db, rest: false, sharedState: shared });
      await manager.start();
      client = new ManagerClient(`127.0.0.1:${port}`, credentials.createInsecure());
      repos = createRepositories(db);
      await client.updateScheduler({ sourceType: 'SCHEDULER_SOURCE', hostname: 's1', ip: '127.0.0.1', port: 8002, schedulerClusterId: 1 });
    });
    afterAll(async () => {
      client?.close();
      await manager?.stop(100);
      await shared?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('serves a cached answer until liveness changes invalidate it', async () => {
      const stream = client.keepAlive();
      stream.send({ sourceType: 'SCHEDULER_SOURCE', hostname: 's1', ip: '127.0.0.1', clusterId: 1 });
      const deadline = Date.now() + 5000;
      while ((await client.listSchedulers(PEER)).schedulers.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect((await client.listSchedulers(PEER)).schedulers.map((s) => s.port)).toEqual([8002]);

      // A change that bypasses the service is not seen while the answer is cached...
      const row = await repos.schedulers.findByKey({ host_name: 's1', ip: '127.0.0.1', scheduler_cluster_id: 1 });
      await repos.schedulers.update(row!.id, { port: 9009 });
      expect((await client.listSchedulers(PEER)).schedulers.map((s) => s.port)).toEqual([8002]);
      // ...a different request is answered fresh...
      expect((await client.listSchedulers({ ...PEER, hostname: 'peer-d' })).schedulers.map((s) => s.port)).toEqual([9009]);
      // ...and a liveness change invalidates every cached answer.
      stream.end();
      await stream.done;
      expect((await client.listSchedulers(PEER)).schedulers).toEqual([]);
    });

    it('stores answers in the shared state and takes invalidations from other replicas', async () => {
      const stream = client.keepAlive();
      stream.send({ sourceType: 'SCHEDULER_SOURCE', hostname: 's1', ip: '127.0.0.1', clusterId: 1 });
      const deadline = Date.now() + 5000;
      while ((await client.listSchedulers(PEER)).schedulers.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const replica = new SchedulerListCache<{ schedulers: Array<{ port: number }> }>(shared, { localSize: 10, localTtlMs: 60_000, sharedTtlMs: 60_000 }, silentLogger);
      const key = SchedulerListCache.keyOf(['PEER_SOURCE', PEER.hostname, PEER.ip, '', '', PEER.version, 0]);
      expect((await replica.get(key))?.schedulers.map((s) => s.port)).toEqual([9009]);

      const row = await repos.schedulers.findByKey({ host_name: 's1', ip: '127.0.0.1', scheduler_cluster_id: 1 });
      await repos.schedulers.update(row!.id, { port: 9010 });
      expect((await client.listSchedulers(PEER)).schedulers.map((s) => s.port)).toEqual([9009]);
      await replica.invalidate();
      expect((await client.listSchedulers(PEER)).schedulers.map((s) => s.port)).toEqual([9010]);
      stream.end();
      await stream.done;
    });
  });
}
