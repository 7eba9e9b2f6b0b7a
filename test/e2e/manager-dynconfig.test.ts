/**
 * Real processes: a manager on SQLite, two schedulers registering through it (one in the default cluster,
 * one in an IDC-scoped cluster), a seed peer and peers discovering their schedulers from the manager.
 * Registration and liveness, scope-based discovery, a P2P download through a manager-discovered scheduler,
 * and the cluster surviving the manager's death.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createRepositories, type Repositories } from '../../core/src/manager/models/index.js';
import type { DatabaseDriver, Plugin } from '../../core/src/plugin-api/index.js';
import sqlitePlugin from '../../plugins/database-sqlite/src/index.js';
import { send } from '../helpers/http.js';
import { buildDriver } from '../helpers/managerDb.js';
import { ManagerProcess } from '../helpers/managerProcess.js';
import { TestOrigin, writeRandomFile } from '../helpers/origin.js';
import { DaemonProcess, dfget, SchedulerProcess, tempDir } from '../helpers/processes.js';

const MiB = 1024 * 1024;
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000) => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for: ${what}`);
};

describe('manager-driven dynconfig with real processes', () => {
  const origin = new TestOrigin();
  const files = tempDir('mgr-origin');
  const out = tempDir('mgr-out');
  const digests: Record<string, string> = {};
  const processes: Array<{ stop(): Promise<void> }> = [];
  let manager: ManagerProcess;
  let db: DatabaseDriver;
  let repos: Repositories;
  let scopedClusterId: number;
  let schedA: SchedulerProcess;
  let schedB: SchedulerProcess;
  let seed: DaemonProcess;
  let peerB1: DaemonProcess;
  let peerB2: DaemonProcess;
  let peerDefault: DaemonProcess;

  const peerConfig = (extra: Record<string, unknown> = {}) => ({
    manager: { addr: manager.addr },
    dynconfig: { refreshInterval: '1s' },
    scheduler: { announceInterval: '1s' },
    ...extra,
  });
  const schedulerRow = async (name: string) => (await repos.schedulers.findAll({ host_name: name }))[0];

  beforeAll(async () => {
    digests.first = writeRandomFile(join(files, 'first.bin'), 24 * MiB);
    digests.second = writeRandomFile(join(files, 'second.bin'), 24 * MiB);
    await origin.start();
    origin.route('/first.bin', { kind: 'file', path: join(files, 'first.bin') });
    origin.route('/second.bin', { kind: 'file', path: join(files, 'second.bin') });

    manager = await ManagerProcess.create('mgr');
    processes.push(manager);
    await manager.start();
    db = buildDriver(sqlitePlugin as Plugin<never>, { path: manager.dbPath });
    await db.connect();
    repos = createRepositories(db);
    scopedClusterId = (
      await repos.schedulerClusters.create({
        name: 'idc-b',
        scopes: { idc: 'idc-b' },
        client_config: { block_list: { task: { download: { urls: ['/blocked\\.bin'], tags: ['blocked-tag'] } } } },
      })
    ).id;
    await repos.clusterLinks.link(1, scopedClusterId);
    // LEVEL0 downloads of application "restricted" are forbidden (LEVEL1), except URLs with ?src= (LEVEL3: the peer
    // itself goes to the source instead of triggering a seed peer).
    await repos.applications.create({ name: 'restricted', priority: { value: 1, urls: [{ regex: 'first\\.bin\\?src=', value: 3 }] } });

    const schedulerConfig = (clusterId: number, idc: string) => ({
      manager: { addr: manager.addr, schedulerClusterID: clusterId, keepAlive: { interval: '1s' } },
      dynConfig: { refreshInterval: '2s' },
      host: { idc },
    });
    schedA = await SchedulerProcess.create('sched-a', schedulerConfig(1, ''));
    schedB = await SchedulerProcess.create('sched-b', schedulerConfig(scopedClusterId, 'idc-b'));
    processes.push(schedA, schedB);
    await Promise.all([schedA.start(), schedB.start()]);
  });

  afterAll(async () => {
    for (const p of processes.reverse()) await p.stop().catch(() => undefined);
    await db?.close();
    await origin.stop();
  });

  it('registers both schedulers through the manager and shows them active', async () => {
    await until('both schedulers active', async () => (await schedulerRow('sched-a'))?.state === 'active' && (await schedulerRow('sched-b'))?.state === 'active');
    expect(await schedulerRow('sched-a')).toMatchObject({ port: schedA.port, ip: '127.0.0.1', scheduler_cluster_id: 1 });
    expect(await schedulerRow('sched-b')).toMatchObject({ port: schedB.port, scheduler_cluster_id: scopedClusterId, idc: 'idc-b' });
  });

  it("gives a peer in the IDC-scoped cluster that cluster's schedulers, and others the default cluster's", async () => {
    seed = await DaemonProcess.create('seed-b', peerConfig({ host: { idc: 'idc-b' }, seedPeer: { enable: true, keepaliveInterval: '1s' } }));
    peerB1 = await DaemonProcess.create('peer-b1', peerConfig({ host: { idc: 'idc-b' } }));
    peerB2 = await DaemonProcess.create('peer-b2', peerConfig({ host: { idc: 'idc-b' } }));
    peerDefault = await DaemonProcess.create('peer-default', peerConfig());
    processes.push(seed, peerB1, peerB2, peerDefault);
    await Promise.all([seed.start(), peerB1.start(), peerB2.start(), peerDefault.start()]);
    for (const peer of [seed, peerB1, peerB2]) {
      await until(`${peer.dir} uses sched-b`, () => peer.log.includes(`"schedulers":["${schedB.addr}"]`));
    }
    await until('peer-default uses sched-a', () => peerDefault.log.includes(`"schedulers":["${schedA.addr}"]`));
    expect(peerDefault.log).not.toContain(schedB.addr);
    await until('seed peer active in the manager', async () => (await repos.seedPeers.findAll({ host_name: 'seed-b' }))[0]?.state === 'active');
  });

  it('downloads P2P through a manager-discovered scheduler', async () => {
    origin.resetCounters();
    const first = await dfget([origin.url('/first.bin'), '-O', join(out, 'first-1'), '-e', peerB1.socketPath, '--digest', `sha256:${digests.first}`, '--console'], { timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    const second = await dfget([origin.url('/first.bin'), '-O', join(out, 'first-2'), '-e', peerB2.socketPath, '--digest', `sha256:${digests.first}`, '--console'], { timeoutMs: 120_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(sha256(join(out, 'first-2'))).toBe(digests.first);
    expect(second.stderr).toMatch(/remote_peer/);
    expect(origin.bytesFor('/first.bin') / (24 * MiB)).toBeLessThanOrEqual(1.05);
  });

  it("a LEVEL0 download takes its manager application's priority: LEVEL1 refused by the scheduler, a LEVEL3 URL rule goes to the source", async () => {
    const app = ['--priority', '0', '--application', 'restricted', '--console'];
    const refused = await dfget([origin.url('/first.bin?case=forbidden'), '-O', join(out, 'forbidden'), '-e', peerB1.socketPath, '--disable-back-to-source', ...app], { timeoutMs: 60_000 });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/the scheduler refused .*LEVEL1 peer is forbidden.* and back-to-source is disabled/);
    // Allowed to, the peer downloads it from the source itself (as Dragonfly's client); the scheduler stays in use.
    const fallback = await dfget([origin.url('/first.bin?case=forbidden'), '-O', join(out, 'forbidden'), '-e', peerB1.socketPath, '--digest', `sha256:${digests.first}`, ...app], { timeoutMs: 120_000 });
    expect(fallback.code, fallback.stderr).toBe(0);
    expect(peerB1.log).toMatch(/"reason":"LEVEL1 peer is forbidden"[^\n]*"msg":"scheduler refused the download"/);
    origin.resetCounters();
    const level3 = await dfget([origin.url('/first.bin?src=1'), '-O', join(out, 'level3'), '-e', peerB1.socketPath, '--digest', `sha256:${digests.first}`, ...app], { timeoutMs: 120_000 });
    expect(level3.code, level3.stderr).toBe(0);
    expect(level3.stderr).toMatch(/back_to_source 24\.0 MiB/);
    expect(level3.stderr).not.toMatch(/remote_peer/);
    // Without the application (LEVEL0 resolves to nothing) the first download triggers the seed peer as usual.
    const plain = await dfget([origin.url('/first.bin?src=2'), '-O', join(out, 'plain'), '-e', peerB1.socketPath, '--digest', `sha256:${digests.first}`, '--priority', '0', '--console'], { timeoutMs: 120_000 });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/remote_peer/);
  });

  it("applies the cluster's client block list: dfget is refused with the rule, the proxy answers 403", async () => {
    await until('peer-b1 has the block list', () => peerB1.log.includes('download block list in force'));
    origin.resetCounters();
    const blocked = await dfget([origin.url('/blocked.bin'), '-O', join(out, 'blocked'), '-e', peerB1.socketPath], { timeoutMs: 60_000 });
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toMatch(/blocked by the cluster's block list \(url matches "\/blocked\\\\\.bin"\)/);
    const tagged = await send(peerB1.ports.proxy, origin.url('/first.bin'), { headers: ['X-Dragonfly-Use-P2P', 'true', 'X-Dragonfly-Tag', 'blocked-tag'] });
    expect(tagged.status).toBe(403);
    expect(tagged.headers['x-dragonfly-error-type']).toBe('proxy');
    expect(tagged.body.toString()).toMatch(/tag "blocked-tag"/);
    expect(origin.bytesFor('/blocked.bin') + origin.bytesFor('/first.bin')).toBe(0);
    expect(await peerB1.metrics()).toMatch(/dragonfly_client_download_task_blocked_total\{[^}]*tag="blocked-tag"[^}]*\} 1/);
    // Peers of the default cluster have no block list.
    const other = await dfget([origin.url('/first.bin?case=unblocked'), '-O', join(out, 'unblocked'), '-e', peerDefault.socketPath, '--tag', 'blocked-tag', '--digest', `sha256:${digests.first}`], { timeoutMs: 120_000 });
    expect(other.code, other.stderr).toBe(0);
  });

  it('marks a stopped scheduler inactive', async () => {
    await schedA.stop();
    await until('sched-a inactive', async () => (await schedulerRow('sched-a'))?.state === 'inactive');
    expect((await schedulerRow('sched-b'))?.state).toBe('active');
  });

  it('keeps the scheduler and peers serving when the manager is killed', async () => {
    await manager.kill9();
    await until('peers notice the manager is gone', () => peerB2.log.includes('keeping the last good list'), 10_000);
    origin.resetCounters();
    const first = await dfget([origin.url('/second.bin'), '-O', join(out, 'second-1'), '-e', peerB2.socketPath, '--digest', `sha256:${digests.second}`, '--console'], { timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    const second = await dfget([origin.url('/second.bin'), '-O', join(out, 'second-2'), '-e', peerB1.socketPath, '--digest', `sha256:${digests.second}`, '--console'], { timeoutMs: 120_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(sha256(join(out, 'second-2'))).toBe(digests.second);
    expect(second.stderr).toMatch(/remote_peer/);
    expect(origin.bytesFor('/second.bin') / (24 * MiB)).toBeLessThanOrEqual(1.05);
    await schedB.waitForLog(/keep-alive stream to the manager ended; reconnecting|registering with the manager failed/);
  });
});
