/**
 * dfdaemon's scheduler discovery against a real manager and real schedulers (in-process, SQLite): the pool
 * follows the manager's list, a pinned `host.schedulerClusterID` wins over the searcher, the last good list is
 * kept while the manager is down, and a seed peer registers and keeps alive.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { parseConfig } from '../../core/src/config/load.js';
import { DfdaemonDynconfig, type DaemonIdentity } from '../../core/src/dfdaemon/dynconfig/DfdaemonDynconfig.js';
import { SchedulerPool } from '../../core/src/dfdaemon/p2p/SchedulerPool.js';
import { silentLogger } from '../../core/src/kernel/defaults.js';
import { Manager } from '../../core/src/manager/Manager.js';
import { createRepositories, type Repositories } from '../../core/src/manager/models/index.js';
import type { Plugin } from '../../core/src/plugin-api/index.js';
import { Scheduler } from '../../core/src/scheduler/Scheduler.js';
import sqlitePlugin from '../../plugins/database-sqlite/src/index.js';
import { buildDriver } from '../helpers/managerDb.js';
import { freePorts } from '../helpers/ports.js';
import { inlineEvaluator } from '../helpers/schedulerKit.js';

const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000) => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for: ${what}`);
};

describe('dfdaemon dynconfig against a real manager', () => {
  let dir: string;
  let manager: Manager;
  let managerAddr: string;
  let repos: Repositories;
  const schedulers: Scheduler[] = [];
  const links: Array<{ stop(): unknown }> = [];

  const startScheduler = async (name: string, clusterId: number) => {
    const [port] = await freePorts(1);
    const { config } = parseConfig(
      'scheduler',
      stringify({
        server: { listenIP: '127.0.0.1', advertiseIP: '127.0.0.1', port, host: name, cacheDir: join(dir, `cache-${name}`) },
        manager: { addr: managerAddr, schedulerClusterID: clusterId, keepAlive: { interval: '200ms' } },
        seedPeer: { enable: false },
      }),
      'scheduler.yaml',
    );
    const scheduler = new Scheduler(config, undefined, silentLogger, { evaluator: inlineEvaluator, defaultMetrics: false });
    await scheduler.start();
    schedulers.push(scheduler);
    return { scheduler, addr: `127.0.0.1:${port}` };
  };
  const link = (identity: Partial<DaemonIdentity> = {}, cachePath?: string) => {
    const pool = new SchedulerPool([], () => ({}), 60_000, silentLogger);
    const dyn = new DfdaemonDynconfig(
      { hostname: 'peer-x', ip: '10.7.0.1', idc: '', location: '', version: 'test', ...identity },
      pool,
      { managerAddr, credentials: credentials.createInsecure(), refreshIntervalMs: 200, cachePath },
      silentLogger,
    );
    links.push(dyn, pool);
    return { pool, dyn };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'd7y-dfdaemon-dyn-'));
    const [port] = await freePorts(1);
    managerAddr = `127.0.0.1:${port}`;
    const { config } = parseConfig('manager', stringify({ server: { grpc: { listenIP: '127.0.0.1', port } }, database: { type: 'sqlite' } }), 'manager.yaml');
    const db = buildDriver(sqlitePlugin as Plugin<never>, { path: join(dir, 'manager.db') });
    manager = new Manager(config, undefined, silentLogger, { db, rest: false });
    await manager.start();
    repos = createRepositories(db);
  });
  afterAll(async () => {
    for (const l of links) await l.stop();
    for (const s of schedulers) await s.stop(100);
    await manager.stop(100);
    await rm(dir, { recursive: true, force: true });
  });

  it('fills the pool from ListSchedulers and follows changes without a restart', async () => {
    const a = await startScheduler('sched-1', 1);
    const { pool, dyn } = link();
    await dyn.start();
    expect(pool.addrs()).toEqual([a.addr]);
    expect(dyn.clusterId).toBe(1);
    const b = await startScheduler('sched-2', 1);
    await until('both schedulers in the pool', () => pool.addrs().length === 2);
    await a.scheduler.stop(100);
    await until('the stopped scheduler leaves the pool', () => pool.addrs().join() === b.addr);
  });

  it('uses the pinned cluster when host.schedulerClusterID is set', async () => {
    const other = await repos.schedulerClusters.create({ name: 'pinned' });
    const c = await startScheduler('sched-3', other.id);
    const { pool, dyn } = link({ schedulerClusterId: other.id });
    await dyn.start();
    expect(pool.addrs()).toEqual([c.addr]);
    expect(dyn.clusterId).toBe(other.id);
  });

  it('registers a seed peer and keeps it alive; stopping marks it inactive', async () => {
    const { dyn } = link({ hostname: 'seed-x', seedPeer: { type: 'super', clusterId: 1, keepAliveIntervalMs: 200, port: 4000, downloadPort: 4005 } });
    await dyn.start();
    await until('seed peer active', async () => (await repos.seedPeers.findAll({ host_name: 'seed-x' }))[0]?.state === 'active');
    expect((await repos.seedPeers.findAll({ host_name: 'seed-x' }))[0]).toMatchObject({ port: 4000, download_port: 4005, type: 'super', ip: '10.7.0.1' });
    await dyn.stop();
    await until('seed peer inactive', async () => (await repos.seedPeers.findAll({ host_name: 'seed-x' }))[0]?.state === 'inactive');
  });

  it('keeps the last good list while the manager is down, also across a restart', async () => {
    const cachePath = join(dir, 'peer-cache', 'dynconfig.json');
    const { pool, dyn } = link({}, cachePath);
    await dyn.start();
    const before = pool.addrs();
    expect(before.length).toBeGreaterThan(0);
    await manager.stop(100);
    expect(await dyn.refresh()).toBe(false);
    expect(pool.addrs()).toEqual(before);
    await dyn.stop();
    const restarted = link({}, cachePath);
    await restarted.dyn.start();
    expect(restarted.pool.addrs()).toEqual(before);
    expect(restarted.dyn.clusterId).toBe(1);
  });
});
