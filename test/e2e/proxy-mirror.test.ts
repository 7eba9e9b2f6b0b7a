import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { taskId } from '../../core/src/common/ids.js';
import { send } from '../helpers/http.js';
import { TestOrigin, writeRandomFile } from '../helpers/origin.js';
import { DaemonProcess, tempDir } from '../helpers/processes.js';
import { buildImage, TestRegistry, type BuiltImage } from '../helpers/registry.js';

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const MANIFEST_ACCEPT = [
  'Accept', 'application/vnd.oci.image.manifest.v1+json',
  'Accept', 'application/vnd.docker.distribution.manifest.v2+json',
  'Accept', 'application/vnd.oci.image.index.v1+json',
];

describe('registry mirror on one dfdaemon (no scheduler): the real Docker distribution registry behind the proxy', () => {
  let registry: TestRegistry;
  let daemon: DaemonProcess;
  let image: BuiltImage;
  let layer: Buffer;
  let proxy: number;
  const mirror = () => ['X-Dragonfly-Registry', registry.url];

  beforeAll(async () => {
    registry = await TestRegistry.start();
    image = buildImage('1.0', 5);
    await registry.push(image, 'test/hello');
    layer = readFileSync(join(image.dir, 'blobs/sha256', image.layer.slice(7)));
    daemon = await DaemonProcess.create('proxy-mirror', { proxy: { registryMirror: { addr: registry.url } } });
    await daemon.start();
    proxy = daemon.ports.proxy;
  });
  afterAll(async () => {
    await daemon?.stop();
    await registry?.stop();
  });

  it('passes the /v2/ ping and manifest HEAD/GET through with every Accept line', async () => {
    const ping = await send(proxy, '/v2/', { headers: mirror() });
    expect(ping.status).toBe(200);
    expect(ping.headers['docker-distribution-api-version']).toBe('registry/2.0');
    const head = await send(proxy, '/v2/test/hello/manifests/1.0', { method: 'HEAD', headers: [...mirror(), ...MANIFEST_ACCEPT] });
    expect(head.status).toBe(200);
    expect(head.headers['docker-content-digest']).toBe(image.manifest);
    const get = await send(proxy, `/v2/test/hello/manifests/1.0`, { headers: [...mirror(), ...MANIFEST_ACCEPT] });
    expect(get.status).toBe(200);
    expect(sha256(get.body)).toBe(image.manifest);
    // Without the OCI Accept value the registry refuses: proof that Accept lines reach it as sent.
    const strict = await send(proxy, `/v2/test/hello/manifests/1.0`, { headers: [...mirror(), 'Accept', 'application/vnd.docker.distribution.manifest.v2+json'] });
    expect(strict.status).toBe(404);
    // Control headers never reach the registry.
    expect(registry.log).not.toMatch(/X-Dragonfly/i);
  });

  it('serves a blob through the task engine, verified, and from local storage the second time', async () => {
    const first = await send(proxy, `/v2/test/hello/blobs/${image.layer}`, { headers: mirror() });
    expect(first.status).toBe(200);
    expect(sha256(first.body)).toBe(image.layer);
    expect(first.headers['docker-content-digest']).toBe(image.layer);
    expect(first.headers['x-dragonfly-task-id']).toMatch(/^[0-9a-f]{64}$/);
    // The client has every byte as soon as its hash matched; the engine finishes the task just after.
    await expect
      .poll(async () => {
        const again = await send(proxy, `/v2/test/hello/blobs/${image.layer}`, { headers: mirror() });
        return again.body.equals(layer) && again.headers['x-dragonfly-task-download-finished'];
      })
      .toBe('true');
    expect(registry.blobGets(image.layer)).toBeGreaterThanOrEqual(1);
    const before = registry.requests(image.layer).length;
    await send(proxy, `/v2/test/hello/blobs/${image.layer}`, { headers: mirror() });
    expect(registry.requests(image.layer).length).toBe(before);
  });

  it('takes the upstream from containerd\'s ns= query when no header names it', async () => {
    const answer = await send(proxy, `/v2/test/hello/blobs/${image.config}?ns=${encodeURIComponent(`http://${registry.host}`)}`);
    expect(answer.status).toBe(200);
    expect(sha256(answer.body)).toBe(image.config);
  });

  it('answers ranges with 206 and the right bytes, and invalid ranges with 416', async () => {
    const path = `/v2/test/hello/blobs/${image.layer}`;
    const total = layer.length;
    const cases: Array<[string, number, number]> = [
      ['bytes=0-9', 0, 9],
      ['bytes=4194300-4194310', 4194300, 4194310],
      [`bytes=${total - 100}-`, total - 100, total - 1],
      ['bytes=-50', total - 50, total - 1],
      [`bytes=10-${total + 1000}`, 10, total - 1],
    ];
    for (const [range, start, end] of cases) {
      const answer = await send(proxy, path, { headers: [...mirror(), 'Range', range] });
      expect(answer.status, range).toBe(206);
      expect(answer.headers['content-range'], range).toBe(`bytes ${start}-${end}/${total}`);
      expect(answer.body.equals(layer.subarray(start, end + 1)), range).toBe(true);
    }
    for (const range of [`bytes=${total}-`, 'bytes=9-3', 'bytes=abc', 'items=0-1', 'bytes=-0']) {
      const answer = await send(proxy, path, { headers: [...mirror(), 'Range', range] });
      expect(answer.status, range).toBe(416);
      expect(answer.headers['content-range'], range).toBe(`bytes */${total}`);
    }
  });

  it('passes the registry\'s error status through unchanged for a missing blob and a missing manifest', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    const blob = await send(proxy, `/v2/test/hello/blobs/${missing}`, { headers: mirror() });
    expect(blob.status).toBe(404);
    expect(blob.headers['x-dragonfly-error-type']).toBe('backend');
    const manifest = await send(proxy, '/v2/test/hello/manifests/nope', { headers: [...mirror(), ...MANIFEST_ACCEPT] });
    expect(manifest.status).toBe(404);
    expect(JSON.parse(manifest.body.toString()).errors[0].code).toBe('MANIFEST_UNKNOWN');
  });

  it('rejects a blob whose bytes do not match its digest, never serves it, and keeps nothing', async () => {
    const bad = buildImage('bad', 0);
    await registry.push(bad, 'test/bad');
    // Corrupt the config blob (one piece) and the layer (one piece) in the registry's own storage.
    for (const digest of [bad.config, bad.layer]) {
      const file = registry.blobFile(digest);
      const bytes = readFileSync(file);
      bytes[bytes.length >> 1] ^= 0xff;
      writeFileSync(file, bytes);
    }
    for (const digest of [bad.config, bad.layer]) {
      for (let attempt = 0; attempt < 2; attempt++) {
        const answer = await send(proxy, `/v2/test/bad/blobs/${digest}`, { headers: mirror() });
        expect(answer.status, digest).toBe(502);
        expect(answer.headers['x-dragonfly-error-type']).toBe('dfdaemon');
        expect(answer.body.toString()).toMatch(/digest mismatch/);
      }
    }
    // A big corrupted layer: the client gets a cut-short body, never the whole thing.
    const big = buildImage('big-bad', 6);
    await registry.push(big, 'test/bigbad');
    const file = registry.blobFile(big.layer);
    const bytes = readFileSync(file);
    bytes[100] ^= 0xff;
    writeFileSync(file, bytes);
    const answer = await send(proxy, `/v2/test/bigbad/blobs/${big.layer}`, { headers: mirror() });
    expect(answer.status === 502 || answer.truncated || answer.body.length < bytes.length).toBe(true);
    expect(sha256(answer.body)).not.toBe(big.layer);
    const ranged = await send(proxy, `/v2/test/bigbad/blobs/${big.layer}`, { headers: [...mirror(), 'Range', 'bytes=0-99'] });
    expect(ranged.status).toBe(502);
    // Nothing of the bad tasks stays in storage.
    const tasks = join(daemon.dir, 'storage', 'content', 'tasks');
    const stored = readdirSync(tasks).flatMap((shard) => readdirSync(join(tasks, shard)));
    for (const digest of [bad.config, bad.layer, big.layer]) {
      expect(stored.some((id) => id === digest.slice(7))).toBe(false);
    }
  });

  it('works as a registries.conf mirror for skopeo (no header: registryMirror.addr names the registry)', async () => {
    const dir = tempDir('skopeo');
    const conf = join(dir, 'registries.conf');
    writeFileSync(
      conf,
      `unqualified-search-registries = []\n\n[[registry]]\nprefix = "registry.example.test"\nlocation = "registry.example.test"\n\n[[registry.mirror]]\nlocation = "127.0.0.1:${proxy}"\ninsecure = true\n`,
    );
    const before = registry.requests(image.manifest).length + registry.requests('/manifests/1.0').length;
    execFileSync('skopeo', ['--registries-conf', conf, 'copy', '--insecure-policy', 'docker://registry.example.test/test/hello:1.0', `dir:${join(dir, 'out')}`], { stdio: 'pipe', timeout: 180_000 });
    expect(readFileSync(join(dir, 'out', image.layer.slice(7))).equals(layer)).toBe(true);
    // The registry (whose access log arrives asynchronously) saw skopeo's manifest request through the proxy.
    await expect.poll(() => registry.requests(image.manifest).length + registry.requests('/manifests/1.0').length).toBeGreaterThan(before);
  });

  it('keys blob tasks by digest on request, so one layer from two repositories is one task', async () => {
    await registry.push(image, 'other/copy');
    const byDigest = ['X-Dragonfly-Enable-Task-ID-Based-Blob-Digest', 'true'];
    const first = await send(proxy, `/v2/test/hello/blobs/${image.layer}`, { headers: [...mirror(), ...byDigest] });
    expect(first.headers['x-dragonfly-task-id']).toBe(image.layer.slice(7));
    await expect.poll(() => registry.blobBytes(image.layer)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    const fetched = registry.blobBytes(image.layer);
    const second = await send(proxy, `/v2/other/copy/blobs/${image.layer}`, { headers: [...mirror(), ...byDigest] });
    expect(second.headers['x-dragonfly-task-id']).toBe(image.layer.slice(7));
    expect(second.body.equals(layer)).toBe(true);
    // The second repository's copy came from the same task: the registry sent no more blob bytes.
    await new Promise((r) => setTimeout(r, 300));
    expect(registry.blobBytes(image.layer)).toBe(fetched);
  });

  it('X-Dragonfly-Use-P2P sends any GET through the task engine; tag and URL make the task id; prefetch completes a range request in the background', async () => {
    const origin = new TestOrigin();
    await origin.start();
    try {
      const file = join(tempDir('use-p2p'), 'file.bin');
      writeRandomFile(file, 10 * 1024 * 1024);
      const bytes = readFileSync(file);
      origin.route('/file.bin', { kind: 'file', path: file });
      const url = origin.url('/file.bin');
      const plain = await send(proxy, url, { headers: ['X-Dragonfly-Tag', 'v1'] });
      expect(plain.headers['x-dragonfly-task-id']).toBeUndefined();
      expect(plain.body.equals(bytes)).toBe(true);
      origin.resetCounters();
      const ranged = await send(proxy, url, { headers: ['X-Dragonfly-Use-P2P', 'true', 'X-Dragonfly-Tag', 'v1', 'X-Dragonfly-Prefetch', 'true', 'Range', 'bytes=100-199'] });
      expect(ranged.status).toBe(206);
      expect(ranged.body.equals(bytes.subarray(100, 200))).toBe(true);
      expect(ranged.headers['x-dragonfly-task-id']).toBe(taskId({ url, tag: 'v1' }));
      await expect
        .poll(async () => (await send(proxy, url, { headers: ['X-Dragonfly-Use-P2P', 'true', 'X-Dragonfly-Tag', 'v1'] })).headers['x-dragonfly-task-download-finished'], { timeout: 20_000 })
        .toBe('true');
      const again = await send(proxy, url, { headers: ['X-Dragonfly-Use-P2P', 'true', 'X-Dragonfly-Tag', 'v1'] });
      expect(again.body.equals(bytes)).toBe(true);
      expect(origin.bytesFor('/file.bin')).toBe(bytes.length);
    } finally {
      await origin.stop();
    }
  });

  it('proxy.prefetchBandwidthLimit holds the background rest of a prefetch, not the range the client waits for', async () => {
    const origin = new TestOrigin();
    await origin.start();
    const limited = await DaemonProcess.create('proxy-prefetch-limit', { download: { concurrentPieceCount: 1 }, proxy: { prefetchBandwidthLimit: '8MiB' } });
    await limited.start();
    try {
      const MiB = 1024 * 1024;
      const file = join(tempDir('prefetch-limit'), 'file.bin');
      writeRandomFile(file, 32 * MiB);
      const bytes = readFileSync(file);
      origin.route('/file.bin', { kind: 'file', path: file });
      const url = origin.url('/file.bin');
      const ranged = await send(limited.ports.proxy, url, { headers: ['X-Dragonfly-Use-P2P', 'true', 'X-Dragonfly-Prefetch', 'true', 'Range', 'bytes=0-99'] });
      expect(ranged.status).toBe(206);
      expect(ranged.body.equals(bytes.subarray(0, 100))).toBe(true);
      const answeredAt = performance.now();
      await expect.poll(() => origin.bytesFor('/file.bin'), { timeout: 30_000, interval: 50 }).toBe(32 * MiB);
      // 28 MiB were left when the client had its bytes; at 8 MiB/s (one second of burst) that takes >= 2.5 s.
      expect(performance.now() - answeredAt).toBeGreaterThanOrEqual(1800);
    } finally {
      await limited.stop();
      await origin.stop();
    }
  });

  it('a range without prefetch downloads only the pieces it covers; a later full GET reuses them', async () => {
    const origin = new TestOrigin();
    await origin.start();
    try {
      const MiB = 1024 * 1024;
      const file = join(tempDir('range-only'), 'file.bin');
      writeRandomFile(file, 12 * MiB);
      const bytes = readFileSync(file);
      origin.route('/file.bin', { kind: 'file', path: file });
      const url = origin.url('/file.bin');
      const p2p = ['X-Dragonfly-Use-P2P', 'true'];
      const middle = await send(proxy, url, { headers: [...p2p, 'Range', 'bytes=5000000-5000099'] });
      expect(middle.status).toBe(206);
      expect(middle.body.equals(bytes.subarray(5000000, 5000100))).toBe(true);
      expect(origin.bytesFor('/file.bin')).toBe(4 * MiB);
      const suffix = await send(proxy, url, { headers: [...p2p, 'Range', 'bytes=-10'] });
      expect(suffix.body.equals(bytes.subarray(bytes.length - 10))).toBe(true);
      expect(origin.bytesFor('/file.bin')).toBe(8 * MiB);
      expect((await send(proxy, url, { headers: [...p2p, 'Range', `bytes=${bytes.length}-`] })).status).toBe(416);
      expect(origin.bytesFor('/file.bin')).toBe(8 * MiB);
      const full = await send(proxy, url, { headers: p2p });
      expect(full.body.equals(bytes)).toBe(true);
      expect(origin.bytesFor('/file.bin')).toBe(12 * MiB);
      const cached = await send(proxy, url, { headers: [...p2p, 'Range', 'bytes=0-0'] });
      expect(cached.body.equals(bytes.subarray(0, 1))).toBe(true);
      expect(origin.bytesFor('/file.bin')).toBe(12 * MiB);
    } finally {
      await origin.stop();
    }
  });
});
