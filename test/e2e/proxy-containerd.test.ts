import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TestContainerd } from '../helpers/containerd.js';
import { BIN, DaemonProcess, runNode, SchedulerProcess, tempDir } from '../helpers/processes.js';
import { send } from '../helpers/http.js';
import { TestOrigin, writeRandomFile } from '../helpers/origin.js';
import { buildImage, TestRegistry, type BuiltImage } from '../helpers/registry.js';

const IMAGE = 'registry.example.test/test/hello:1.0';

/** hosts.toml pointing containerd at a dfdaemon proxy for a registry name that only exists in this file (Dragonfly's docs shape). */
function hostsToml(proxyPort: number, registryUrl: string): string {
  return [
    'server = "https://registry.example.test"',
    '',
    `[host."http://127.0.0.1:${proxyPort}"]`,
    '  capabilities = ["pull", "resolve"]',
    `  [host."http://127.0.0.1:${proxyPort}".header]`,
    `    X-Dragonfly-Registry = ["${registryUrl}"]`,
    '',
  ].join('\n');
}

/** Logs of the daemons and the registry, written to $D7Y_DEBUG (a file path) after the suite when set. */
const logs: Array<() => string> = [];

// containerd and `ctr run` (runc) need root; elsewhere this suite is reported as skipped.
const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('containerd pulls through the dfdaemon proxy; a second node gets the layers from P2P (needs root)', () => {
  const started: Array<{ stop(): Promise<void> }> = [];
  let registry: TestRegistry;
  let image: BuiltImage;
  let nodeA: DaemonProcess;
  let nodeB: DaemonProcess;
  let seed: DaemonProcess;

  beforeAll(async () => {
    registry = await TestRegistry.start();
    started.push(registry);
    image = buildImage('1.0', 5);
    await registry.push(image, 'test/hello');
    const scheduler = await SchedulerProcess.create('proxy-sched');
    started.push(scheduler);
    await scheduler.start();
    const p2p = (extra: Record<string, unknown> = {}) => ({
      scheduler: { netAddrs: [scheduler.addr], announceInterval: '1s' },
      // Small blobs (config) through P2P too, so that the registry sends every blob once in total.
      proxy: { rules: [{ regex: 'blobs/sha256.*', schedulingPolicy: 'always' }] },
      ...extra,
    });
    seed = await DaemonProcess.create('proxy-seed', p2p({ seedPeer: { enable: true } }));
    nodeA = await DaemonProcess.create('proxy-node-a', p2p());
    nodeB = await DaemonProcess.create('proxy-node-b', p2p());
    logs.push(() => `SEED\n${seed.log}`, () => `A\n${nodeA.log}`, () => `B\n${nodeB.log}`, () => `REG\n${registry.log}`);
    for (const daemon of [seed, nodeA, nodeB]) {
      started.push(daemon);
      await daemon.start();
    }
  });
  afterAll(async () => {
    if (process.env.D7Y_DEBUG) writeFileSync(process.env.D7Y_DEBUG, logs.map((log) => log()).join('\n=====\n'));
    for (const service of started.reverse()) await service.stop();
  });

  it('node A pulls and runs the image, node B pulls it too, and the registry sent every blob once in total', async () => {
    const a = await TestContainerd.start('a');
    started.push(a);
    a.hostsToml('registry.example.test', hostsToml(nodeA.ports.proxy, registry.url));
    await a.ctr(['image', 'pull', '--hosts-dir', a.hostsDir, IMAGE]);
    const out = await a.ctr(['run', '--rm', IMAGE, 'hello-a']);
    expect(out).toContain('hello from d7y test image');

    // Node B's hosts.toml comes from `d7y init containerd`, naming the registry by its own address.
    const b = await TestContainerd.start('b');
    started.push(b);
    const init = await runNode(BIN.d7y, [
      'init', 'containerd', '--proxy', `http://127.0.0.1:${nodeB.ports.proxy}`, '--registry', registry.url,
      '--config', join(b.dir, 'cri-config.toml'), '--hosts-dir', b.hostsDir,
    ]);
    expect(init.stderr).toBe('');
    expect(init.stdout).toContain(`created: ${join(b.hostsDir, registry.host, 'hosts.toml')}`);
    const imageB = `${registry.host}/test/hello:1.0`;
    await b.ctr(['image', 'pull', '--hosts-dir', b.hostsDir, imageB]);
    const outB = await b.ctr(['run', '--rm', '--snapshotter', 'native', imageB, 'hello-b', '/bin/busybox', 'sh', '-c', 'cat /hello.txt; wc -c < /payload.bin']);
    expect(outB).toContain('hello from d7y test image');
    expect(outB).toContain(String(5 * 1024 * 1024));

    await expect.poll(() => registry.blobBytes(image.layer)).toBe(image.layerSize);
    expect(registry.blobBytes(image.layer)).toBe(image.layerSize);
    // The config blob, too, left the registry once: node B had it from a peer.
    expect(registry.blobBytes(image.config)).toBe(statSync(join(image.dir, 'blobs/sha256', image.config.slice(7))).size);
  });

  it('ranges on node B come from P2P after node A fetched the blob: right bytes, the registry sends the blob once', async () => {
    const ranged = buildImage('ranged', 9);
    await registry.push(ranged, 'test/ranged');
    const layer = readFileSync(join(ranged.dir, 'blobs/sha256', ranged.layer.slice(7)));
    const path = `/v2/test/ranged/blobs/${ranged.layer}`;
    const mirror = ['X-Dragonfly-Registry', registry.url];
    const full = await send(nodeA.ports.proxy, path, { headers: mirror });
    expect(full.body.equals(layer)).toBe(true);
    const total = layer.length;
    for (const [range, start, end] of [
      ['bytes=0-99', 0, 99],
      ['bytes=5000000-', 5000000, total - 1],
      ['bytes=-4096', total - 4096, total - 1],
    ] as Array<[string, number, number]>) {
      const answer = await send(nodeB.ports.proxy, path, { headers: [...mirror, 'Range', range] });
      expect(answer.status, range).toBe(206);
      expect(answer.headers['content-range']).toBe(`bytes ${start}-${end}/${total}`);
      expect(answer.body.equals(layer.subarray(start, end + 1)), range).toBe(true);
    }
    expect((await send(nodeB.ports.proxy, path, { headers: [...mirror, 'Range', `bytes=${total}-`] })).status).toBe(416);
    await expect.poll(() => registry.blobBytes(ranged.layer)).toBe(total);
    await new Promise((r) => setTimeout(r, 300));
    expect(registry.blobBytes(ranged.layer)).toBe(total);
  });

  /** Bytes node A and the seed peer have served to other peers, from their metrics. */
  async function uploadedByOthers(): Promise<number> {
    let total = 0;
    for (const daemon of [nodeA, seed]) total += Number(/dragonfly_client_upload_traffic\{[^}]*\} (\d+)/.exec(await daemon.metrics())?.[1] ?? 0);
    return total;
  }

  it('a plain file through X-Dragonfly-Use-P2P: node B fetches only the pieces of its range, from peers', async () => {
    const origin = new TestOrigin();
    await origin.start();
    try {
      const file = join(tempDir('p2p-range'), 'file.bin');
      writeRandomFile(file, 12 * 1024 * 1024);
      const bytes = readFileSync(file);
      origin.route('/file.bin', { kind: 'file', path: file });
      const url = origin.url('/file.bin');
      const p2p = ['X-Dragonfly-Use-P2P', 'true'];
      expect((await send(nodeA.ports.proxy, url, { headers: p2p })).body.equals(bytes)).toBe(true);
      const fromOrigin = origin.bytesFor('/file.bin');
      expect(fromOrigin).toBe(bytes.length);
      const before = await uploadedByOthers();
      const ranged = await send(nodeB.ports.proxy, url, { headers: [...p2p, 'Range', 'bytes=5000000-5000099'] });
      expect(ranged.status).toBe(206);
      expect(ranged.body.equals(bytes.subarray(5000000, 5000100))).toBe(true);
      // Node A and the seed served node B exactly one 4 MiB piece: the one holding the range.
      expect((await uploadedByOthers()) - before).toBe(4 * 1024 * 1024);
      const full = await send(nodeB.ports.proxy, url, { headers: p2p });
      expect(full.body.equals(bytes)).toBe(true);
      expect(origin.bytesFor('/file.bin')).toBe(fromOrigin);
    } finally {
      await origin.stop();
    }
  });
});
