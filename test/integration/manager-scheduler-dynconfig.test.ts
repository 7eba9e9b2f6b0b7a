/**
 * A real scheduler linked to a real manager (SQLite): registration and liveness, cluster config applied live,
 * the last good config kept while the manager is down, and re-registration when it comes back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { parseConfig } from '../../core/src/config/load.js';
import { silentLogger } from '../../core/src/kernel/defaults.js';
import { Manager } from '../../core/src/manager/Manager.js';
import { createRepositories } from '../../core/src/manager/models/index.js';
import type { DatabaseDriver, Plugin } from '../../core/src/plugin-api/index.js';
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

describe('scheduler dynconfig against a real manager', () => {
  let dir: string;
  let managerPort: number;
  let schedulerPort: number;
  let manager: Manager | undefined;
  let scheduler: Scheduler;
  let inspect: DatabaseDriver;

  const startManager = async () => {
    const { config } = parseConfig('manager', stringify({ server: { grpc: { listenIP: '127.0.0.1', port: managerPort } }, database: { type: 'sqlite' } }), 'manager.yaml');
    manager = new Manager(config, undefined, silentLogger, { db: buildDriver(sqlitePlugin as Plugin<never>, { path: join(dir, 'manager.db') }), rest: false });
    await manager.start();
  };
  const row = async () => createRepositories(manager!.db!).schedulers.findByKey({ host_name: 'sched-dyn', ip: '127.0.0.1', scheduler_cluster_id: 1 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'd7y-sched-dyn-'));
    [managerPort, schedulerPort] = await freePorts(2);
    await startManager();
    inspect = manager!.db!;
    await createRepositories(inspect).schedulerClusters.update(1, { config: { candidate_parent_limit: 5, filter_parent_limit: 40 } });
    const { config } = parseConfig(
      'scheduler',
      stringify({
        server: { listenIP: '127.0.0.1', advertiseIP: '127.0.0.1', port: schedulerPort, host: 'sched-dyn', cacheDir: join(dir, 'scheduler-cache') },
        manager: { addr: `127.0.0.1:${managerPort}`, schedulerClusterID: 1, keepAlive: { interval: '200ms' } },
        dynConfig: { refreshInterval: '300ms' },
        host: { idc: 'idc-x', location: 'cn|hz' },
        seedPeer: { enable: false },
      }),
      'scheduler.yaml',
    );
    scheduler = new Scheduler(config, undefined, silentLogger, { evaluator: inlineEvaluator, defaultMetrics: false });
    await scheduler.start();
  });
  afterAll(async () => {
    await scheduler?.stop(100);
    await manager?.stop(100);
    await rm(dir, { recursive: true, force: true });
  });

  it('registers, shows active, and applies the cluster config', async () => {
    await until('scheduler row active', async () => (await row())?.state === 'active');
    expect(await row()).toMatchObject({ port: schedulerPort, idc: 'idc-x', location: 'cn|hz', features: ['schedule', 'preheat'] });
    expect(scheduler.limits).toEqual({ candidateParentLimit: 5, filterParentLimit: 40, peerLoadLimit: 200, seedLoadLimit: 2000 });
  });

  it('applies a changed cluster config at the next refresh', async () => {
    await createRepositories(manager!.db!).schedulerClusters.update(1, { config: { candidate_parent_limit: 7, filter_parent_limit: 40 }, client_config: { load_limit: 30 } });
    await until('limit 7 applied', () => scheduler.limits.candidateParentLimit === 7);
    expect(scheduler.limits.peerLoadLimit).toBe(30);
    expect(scheduler.dynconfig?.snapshot?.scheduler.schedulerCluster?.name).toBe('cluster-1');
  });

  it('keeps its last good config while the manager is down and re-registers when it returns', async () => {
    await manager!.stop(100);
    await until('scheduler notices the manager is gone', () => scheduler.dynconfig?.connected === false);
    // A manager shutting down does not mark the schedulers whose streams it cut inactive: they are alive.
    const peek = buildDriver(sqlitePlugin as Plugin<never>, { path: join(dir, 'manager.db') });
    await peek.connect();
    expect((await createRepositories(peek).schedulers.findAll({ host_name: 'sched-dyn' }))[0]?.state).toBe('active');
    await peek.close();
    await new Promise((r) => setTimeout(r, 700));
    expect(scheduler.limits.candidateParentLimit).toBe(7);
    // A scheduler restarted meanwhile starts on the saved config.
    const [restartPort] = await freePorts(1);
    const { config: restartConfig } = parseConfig(
      'scheduler',
      stringify({
        server: { listenIP: '127.0.0.1', advertiseIP: '127.0.0.1', port: restartPort, host: 'sched-restarted', cacheDir: join(dir, 'scheduler-cache') },
        manager: { addr: `127.0.0.1:${managerPort}` },
        seedPeer: { enable: false },
      }),
      'scheduler.yaml',
    );
    const restarted = new Scheduler(restartConfig, undefined, silentLogger, { evaluator: inlineEvaluator, defaultMetrics: false });
    await restarted.start();
    expect(restarted.limits).toEqual({ candidateParentLimit: 7, filterParentLimit: 40, peerLoadLimit: 30, seedLoadLimit: 2000 });
    await restarted.stop(100);
    await startManager();
    // Mark it inactive by hand, as a restarted manager might find it: the reconnect must flip it back.
    await createRepositories(manager!.db!).schedulers.setLiveness({ host_name: 'sched-dyn', ip: '127.0.0.1', scheduler_cluster_id: 1 }, 'inactive');
    await until('scheduler active again', async () => (await row())?.state === 'active', 15_000);
    expect(scheduler.dynconfig?.connected).toBe(true);
  });

  it('survives a database outage behind the manager and re-registers once the database is back', async () => {
    const db = manager!.db!;
    await db.close();
    await until('scheduler notices the broken keep-alive', () => scheduler.dynconfig?.connected === false);
    expect(scheduler.limits.candidateParentLimit).toBe(7);
    await db.connect();
    await until('scheduler active again after the outage', async () => scheduler.dynconfig?.connected === true && (await row())?.state === 'active', 20_000);
  });

  it('is marked inactive when it stops', async () => {
    await scheduler.stop(100);
    await until('scheduler row inactive', async () => (await row())?.state === 'inactive');
  });
});
