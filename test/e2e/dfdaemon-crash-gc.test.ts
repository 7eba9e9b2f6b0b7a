import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { taskId } from '../../core/src/common/ids.js';
import { TestOrigin, writeRandomFile } from '../helpers/origin.js';
import { DaemonProcess, dfget, tempDir } from '../helpers/processes.js';

const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Content files the disk storage holds (one per task). */
function storedTasks(daemon: DaemonProcess): string[] {
  const root = join(daemon.dir, 'storage', 'content', 'tasks');
  try {
    return readdirSync(root).flatMap((shard) => readdirSync(join(root, shard)));
  } catch {
    return [];
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('dfdaemon crash safety', () => {
  const origin = new TestOrigin();
  const files = tempDir('crash-origin');
  const size = 128 * MiB + 5;
  let digest = '';
  let data: Buffer;

  beforeAll(async () => {
    digest = writeRandomFile(join(files, 'f.bin'), size);
    data = readFileSync(join(files, 'f.bin'));
    await origin.start();
    origin.route('/f.bin', { kind: 'file', path: join(files, 'f.bin') });
  });
  afterAll(() => origin.stop());

  it('survives kill -9 mid-download: no corrupt piece is served, and the repeated download resumes to the right sha256', async () => {
    // Throttle the daemon so the kill lands mid-download.
    const daemon = await DaemonProcess.create('crash', { download: { bandwidthLimit: '40MiB' }, storage: { keep: true } });
    await daemon.start();
    const out = tempDir('crash-out');
    const url = origin.url('/f.bin');
    const first = dfget([url, '-O', join(out, 'a'), '-e', daemon.socketPath]);
    await sleep(1500);
    await daemon.kill9();
    const interrupted = await first;
    expect(interrupted.code).not.toBe(0);

    await daemon.start();
    const id = taskId({ url });
    let served = 0;
    for (let piece = 0; piece < Math.ceil(size / (4 * MiB)); piece++) {
      const response = await fetch(`http://127.0.0.1:${daemon.ports.piece}/v1/tasks/${id}/pieces/${piece}`);
      const body = Buffer.from(await response.arrayBuffer());
      if (response.status !== 200) continue;
      served++;
      const expected = data.subarray(piece * 4 * MiB, Math.min(size, (piece + 1) * 4 * MiB));
      expect(sha256(body), `piece ${piece}`).toBe(sha256(expected));
    }
    expect(served).toBeGreaterThan(0);

    origin.resetCounters();
    const again = await dfget([url, '-O', join(out, 'b'), '-e', daemon.socketPath, '--digest', `sha256:${digest}`], { timeoutMs: 120_000 });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(sha256(readFileSync(join(out, 'b')))).toBe(digest);
    expect(origin.bytesFor('/f.bin')).toBeLessThan(size);
    await daemon.stop();
  });
});

describe('dfdaemon garbage collection', () => {
  const origin = new TestOrigin();
  const files = tempDir('gc-origin');

  beforeAll(async () => {
    for (let i = 0; i < 4; i++) {
      writeRandomFile(join(files, `f${i}.bin`), 10 * MiB);
    }
    await origin.start();
    for (let i = 0; i < 4; i++) origin.route(`/f${i}.bin`, { kind: 'file', path: join(files, `f${i}.bin`) });
  });
  afterAll(() => origin.stop());

  it('evicts least recently used tasks until disk use is under the low threshold', async () => {
    const daemon = await DaemonProcess.create('gc-disk', {
      gc: { interval: '500ms', policy: { taskTTL: '1h', diskThreshold: '40MiB', diskHighThresholdPercent: 80, diskLowThresholdPercent: 50 } },
    });
    await daemon.start();
    const out = tempDir('gc-out');
    for (let i = 0; i < 3; i++) {
      expect((await dfget([origin.url(`/f${i}.bin`), '-O', join(out, `f${i}`), '-e', daemon.socketPath])).code).toBe(0);
      await sleep(50);
    }
    await sleep(1200);
    expect(storedTasks(daemon)).toHaveLength(3); // 30 MiB of 40: 75 %, under the high threshold
    expect((await dfget([origin.url('/f3.bin'), '-O', join(out, 'f3'), '-e', daemon.socketPath])).code).toBe(0);
    const deadline = Date.now() + 10_000;
    while (storedTasks(daemon).length > 2 && Date.now() < deadline) await sleep(200);
    const left = storedTasks(daemon);
    expect(left).toHaveLength(2); // 20 MiB of 40: 50 %, the low threshold
    expect(left.sort()).toEqual([taskId({ url: origin.url('/f2.bin') }), taskId({ url: origin.url('/f3.bin') })].sort());
    await daemon.stop();
  });

  it('removes tasks unused for longer than taskTTL', async () => {
    const daemon = await DaemonProcess.create('gc-ttl', { gc: { interval: '500ms', policy: { taskTTL: '2s' } } });
    await daemon.start();
    const out = tempDir('gc-ttl-out');
    expect((await dfget([origin.url('/f0.bin'), '-O', join(out, 'f0'), '-e', daemon.socketPath])).code).toBe(0);
    expect(storedTasks(daemon)).toHaveLength(1);
    const deadline = Date.now() + 10_000;
    while (storedTasks(daemon).length > 0 && Date.now() < deadline) await sleep(200);
    expect(storedTasks(daemon)).toHaveLength(0);
    await daemon.stop();
  });
});
