/**
 * The manager's repositories, migrations and seed: one test body run against SQLite (always) and against real
 * PostgreSQL and MariaDB when their URLs are set (scripts/services/*.sh).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { silentLogger } from '../../core/src/kernel/defaults.js';
import { managerMigrations } from '../../core/src/manager/database/migrations.js';
import { LivenessSweeper } from '../../core/src/manager/LivenessSweeper.js';
import { JobGarbageCollector } from '../../core/src/manager/job/JobGarbageCollector.js';
import { JobRepository, type JobState } from '../../core/src/manager/job/JobRepository.js';
import { countPeers, removeUnreportedPeers, storeSyncedPeers } from '../../core/src/manager/job/peerSync.js';
import { ManagerMetrics } from '../../core/src/manager/metrics/ManagerMetrics.js';
import { DEFAULT_CLUSTER_NAME, seedDefaults } from '../../core/src/manager/database/seed.js';
import { createRepositories, MAX_PER_PAGE, type Repositories } from '../../core/src/manager/models/index.js';
import type { DatabaseDriver } from '../../core/src/plugin-api/index.js';
import { DB_TARGETS, warnSkipped } from '../helpers/managerDb.js';

async function codeOf(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { code?: string; message: string },
  );
  expect(error, 'expected a rejection').toBeDefined();
  return error!;
}

for (const target of DB_TARGETS) {
  warnSkipped(target, 'manager repositories');

  describe.skipIf(target.missing)(`manager repositories: ${target.dialect}`, () => {
    let db: DatabaseDriver;
    let cleanup: () => Promise<void>;
    let repos: Repositories;

    beforeAll(async () => {
      ({ db, cleanup } = await target.fresh());
      const applied = await db.migrate(managerMigrations);
      expect(applied).toEqual(managerMigrations.map((m) => m.version));
      expect(await db.migrate(managerMigrations)).toEqual([]);
      repos = createRepositories(db);
    });
    afterAll(async () => cleanup?.());

    it('seeds cluster-1 with Dragonfly config and its seed peer cluster, once', async () => {
      expect(await seedDefaults(db)).toBe(true);
      expect(await seedDefaults(db)).toBe(false);
      const clusters = await repos.schedulerClusters.list();
      expect(clusters.total).toBe(1);
      const cluster = clusters.items[0];
      expect(cluster).toMatchObject({
        name: DEFAULT_CLUSTER_NAME,
        is_default: true,
        is_del: 0,
        config: { candidate_parent_limit: 3, filter_parent_limit: 15, job_rate_limit: 10 },
        client_config: { load_limit: 200 },
        scopes: {},
      });
      expect(cluster.created_at).toBeInstanceOf(Date);
      const [seedCluster] = await repos.seedPeerClusters.findAll({ name: DEFAULT_CLUSTER_NAME });
      expect(seedCluster.config).toEqual({ load_limit: 2000 });
      expect(await repos.clusterLinks.schedulerClusterIdsOf(seedCluster.id)).toEqual([cluster.id]);
      expect(await repos.clusterLinks.seedPeerClusterIdsOf(cluster.id)).toEqual([seedCluster.id]);
    });

    it('creates, reads, updates and soft-deletes a scheduler cluster; a deleted name can be reused', async () => {
      const created = await repos.schedulerClusters.create({ name: 'idc-a', bio: 'first', scopes: { idc: 'a|b', cidrs: ['10.0.0.0/8'], hostnames: ['^web-'] } });
      expect(created).toMatchObject({ name: 'idc-a', bio: 'first', is_default: false, config: {}, scopes: { idc: 'a|b', cidrs: ['10.0.0.0/8'] } });
      const updated = await repos.schedulerClusters.update(created.id, { bio: 'second', config: { candidate_parent_limit: 5 } });
      expect(updated).toMatchObject({ id: created.id, bio: 'second', name: 'idc-a', config: { candidate_parent_limit: 5 } });
      expect(updated.updated_at.getTime()).toBeGreaterThanOrEqual(created.updated_at.getTime());
      expect((await codeOf(repos.schedulerClusters.create({ name: 'idc-a' }))).code).toBe('D7Y_ERR_ALREADY_EXISTS');
      await repos.schedulerClusters.delete(created.id);
      expect(await repos.schedulerClusters.find(created.id)).toBeUndefined();
      expect((await codeOf(repos.schedulerClusters.get(created.id))).code).toBe('D7Y_ERR_NOT_FOUND');
      expect((await codeOf(repos.schedulerClusters.delete(created.id))).code).toBe('D7Y_ERR_NOT_FOUND');
      const again = await repos.schedulerClusters.create({ name: 'idc-a' });
      expect(again.id).not.toBe(created.id);
      await repos.schedulerClusters.delete(again.id);
    });

    it('rejects bad input naming the field', async () => {
      const cases: [Promise<unknown>, RegExp][] = [
        [repos.schedulerClusters.create({ name: '' }), /^name: required/],
        [repos.schedulerClusters.create({ name: 'x'.repeat(257) }), /^name: at most 256/],
        [repos.schedulerClusters.create({ name: 'c', scopes: { cidrs: ['10.0.0.0/99'] } }), /^scopes\.cidrs\[0\]: expected a CIDR/],
        [repos.schedulerClusters.create({ name: 'c', scopes: { hostnames: ['('] } }), /^scopes\.hostnames\[0\]: expected a valid regular expression/],
        [repos.schedulerClusters.create({ name: 'c', config: { candidate_parent_limit: 0 } }), /^config\.candidate_parent_limit: expected an integer 1\.\.20/],
        [repos.schedulerClusters.create({ name: 'c', bogus: 1 } as never), /^bogus: unknown field/],
        [repos.schedulers.create({ host_name: 'h', ip: '1.1.1.1', scheduler_cluster_id: 1, port: 70000 }), /^port: expected 0\.\.65535/],
        [repos.applications.create({ name: 'a', priority: { value: 9 } }), /^priority\.value: expected an integer 0\.\.6/],
        [repos.schedulers.create({ host_name: 'h', ip: '1.1.1.1', scheduler_cluster_id: 1, state: 'bogus' as never }), /^state: expected one of active, inactive/],
        [repos.seedPeers.create({ host_name: 'h', ip: '1.1.1.1', seed_peer_cluster_id: 1, type: 'normal' }), /^type: expected one of super, strong, weak/],
        [repos.schedulers.list({ per_page: MAX_PER_PAGE + 1 }), /^per_page: expected 1\.\.1000/],
        [repos.schedulers.list({ page: 0 }), /^page: expected/],
        [repos.schedulers.list({ filters: { bio: 'x' } as never }), /^bio: not a filter of schedulers/],
      ];
      for (const [promise, message] of cases) {
        const error = await codeOf(promise);
        expect(error.code).toBe('D7Y_ERR_INVALID_ARGUMENT');
        expect(error.message).toMatch(message);
      }
    });

    it('upserts schedulers by (host_name, ip, cluster) and tracks liveness', async () => {
      const key = { host_name: 'sched-1', ip: '10.0.0.1', scheduler_cluster_id: 1 };
      const first = await repos.schedulers.upsert(key, { port: 8002, idc: 'idc-1', features: ['schedule'] });
      expect(first).toMatchObject({ ...key, port: 8002, idc: 'idc-1', state: 'inactive', features: ['schedule'], last_keep_alive_at: null });
      const second = await repos.schedulers.upsert(key, { port: 8003 });
      expect(second.id).toBe(first.id);
      expect(second.port).toBe(8003);
      const at = new Date('2026-01-02T03:04:05.678Z');
      expect(await repos.schedulers.setLiveness(key, 'active', at)).toBe(true);
      const active = await repos.schedulers.get(first.id);
      expect(active.state).toBe('active');
      expect(active.last_keep_alive_at?.toISOString()).toBe(at.toISOString());
      expect((await repos.schedulers.activeIn([1])).map((s) => s.id)).toEqual([first.id]);
      expect(await repos.schedulers.activeIn([2])).toEqual([]);
      expect(await repos.schedulers.setLiveness(key, 'inactive')).toBe(true);
      expect(await repos.schedulers.activeIn([1])).toEqual([]);
      expect(await repos.schedulers.setLiveness({ ...key, ip: '10.9.9.9' }, 'active')).toBe(false);
      const cluster = await repos.schedulerClusters.findOne({ name: DEFAULT_CLUSTER_NAME });
      expect((await codeOf(repos.schedulerClusters.delete(cluster!.id))).code).toBe('D7Y_ERR_FAILED_PRECONDITION');
    });

    it('paginates and filters lists with totals', async () => {
      for (let i = 0; i < 5; i++) await repos.peers.create({ host_name: `peer-${i}`, ip: `10.1.0.${i}`, scheduler_cluster_id: i % 2 === 0 ? 1 : 2 });
      const page1 = await repos.peers.list({ page: 1, per_page: 2 });
      expect(page1).toMatchObject({ total: 5, page: 1, per_page: 2 });
      expect(page1.items.map((p) => p.host_name)).toEqual(['peer-0', 'peer-1']);
      const page3 = await repos.peers.list({ page: 3, per_page: 2 });
      expect(page3.items.map((p) => p.host_name)).toEqual(['peer-4']);
      const filtered = await repos.peers.list({ filters: { scheduler_cluster_id: 1 } });
      expect(filtered.total).toBe(3);
      expect((await repos.peers.list({ filters: { host_name: "peer-0' OR '1'='1" } })).total).toBe(0);
    });

    it('stores seed peers, applications and configs in Dragonfly shapes', async () => {
      const seed = await repos.seedPeers.upsert({ host_name: 'seed-1', ip: '10.2.0.1', seed_peer_cluster_id: 1 }, { port: 4000, download_port: 4005, type: 'super' });
      expect(seed).toMatchObject({ host_name: 'seed-1', port: 4000, download_port: 4005, type: 'super', state: 'inactive' });
      await repos.seedPeers.setLiveness({ host_name: 'seed-1', ip: '10.2.0.1', seed_peer_cluster_id: 1 }, 'active');
      expect((await repos.seedPeers.inClusters([1])).map((s) => s.state)).toEqual(['active']);
      const app = await repos.applications.create({ name: 'app', url: 'https://example.com', priority: { value: 2, urls: [{ regex: '^https://a', value: 1 }] } });
      expect(app.priority).toEqual({ value: 2, urls: [{ regex: '^https://a', value: 1 }] });
      const config = await repos.configs.create({ name: 'gc', value: '{"job":{"ttl":1}}' });
      expect((await repos.configs.byName('gc'))?.id).toBe(config.id);
      const link = await repos.seedPeerClusters.create({ name: 'spc-2' });
      await repos.clusterLinks.link(link.id, 1);
      await repos.clusterLinks.link(link.id, 1);
      expect(await repos.clusterLinks.seedPeerClusterIdsOf(1)).toContain(link.id);
      await repos.clusterLinks.unlink(link.id, 1);
      expect(await repos.clusterLinks.seedPeerClusterIdsOf(1)).not.toContain(link.id);
    });

    it('runs repositories inside a transaction and rolls back on failure', async () => {
      await expect(
        db.transaction(async (tx) => {
          await createRepositories(tx).schedulerClusters.create({ name: 'rolled-back' });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await repos.schedulerClusters.findOne({ name: 'rolled-back' })).toBeUndefined();
    });

    it('expires stale liveness of schedulers and seed peers, leaving fresh ones active', async () => {
      const stale = { host_name: 'stale-1', ip: '10.0.0.9', scheduler_cluster_id: 1 };
      const fresh = { host_name: 'fresh-1', ip: '10.0.0.10', scheduler_cluster_id: 1 };
      const staleSeed = { host_name: 'stale-seed', ip: '10.0.0.11', seed_peer_cluster_id: 1 };
      await repos.schedulers.upsert(stale, { port: 1 });
      await repos.schedulers.upsert(fresh, { port: 1 });
      await repos.seedPeers.upsert(staleSeed, { port: 1 });
      await repos.schedulers.setLiveness(stale, 'active', new Date(Date.now() - 10 * 60_000));
      await repos.seedPeers.setLiveness(staleSeed, 'active', new Date(Date.now() - 10 * 60_000));
      await repos.schedulers.setLiveness(fresh, 'active');
      let expired = 0;
      const sweeper = new LivenessSweeper(repos, 60_000, silentLogger, async () => void expired++);
      expect(await sweeper.sweep()).toBe(2);
      expect(expired).toBe(1);
      expect(await sweeper.sweep()).toBe(0);
      expect(expired).toBe(1);
      expect((await repos.schedulers.findByKey(stale))?.state).toBe('inactive');
      expect((await repos.seedPeers.findByKey(staleSeed))?.state).toBe('inactive');
      expect((await repos.schedulers.findByKey(fresh))?.state).toBe('active');
      await repos.schedulers.setLiveness(fresh, 'inactive');
    });

    it('job.gc deletes finished jobs older than the ttl with their cluster links, in batches; pending and recent jobs stay', async () => {
      const jobs = new JobRepository(db);
      const hour = 3_600_000;
      const make = async (state: JobState, ageMs: number) => {
        const job = await jobs.create({ task_id: `group_gc_${state}_${ageMs}`, bio: '', type: 'preheat', state, args: {}, result: null, user_id: 1 });
        await jobs.link(job.id, [1], [1]);
        await db.execute('UPDATE jobs SET updated_at = ? WHERE id = ?', [new Date(Date.now() - ageMs), job.id]);
        return job.id;
      };
      const old = [await make('SUCCESS', 7 * hour), await make('FAILURE', 8 * hour), await make('SUCCESS', 30 * hour)];
      const oldPending = await make('PENDING', 9 * hour);
      const recent = await make('SUCCESS', hour);
      const gc = new JobGarbageCollector(db, { intervalMs: hour, ttlMs: 6 * hour, batchSize: 2 }, silentLogger);
      expect(await gc.collect()).toBe(3);
      for (const id of old) {
        await expect(jobs.get(id)).rejects.toMatchObject({ code: 'D7Y_ERR_NOT_FOUND' });
        expect(await jobs.schedulerClusterIdsOf(id)).toEqual([]);
        expect(await jobs.seedPeerClusterIdsOf(id)).toEqual([]);
      }
      expect((await jobs.get(oldPending)).state).toBe('PENDING');
      expect((await jobs.get(recent)).state).toBe('SUCCESS');
      expect(await jobs.schedulerClusterIdsOf(recent)).toEqual([1]);
      expect(await gc.collect()).toBe(0);
    });

    it('sync_peers stores reported hosts (created, then refreshed), and removes the peers no scheduler reported', async () => {
      const host = (name: string, port: number) => ({
        hostname: name, ip: '10.0.0.1', type: 'normal', port, download_port: port + 1, proxy_port: 0, idc: 'idc-a', location: 'l',
        os: 'linux', platform: 'debian', platform_family: 'debian', platform_version: '12', kernel_version: '6.1', git_version: 'v1',
      });
      await repos.peers.create({ host_name: 'old', ip: '10.0.0.2', state: 'active', scheduler_cluster_id: 1 });
      const [stale] = await repos.peers.findAll({ host_name: 'old' });
      await new Promise((r) => setTimeout(r, 1100)); // timestamps have one-second precision on some databases
      const started = new Date();
      expect(await storeSyncedPeers(db, 1, [host('a', 4000), host('b', 4100), { ...host('', 1), hostname: '' }], 1)).toBe(2);
      expect(await storeSyncedPeers(db, 1, [host('a', 4200)], 500)).toBe(1);
      const a = (await repos.peers.findAll({ host_name: 'a' }))[0];
      expect(a).toMatchObject({ port: 4200, download_port: 4201, state: 'active', idc: 'idc-a', os: 'linux', git_version: 'v1', scheduler_cluster_id: 1 });
      expect(await repos.peers.count({ host_name: 'a' })).toBe(1);
      const unreported = (await repos.peers.findAll({ scheduler_cluster_id: 1 })).filter((p) => p.host_name !== 'a' && p.host_name !== 'b');
      expect(unreported.map((p) => p.host_name)).toContain('old');
      expect(await removeUnreportedPeers(db, [1, 1], started)).toBe(unreported.length);
      expect(await repos.peers.find(stale.id)).toBeUndefined();
      expect((await repos.peers.findAll({ scheduler_cluster_id: 1 })).map((p) => p.host_name).sort()).toEqual(['a', 'b']);
      const metrics = new ManagerMetrics('test', { defaultMetrics: false });
      await countPeers(db, metrics.peerTotal);
      const all = await repos.peers.findAll();
      const v1 = all.filter((p) => p.git_version === 'v1' && p.git_commit === '').length;
      expect(v1).toBeGreaterThanOrEqual(2);
      expect((await metrics.peerTotal.get()).values.find((v) => v.labels.version === 'v1' && v.labels.commit === '')?.value).toBe(v1);
    });
  });
}
