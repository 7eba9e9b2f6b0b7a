import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import * as grpc from '@grpc/grpc-js';
import { grpcChannelOptions, loadProtos, type commonV2, type schedulerV2 } from '@d7y/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { taskId } from '../../core/src/common/ids.js';
import { HashRing } from '../../core/src/dfdaemon/p2p/hashRing.js';
import { send } from '../helpers/http.js';
import { TestOrigin, writeRandomFile } from '../helpers/origin.js';
import { DaemonProcess, dfget, SchedulerProcess, tempDir } from '../helpers/processes.js';

const MiB = 1024 * 1024;
const SWARM_SIZE = Number(process.env.D7Y_E2E_SWARM_MIB ?? 256) * MiB;
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bytes a daemon has uploaded to other peers, from its metrics. */
async function uploaded(daemon: DaemonProcess): Promise<number> {
  const match = /dragonfly_client_upload_traffic\{[^}]*\} (\d+)/.exec(await daemon.metrics());
  return match ? Number(match[1]) : 0;
}

/** A gRPC client of a scheduler. */
function schedulerClient(addr: string): schedulerV2.SchedulerClient {
  return new (loadProtos().scheduler.v2.Scheduler)(addr, grpc.credentials.createInsecure(), grpcChannelOptions());
}

/** The scheduler's view of a task (StatTask). */
function statTask(client: schedulerV2.SchedulerClient, id: string): Promise<commonV2.Task__Output> {
  return new Promise((resolve, reject) => client.StatTask({ taskId: id }, (error, task) => (error ? reject(error) : resolve(task!))));
}

/** dfdaemon config pointing at schedulers. */
function peerConfig(schedulers: SchedulerProcess[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { scheduler: { netAddrs: schedulers.map((s) => s.addr), announceInterval: '1s' }, ...extra };
}

const started: Array<DaemonProcess | SchedulerProcess> = [];
async function daemon(name: string, config: Record<string, unknown>): Promise<DaemonProcess> {
  const process = await DaemonProcess.create(name, config);
  started.push(process);
  await process.start();
  return process;
}
async function scheduler(name: string, config: Record<string, unknown> = {}): Promise<SchedulerProcess> {
  const process = await SchedulerProcess.create(name, config);
  started.push(process);
  await process.start();
  return process;
}

describe('P2P swarm through a scheduler and a seed peer', () => {
  const origin = new TestOrigin();
  const files = tempDir('p2p-origin');
  const out = tempDir('p2p-out');
  const digests: Record<string, string> = {};

  beforeAll(async () => {
    digests.swarm = writeRandomFile(join(files, 'swarm.bin'), SWARM_SIZE);
    digests.mid = writeRandomFile(join(files, 'mid.bin'), 64 * MiB);
    await origin.start();
    origin.route('/swarm.bin', { kind: 'file', path: join(files, 'swarm.bin') });
    origin.route('/mid.bin', { kind: 'file', path: join(files, 'mid.bin') });
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
  });
  afterAll(() => origin.stop());

  it('seed + 8 peers download one file at the same moment; the origin sends it about once', async () => {
    const s = await scheduler('sched');
    await daemon('seed', peerConfig([s], { seedPeer: { enable: true } }));
    const peers = await Promise.all(Array.from({ length: 8 }, (_, i) => daemon(`peer-${i}`, peerConfig([s]))));
    origin.resetCounters();
    const results = await Promise.all(
      peers.map((peer, i) => dfget([origin.url('/swarm.bin'), '-O', join(out, `swarm-${i}`), '-e', peer.socketPath, '--digest', `sha256:${digests.swarm}`, '--console'], { timeoutMs: 300_000 })),
    );
    for (const [i, result] of results.entries()) {
      expect(result.code, `peer ${i}: ${result.stderr}`).toBe(0);
      expect(sha256(join(out, `swarm-${i}`))).toBe(digests.swarm);
    }
    const egress = origin.bytesFor('/swarm.bin') / SWARM_SIZE;
    expect(egress).toBeLessThanOrEqual(1.02);
    expect(results.filter((r) => /remote_peer/.test(r.stderr)).length).toBeGreaterThanOrEqual(6);
  });

  it('a parent killed with -9 mid-transfer: the child finishes from the others', async () => {
    const s = await scheduler('sched-kill');
    const seed = await daemon('seed-k', peerConfig([s], { seedPeer: { enable: true }, upload: { bandwidthLimit: '64MiB' } }));
    const a = await daemon('parent-k', peerConfig([s], { upload: { bandwidthLimit: '24MiB' } }));
    const b = await daemon('child-k', peerConfig([s], { download: { pieceTimeout: '5s' } }));
    const url = origin.url('/mid.bin?case=kill');
    expect((await dfget([url, '-O', join(out, 'kill-a'), '-e', a.socketPath])).code).toBe(0);
    const child = dfget([url, '-O', join(out, 'kill-b'), '-e', b.socketPath, '--digest', `sha256:${digests.mid}`], { timeoutMs: 120_000 });
    await sleep(700);
    await a.kill9();
    const result = await child;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sha256(join(out, 'kill-b'))).toBe(digests.mid);
    expect(await uploaded(seed)).toBeGreaterThan(0);
  });

  it('a parent serving garbage is caught by the trusted digests and blocked; the child finishes correctly', async () => {
    const s = await scheduler('sched-garbage');
    await daemon('seed-g', peerConfig([s], { seedPeer: { enable: true } }));
    const a = await daemon('liar', peerConfig([s]));
    const c = await daemon('child-g', peerConfig([s]));
    const url = origin.url('/mid.bin?case=garbage');
    expect((await dfget([url, '-O', join(out, 'garbage-a'), '-e', a.socketPath])).code).toBe(0);
    // Corrupt every piece of the liar's stored content (the bytes its piece server will send).
    const id = taskId({ url });
    const content = join(a.dir, 'storage', 'content', 'tasks', id.slice(0, 3), id);
    const fd = openSync(content, 'r+');
    for (let offset = 0; offset < 64 * MiB; offset += 4 * MiB) writeSync(fd, Buffer.alloc(4096, 0xee), 0, 4096, offset + 100);
    closeSync(fd);
    const result = await dfget([url, '-O', join(out, 'garbage-c'), '-e', c.socketPath, '--digest', `sha256:${digests.mid}`], { timeoutMs: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sha256(join(out, 'garbage-c'))).toBe(digests.mid);
  });

  it('a parent that stalls mid-transfer is timed out and blocked; the child finishes from the others', async () => {
    const s = await scheduler('sched-stall');
    await daemon('seed-s', peerConfig([s], { seedPeer: { enable: true }, upload: { bandwidthLimit: '64MiB' } }));
    const a = await daemon('staller', peerConfig([s], { upload: { bandwidthLimit: '24MiB' } }));
    const d = await daemon('child-s', peerConfig([s], { download: { pieceTimeout: '2s' } }));
    const url = origin.url('/mid.bin?case=stall');
    expect((await dfget([url, '-O', join(out, 'stall-a'), '-e', a.socketPath])).code).toBe(0);
    const child = dfget([url, '-O', join(out, 'stall-d'), '-e', d.socketPath, '--digest', `sha256:${digests.mid}`], { timeoutMs: 120_000 });
    await sleep(700);
    a.pause();
    try {
      const result = await child;
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(sha256(join(out, 'stall-d'))).toBe(digests.mid);
    } finally {
      a.resume();
    }
  });

  it('scheduler killed mid-download: peers finish from the source, or fail clearly when back-to-source is disabled; a restarted scheduler serves P2P again', async () => {
    const s = await scheduler('sched-crash');
    const seed = await daemon('seed-c', peerConfig([s], { seedPeer: { enable: true } }));
    const e = await daemon('peer-e', peerConfig([s], { download: { bandwidthLimit: '24MiB' } }));
    const f = await daemon('peer-f', peerConfig([s], { download: { bandwidthLimit: '24MiB' } }));
    const url = origin.url('/mid.bin?case=crash');
    const eResult = dfget([url, '-O', join(out, 'crash-e'), '-e', e.socketPath, '--digest', `sha256:${digests.mid}`], { timeoutMs: 120_000 });
    const fResult = dfget([origin.url('/mid.bin?case=crash-f'), '-O', join(out, 'crash-f'), '-e', f.socketPath, '--disable-back-to-source'], { timeoutMs: 120_000 });
    await sleep(1000);
    await s.kill9();
    const [eDone, fDone] = await Promise.all([eResult, fResult]);
    expect(eDone.stderr).toBe('');
    expect(eDone.code).toBe(0);
    expect(sha256(join(out, 'crash-e'))).toBe(digests.mid);
    expect(fDone.code).toBe(1);
    expect(fDone.stderr).toMatch(/back-to-source is disabled/);

    await s.start();
    const g = await daemon('peer-g', peerConfig([s]));
    await sleep(1500); // the seed and peer-e re-announce their hosts every second
    origin.resetCounters();
    const gResult = await dfget([url, '-O', join(out, 'crash-g'), '-e', g.socketPath, '--digest', `sha256:${digests.mid}`, '--console'], { timeoutMs: 120_000 });
    if (process.env.D7Y_DEBUG) {
      const tail = (log: string) => log.split('\n').filter((l) => /"level":[345]0/.test(l)).slice(-25).map((l) => l.slice(0, 400)).join('\n');
      console.log('SCHED\n' + tail(s.log) + '\nSEED\n' + tail(seed.log) + '\nG\n' + tail(g.log));
    }
    expect(gResult.code).toBe(0);
    expect(sha256(join(out, 'crash-g'))).toBe(digests.mid);
    expect(origin.bytesFor('/mid.bin')).toBe(0);
    expect(await uploaded(seed) + (await uploaded(e))).toBeGreaterThan(0);
  });

  it('a scheduler that hangs with its connection open: after scheduler.scheduleTimeout the peer downloads from the source', async () => {
    const s = await scheduler('sched-hung');
    const peer = await daemon('peer-hung', peerConfig([s], { scheduler: { netAddrs: [s.addr], announceInterval: '5m', scheduleTimeout: '2s' } }));
    s.pause();
    try {
      const result = await dfget([origin.url('/mid.bin?case=hung'), '-O', join(out, 'hung'), '-e', peer.socketPath, '--digest', `sha256:${digests.mid}`], { timeoutMs: 60_000 });
      expect(result.code, result.stderr).toBe(0);
      expect(sha256(join(out, 'hung'))).toBe(digests.mid);
      await peer.waitForLog(/no scheduling answer in 2000 ms \(scheduler.scheduleTimeout\)/);
    } finally {
      s.resume();
    }
  });

  it('a range read through the proxy registers its range: the scheduler does not count the task as cached, and a full download still completes', async () => {
    const s = await scheduler('sched-range');
    const reader = await daemon('peer-range', peerConfig([s]));
    const full = await daemon('peer-full', peerConfig([s]));
    const url = origin.url('/mid.bin?case=range');
    const id = taskId({ url });
    const ranged = await send(reader.ports.proxy, url, { headers: ['X-Dragonfly-Use-P2P', 'true', 'Range', 'bytes=100-199'] });
    expect(ranged.status).toBe(206);
    expect(ranged.body.equals(readFileSync(join(files, 'mid.bin')).subarray(100, 200))).toBe(true);
    await s.waitForLog(/"partial":true[^\n]*"msg":"peer finished"|"msg":"peer finished"[^\n]*"partial":true/);
    const client = schedulerClient(s.addr);
    try {
      expect((await statTask(client, id)).state).toBe('Running');
      const result = await dfget([url, '-O', join(out, 'after-range'), '-e', full.socketPath, '--digest', `sha256:${digests.mid}`], { timeoutMs: 120_000 });
      expect(result.code, result.stderr).toBe(0);
      // dfget is done at its last byte; the daemon's finished report reaches the scheduler just after.
      const deadline = Date.now() + 10_000;
      while ((await statTask(client, id)).state !== 'Succeeded' && Date.now() < deadline) await sleep(100);
      expect((await statTask(client, id)).state).toBe('Succeeded');
      // The range peer, once it had nothing more to give, was named in a reschedule and not offered again.
      expect(s.log).toMatch(/"blocked":1,"description":"parents exhausted"/);
      expect(s.log).not.toMatch(/max schedule count exceeded/);
    } finally {
      client.close();
    }
  });

  it('two schedulers: tasks split between them by hash, each download still P2P', async () => {
    const s1 = await scheduler('sched-1');
    const s2 = await scheduler('sched-2');
    const ring = new HashRing([s1.addr, s2.addr]);
    const urls: Record<string, string> = {};
    for (let i = 0; Object.keys(urls).length < 2 && i < 100; i++) {
      const url = origin.url(`/mid.bin?split=${i}`);
      urls[ring.lookup(taskId({ url }))[0]!] ??= url;
    }
    expect(Object.keys(urls)).toHaveLength(2);
    await daemon('seed-2', peerConfig([s1, s2], { seedPeer: { enable: true } }));
    const peers = await Promise.all([0, 1, 2].map((i) => daemon(`peer2-${i}`, peerConfig([s1, s2]))));
    origin.resetCounters();
    const runs = Object.values(urls).flatMap((url, u) =>
      peers.map((peer, i) => dfget([url, '-O', join(out, `split-${u}-${i}`), '-e', peer.socketPath, '--digest', `sha256:${digests.mid}`, '--console'], { timeoutMs: 120_000 })),
    );
    const results = await Promise.all(runs);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(origin.bytesFor('/mid.bin') / (2 * 64 * MiB)).toBeLessThanOrEqual(1.02);
    expect(results.filter((r) => /remote_peer/.test(r.stderr)).length).toBeGreaterThanOrEqual(4);
    for (const s of [s1, s2]) expect(s.log).not.toMatch(/"level":50/);
  });

  it('a custom evaluator .js in pluginDir with algorithm: plugin changes parent choice', async () => {
    const pluginDir = tempDir('evaluator');
    writeFileSync(
      join(pluginDir, 'd7y-scheduler-plugin-evaluator.js'),
      `// Prefers normal peers: drops seed peers whenever a normal peer is a candidate.
export default {
  $$type: '@d7y/Plugin', version: 'v1', kind: 'evaluator', name: 'prefer-peers', apiVersion: '1.0',
  register({ container }) {
    container.register(Symbol.for('d7y.plugin-api.v1.Evaluator'), { useValue: {
      evaluateParents(candidates) {
        const normal = candidates.filter((c) => c.host.type === 'normal');
        return normal.length > 0 ? normal : candidates;
      },
      isBadParent(peer) { return !['Running', 'BackToSource', 'Succeeded'].includes(peer.state); },
    } });
  },
};
`,
    );
    const s = await scheduler('sched-plugin', { scheduler: { algorithm: 'plugin' }, server: { pluginDir } });
    const seed = await daemon('seed-p', peerConfig([s], { seedPeer: { enable: true } }));
    const a = await daemon('peer-pa', peerConfig([s]));
    const b = await daemon('peer-pb', peerConfig([s]));
    const url = origin.url('/mid.bin?case=plugin');
    expect((await dfget([url, '-O', join(out, 'plugin-a'), '-e', a.socketPath])).code).toBe(0);
    const seedBefore = await uploaded(seed);
    const aBefore = await uploaded(a);
    const result = await dfget([url, '-O', join(out, 'plugin-b'), '-e', b.socketPath, '--digest', `sha256:${digests.mid}`]);
    expect(result.code).toBe(0);
    expect((await uploaded(a)) - aBefore).toBe(64 * MiB);
    expect((await uploaded(seed)) - seedBefore).toBe(0);
  });
});

