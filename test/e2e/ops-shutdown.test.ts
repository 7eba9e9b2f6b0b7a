import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ChildProcess } from 'node:child_process';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startOpsCluster, type OpsCluster } from '../helpers/opsCluster.js';
import { TestOrigin, writeRandomFile } from '../helpers/origin.js';
import { dfget, tempDir, type RunResult } from '../helpers/processes.js';

const MiB = 1024 * 1024;
const SIZE = 24 * MiB;
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM and wait; resolves with the exit code and how long the process took to exit. */
async function terminate(child: ChildProcess | undefined): Promise<{ code: number | null; signal: string | null; ms: number }> {
  if (!child) throw new Error('not started');
  const started = performance.now();
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.kill('SIGTERM');
  return { ...(await exited), ms: performance.now() - started };
}

describe('graceful shutdown on SIGTERM, one role at a time, in the middle of a download', () => {
  const origin = new TestOrigin();
  const files = tempDir('shutdown-origin');
  const out = tempDir('shutdown-out');
  let digest = '';
  let cluster: OpsCluster | undefined;

  beforeAll(async () => {
    digest = writeRandomFile(join(files, 'blob.bin'), SIZE);
    await origin.start();
    origin.route('/blob.bin', { kind: 'file', path: join(files, 'blob.bin') });
  });
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });
  afterAll(() => origin.stop());

  function download(socketPath: string, name: string): Promise<RunResult> {
    return dfget([origin.url('/blob.bin'), '-O', join(out, name), '-e', socketPath, '--digest', `sha256:${digest}`, '--console'], { timeoutMs: 60_000 });
  }

  it('a peer: the running download finishes within the grace period, the peer leaves its scheduler and exits 0', async () => {
    cluster = await startOpsCluster('sd-peer', { peer: { download: { bandwidthLimit: '10MiB' } } });
    const peer = cluster.peers[0]!;
    const running = download(peer.socketPath, 'peer.bin');
    await sleep(800);
    const exit = await terminate(peer.child);
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(sha256(join(out, 'peer.bin'))).toBe(digest);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(12_000);
    expect(peer.log).toMatch(/"drained":true/);
    await sleep(200);
    expect(cluster.scheduler.log).toMatch(/host deleted/);
  }, 90_000);

  it('a peer whose download outlasts the grace period: the client gets a clear error and the peer still exits 0 in bounded time', async () => {
    cluster = await startOpsCluster('sd-slow', { peer: { download: { bandwidthLimit: '2MiB' } } });
    const peer = cluster.peers[0]!;
    const running = download(peer.socketPath, 'slow.bin');
    await sleep(800);
    const exit = await terminate(peer.child);
    const result = await running;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(15_000);
    // 24 MiB at 2 MiB/s cannot finish within the 5 s grace period.
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/dfdaemon is stopping/);
    expect(peer.log).toMatch(/"drained":false/);
  }, 90_000);

  it('a seed peer serving pieces: the child still finishes with the right bytes and the seed exits 0', async () => {
    cluster = await startOpsCluster('sd-seed', { seed: { upload: { bandwidthLimit: '3MiB' } } });
    const running = download(cluster.peers[0]!.socketPath, 'seed.bin');
    await sleep(1500);
    const exit = await terminate(cluster.seed.child);
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(sha256(join(out, 'seed.bin'))).toBe(digest);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(15_000);
  }, 90_000);

  it('the scheduler: open downloads still finish correctly and the scheduler exits 0', async () => {
    cluster = await startOpsCluster('sd-sched', { peer: { download: { bandwidthLimit: '12MiB' } } });
    const running = download(cluster.peers[0]!.socketPath, 'sched.bin');
    await sleep(800);
    const exit = await terminate(cluster.scheduler.child);
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(sha256(join(out, 'sched.bin'))).toBe(digest);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(10_000);
    expect(cluster.scheduler.log).toMatch(/scheduler stopped/);
  }, 90_000);

  it('the manager: exits 0 in bounded time while schedulers keep it alive, and downloads are not affected', async () => {
    cluster = await startOpsCluster('sd-manager');
    const running = download(cluster.peers[0]!.socketPath, 'manager.bin');
    const exit = await terminate(cluster.manager.child);
    const result = await running;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(10_000);
    expect(cluster.manager.log).toMatch(/manager stopped/);
    expect(result.code, result.stderr).toBe(0);
    expect(sha256(join(out, 'manager.bin'))).toBe(digest);
  }, 90_000);
});
