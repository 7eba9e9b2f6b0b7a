/**
 * The manager's gRPC service through a real client, on SQLite (always) and on real PostgreSQL and MariaDB
 * when their URLs are set: registration, keep-alive liveness, dynconfig, the searcher, seed peers,
 * applications and request validation.
 */
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { parseConfig } from '../../core/src/config/load.js';
import { silentLogger } from '../../core/src/kernel/defaults.js';
import { ManagerClient } from '../../core/src/manager/client/ManagerClient.js';
import { Manager } from '../../core/src/manager/Manager.js';
import { createRepositories, type Repositories } from '../../core/src/manager/models/index.js';
import { DB_TARGETS, warnSkipped } from '../helpers/managerDb.js';
import { freePort } from '../helpers/ports.js';

const until = async (check: () => Promise<boolean>, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
};

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { code?: string; message: string },
  );
  expect(error, 'expected a rejection').toBeDefined();
  return error!;
}

const SCHEDULER = { sourceType: 'SCHEDULER_SOURCE' as const, hostname: 'sched-a', ip: '127.0.0.1', schedulerClusterId: 1 };

for (const target of DB_TARGETS) {
  warnSkipped(target, 'manager gRPC');

  describe.skipIf(target.missing)(`manager gRPC: ${target.dialect}`, () => {
    let manager: Manager;
    let client: ManagerClient;
    let repos: Repositories;
    let cleanup: () => Promise<void>;
    let metricsPort: number;

    beforeAll(async () => {
      const fresh = await target.fresh();
      cleanup = fresh.cleanup;
      const port = await freePort();
      const { config } = parseConfig('manager', stringify({ server: { grpc: { listenIP: '127.0.0.1', port } }, database: { type: target.dialect, [target.dialect]: fresh.config }, metrics: { enable: true, addr: '127.0.0.1:0' } }), 'manager.yaml');
      manager = new Manager(config, undefined, silentLogger, { db: fresh.db, rest: false });
      const { grpcPort, metricsPort: bound } = await manager.start();
      metricsPort = bound!;
      client = new ManagerClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
      repos = createRepositories(fresh.db);
    });
    afterAll(async () => {
      client?.close();
      await manager?.stop(100);
      await cleanup?.();
    });

    it('registers a scheduler with UpdateScheduler and hands back its cluster', async () => {
      const scheduler = await client.updateScheduler({ ...SCHEDULER, port: 8002, idc: 'idc-1', features: [], config: Buffer.from('{"a":1}') });
      expect(scheduler).toMatchObject({ hostname: 'sched-a', ip: '127.0.0.1', port: 8002, idc: 'idc-1', state: 'inactive', schedulerClusterId: 1 });
      expect(JSON.parse(scheduler.features.toString())).toEqual(['schedule', 'preheat']);
      expect(scheduler.schedulerCluster?.name).toBe('cluster-1');
      const again = await client.updateScheduler({ ...SCHEDULER, port: 8003 });
      expect(again.id).toBe(scheduler.id);
      expect(again.port).toBe(8003);
    });

    it('validates every UpdateScheduler field, naming it', async () => {
      const cases: [object, RegExp, string][] = [
        [{ ...SCHEDULER, hostname: '', port: 1 }, /hostname: required/, 'D7Y_ERR_INVALID_ARGUMENT'],
        [{ ...SCHEDULER, hostname: 'x'.repeat(300), port: 1 }, /hostname: at most 256/, 'D7Y_ERR_INVALID_ARGUMENT'],
        [{ ...SCHEDULER, ip: 'nope', port: 1 }, /ip: expected an IPv4 or IPv6/, 'D7Y_ERR_INVALID_ARGUMENT'],
        [{ ...SCHEDULER, port: 0 }, /port: expected 1\.\.65535/, 'D7Y_ERR_INVALID_ARGUMENT'],
        [{ ...SCHEDULER, port: 1, schedulerClusterId: 0 }, /scheduler_cluster_id: required/, 'D7Y_ERR_INVALID_ARGUMENT'],
        [{ ...SCHEDULER, port: 1, sourceType: 'PEER_SOURCE' }, /source_type: expected SCHEDULER_SOURCE/, 'D7Y_ERR_INVALID_ARGUMENT'],
        [{ ...SCHEDULER, port: 1, features: ['BAD FEATURE'] }, /features\[0\]: expected a feature name/, 'D7Y_ERR_INVALID_ARGUMENT'],
        [{ ...SCHEDULER, port: 1, config: Buffer.from('[1]') }, /config: expected a JSON object/, 'D7Y_ERR_INVALID_ARGUMENT'],
        [{ ...SCHEDULER, port: 1, idc: 'x'.repeat(2000) }, /idc: at most 1024/, 'D7Y_ERR_INVALID_ARGUMENT'],
        [{ ...SCHEDULER, port: 1, schedulerClusterId: 999 }, /scheduler cluster 999 not found/, 'D7Y_ERR_NOT_FOUND'],
      ];
      for (const [request, message, code] of cases) {
        const error = await rejection(client.updateScheduler(request));
        expect(error.code, String(message)).toBe(code);
        expect(error.message).toMatch(message);
      }
    });

    it('marks a scheduler active on its first keep-alive and inactive when the stream ends', async () => {
      const stream = client.keepAlive();
      stream.send({ sourceType: 'SCHEDULER_SOURCE', hostname: 'sched-a', ip: '127.0.0.1', clusterId: 1 });
      await until(async () => (await repos.schedulers.findByKey({ host_name: 'sched-a', ip: '127.0.0.1', scheduler_cluster_id: 1 }))?.state === 'active');
      const listed = await client.listSchedulers({ sourceType: 'PEER_SOURCE', hostname: 'peer-1', ip: '10.9.9.9' });
      expect(listed.schedulers.map((s) => s.hostname)).toEqual(['sched-a']);
      stream.end();
      await stream.done;
      const row = await repos.schedulers.findByKey({ host_name: 'sched-a', ip: '127.0.0.1', scheduler_cluster_id: 1 });
      expect(row?.state).toBe('inactive');
      expect(row?.last_keep_alive_at).toBeInstanceOf(Date);
      expect((await client.listSchedulers({ sourceType: 'PEER_SOURCE', hostname: 'peer-1', ip: '10.9.9.9' })).schedulers).toEqual([]);
    });

    it('refuses a keep-alive from an unregistered sender and a stream that changes sender', async () => {
      const unknown = client.keepAlive();
      unknown.send({ sourceType: 'SCHEDULER_SOURCE', hostname: 'ghost', ip: '127.0.0.1', clusterId: 1 });
      expect((await rejection(unknown.done)).code).toBe('D7Y_ERR_NOT_FOUND');
      const switching = client.keepAlive();
      switching.send({ sourceType: 'SCHEDULER_SOURCE', hostname: 'sched-a', ip: '127.0.0.1', clusterId: 1 });
      await new Promise((r) => setTimeout(r, 1100));
      switching.send({ sourceType: 'SCHEDULER_SOURCE', hostname: 'sched-b', ip: '127.0.0.1', clusterId: 1 });
      expect((await rejection(switching.done)).code).toBe('D7Y_ERR_INVALID_ARGUMENT');
      await until(async () => (await repos.schedulers.findByKey({ host_name: 'sched-a', ip: '127.0.0.1', scheduler_cluster_id: 1 }))?.state === 'inactive');
    });

    it('marks a scheduler inactive when its stream is cut (a crash)', async () => {
      const stream = client.keepAlive();
      stream.send({ sourceType: 'SCHEDULER_SOURCE', hostname: 'sched-a', ip: '127.0.0.1', clusterId: 1 });
      const key = { host_name: 'sched-a', ip: '127.0.0.1', scheduler_cluster_id: 1 };
      await until(async () => (await repos.schedulers.findByKey(key))?.state === 'active');
      stream.cancel();
      expect((await rejection(stream.done)).code).toBe('D7Y_ERR_CANCELLED');
      await until(async () => (await repos.schedulers.findByKey(key))?.state === 'inactive');
    });

    it('keeps a scheduler active while any of its streams is open', async () => {
      const first = client.keepAlive();
      const second = client.keepAlive();
      first.send({ sourceType: 'SCHEDULER_SOURCE', hostname: 'sched-a', ip: '127.0.0.1', clusterId: 1 });
      second.send({ sourceType: 'SCHEDULER_SOURCE', hostname: 'sched-a', ip: '127.0.0.1', clusterId: 1 });
      const key = { host_name: 'sched-a', ip: '127.0.0.1', scheduler_cluster_id: 1 };
      await until(async () => (await repos.schedulers.findByKey(key))?.state === 'active');
      await new Promise((r) => setTimeout(r, 200));
      first.end();
      await first.done;
      expect((await repos.schedulers.findByKey(key))?.state).toBe('active');
      second.end();
      await second.done;
      expect((await repos.schedulers.findByKey(key))?.state).toBe('inactive');
    });

    it('serves GetScheduler with cluster config, client config and active seed peers', async () => {
      const seed = await client.updateSeedPeer({ sourceType: 'SEED_PEER_SOURCE', hostname: 'seed-a', ip: '127.0.0.2', type: 'super', port: 4000, downloadPort: 4005, seedPeerClusterId: 1 });
      expect(seed).toMatchObject({ hostname: 'seed-a', type: 'super', port: 4000, downloadPort: 4005, state: 'inactive' });
      const seedStream = client.keepAlive();
      seedStream.send({ sourceType: 'SEED_PEER_SOURCE', hostname: 'seed-a', ip: '127.0.0.2', clusterId: 1 });
      await until(async () => (await repos.seedPeers.findByKey({ host_name: 'seed-a', ip: '127.0.0.2', seed_peer_cluster_id: 1 }))?.state === 'active');
      const scheduler = await client.getScheduler({ sourceType: 'SCHEDULER_SOURCE', hostname: 'sched-a', ip: '127.0.0.1', schedulerClusterId: 1 });
      expect(JSON.parse(scheduler.schedulerCluster!.config.toString())).toEqual({ candidate_parent_limit: 3, filter_parent_limit: 15, job_rate_limit: 10 });
      expect(JSON.parse(scheduler.schedulerCluster!.clientConfig.toString())).toEqual({ load_limit: 200 });
      expect(scheduler.seedPeers.map((p) => p.hostname)).toEqual(['seed-a']);
      expect((await client.listSeedPeers({ sourceType: 'PEER_SOURCE', hostname: 'p', ip: '10.0.0.1' })).seedPeers.map((p) => p.hostname)).toEqual(['seed-a']);
      expect((await client.getSeedPeer({ sourceType: 'SEED_PEER_SOURCE', hostname: 'seed-a', ip: '127.0.0.2', seedPeerClusterId: 1 })).seedPeerCluster?.name).toBe('cluster-1');
      seedStream.end();
      await seedStream.done;
      expect((await client.getScheduler({ sourceType: 'SCHEDULER_SOURCE', hostname: 'sched-a', ip: '127.0.0.1', schedulerClusterId: 1 })).seedPeers).toEqual([]);
      await client.deleteSeedPeer({ sourceType: 'SEED_PEER_SOURCE', hostname: 'seed-a', ip: '127.0.0.2', seedPeerClusterId: 1 });
      expect((await rejection(client.getSeedPeer({ sourceType: 'SEED_PEER_SOURCE', hostname: 'seed-a', ip: '127.0.0.2', seedPeerClusterId: 1 }))).code).toBe('D7Y_ERR_NOT_FOUND');
      expect((await rejection(client.getScheduler({ sourceType: 'SCHEDULER_SOURCE', hostname: 'nobody', ip: '127.0.0.1', schedulerClusterId: 1 }))).code).toBe('D7Y_ERR_NOT_FOUND');
    });

    it('gives a peer the schedulers of the cluster whose scopes match it, best first', async () => {
      const scoped = await repos.schedulerClusters.create({ name: 'idc-b', scopes: { idc: 'idc-b', cidrs: ['10.20.0.0/16'] } });
      await client.updateScheduler({ ...SCHEDULER, hostname: 'sched-b', schedulerClusterId: scoped.id, port: 8004 });
      const streams = [client.keepAlive(), client.keepAlive()];
      streams[0].send({ sourceType: 'SCHEDULER_SOURCE', hostname: 'sched-a', ip: '127.0.0.1', clusterId: 1 });
      streams[1].send({ sourceType: 'SCHEDULER_SOURCE', hostname: 'sched-b', ip: '127.0.0.1', clusterId: scoped.id });
      await until(async () => (await repos.schedulers.activeIn([1, scoped.id])).length === 2);

      const inCidr = await client.listSchedulers({ sourceType: 'PEER_SOURCE', hostname: 'p1', ip: '10.20.3.4', version: 'v1' });
      expect(inCidr.schedulers.map((s) => [s.hostname, s.schedulerClusterId])).toEqual([['sched-b', scoped.id], ['sched-a', 1]]);
      const inIdc = await client.listSchedulers({ sourceType: 'SEED_PEER_SOURCE', hostname: 'p2', ip: '192.168.1.1', idc: 'idc-b' });
      expect(inIdc.schedulers[0].hostname).toBe('sched-b');
      const elsewhere = await client.listSchedulers({ sourceType: 'PEER_SOURCE', hostname: 'p3', ip: '192.168.1.1' });
      expect(elsewhere.schedulers[0].hostname).toBe('sched-a');
      const pinned = await client.listSchedulers({ sourceType: 'PEER_SOURCE', hostname: 'p1', ip: '10.20.3.4', schedulerClusterId: 1 });
      expect(pinned.schedulers.map((s) => s.hostname)).toEqual(['sched-a']);
      expect((await rejection(client.listSchedulers({ sourceType: 'PEER_SOURCE', hostname: 'p1', ip: '10.20.3.4', schedulerClusterId: 999 }))).code).toBe('D7Y_ERR_NOT_FOUND');
      expect((await rejection(client.listSchedulers({ sourceType: 'SCHEDULER_SOURCE', hostname: 'p1', ip: '10.20.3.4' }))).message).toMatch(/source_type/);

      streams[1].end();
      await streams[1].done;
      const after = await client.listSchedulers({ sourceType: 'PEER_SOURCE', hostname: 'p1', ip: '10.20.3.4', version: 'v1' });
      expect(after.schedulers.map((s) => s.hostname)).toEqual(['sched-a']);
      streams[0].end();
      await streams[0].done;
    });

    it('lists applications with their priorities', async () => {
      await repos.applications.create({ name: 'models', url: 'https://m', priority: { value: 3, urls: [{ regex: '^https://big', value: 2 }] } });
      const { applications } = await client.listApplications({ sourceType: 'SCHEDULER_SOURCE', hostname: 'sched-a', ip: '127.0.0.1' });
      expect(applications).toEqual([
        expect.objectContaining({ name: 'models', url: 'https://m', priority: { value: 'LEVEL3', urls: [{ regex: '^https://big', value: 'LEVEL2' }] } }),
      ]);
    });

    it('counts calls and searches in Prometheus metrics', async () => {
      const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
      expect(text).toMatch(/dragonfly_manager_search_scheduler_cluster_total\{version="v1",commit=""\} [1-9]/);
      expect(text).toMatch(/dragonfly_manager_grpc_request_total\{method="UpdateScheduler"\} [1-9]/);
      expect(text).toMatch(/dragonfly_manager_grpc_request_failure_total\{method="UpdateScheduler"\} [1-9]/);
      expect(text).toMatch(/dragonfly_manager_keepalive_streams 0/);
      expect(text).toMatch(/dragonfly_manager_version\{git_version="[^"]+",platform="[^"]+"\} 1/);
    });
  });
}
