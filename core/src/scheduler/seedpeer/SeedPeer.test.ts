import type { commonV2 } from '@d7y/proto';
import { describe, expect, it } from 'vitest';

import { freePort } from '../../../../test/helpers/ports.js';
import { hostInfo, World } from '../../../../test/helpers/schedulerKit.js';
import { createEgressPolicy } from '../../common/egress/EgressPolicyImpl.js';
import { silentLogger } from '../../common/logging.js';
import { HashRing } from './HashRing.js';
import { SeedPeer } from './SeedPeer.js';
import { seedDownload } from './seedDownload.js';

describe('HashRing', () => {
  it('is stable and moves only the keys of a removed member', () => {
    const keys = Array.from({ length: 200 }, (_, i) => `task-${i}`);
    const three = new HashRing(['a', 'b', 'c']);
    const two = new HashRing(['a', 'b']);
    for (const key of keys) {
      const owner = three.lookup(key)[0]!;
      expect(new HashRing(['c', 'b', 'a']).lookup(key)[0]).toBe(owner);
      if (owner !== 'c') expect(two.lookup(key)[0]).toBe(owner);
    }
    expect(new Set(keys.map((k) => three.lookup(k)[0])).size).toBe(3);
    expect(three.lookup('x')).toHaveLength(3);
  });
});

describe('SeedPeer', () => {
  it('selects only announced seed hosts the egress policy allows', () => {
    const w = new World();
    w.host('normal');
    const seeds = new SeedPeer({ hosts: w.resource.hosts, logger: silentLogger(), egress: createEgressPolicy(), taskDownloadTimeoutMs: 1000 });
    expect(seeds.select('t')).toBeUndefined();
    w.resource.hosts.upsert(hostInfo('metadata', { seed: true, ip: '169.254.169.254' }), '');
    expect(seeds.select('t')).toBeUndefined();
    const good = w.host('seed', { seed: true });
    expect(seeds.select('t')).toBe(good);
    seeds.close();
  });

  it('a trigger that cannot reach the seed marks the task as seed-failed', async () => {
    const w = new World();
    const task = w.task();
    const port = await freePort();
    w.resource.hosts.upsert(hostInfo('seed', { seed: true, port }), '');
    const failures: number[] = [];
    const seeds = new SeedPeer({
      hosts: w.resource.hosts,
      logger: silentLogger(),
      egress: createEgressPolicy(),
      taskDownloadTimeoutMs: 5000,
      hooks: { onFailed: (_host, error) => failures.push(error.code) },
    });
    expect(seeds.trigger(task, { url: task.url, type: 'STANDARD' } as commonV2.Download__Output)).toBe(true);
    expect(task.seedPeerTriggeredAt).toBeGreaterThan(0);
    for (let i = 0; i < 100 && failures.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(failures).toHaveLength(1);
    expect(task.isSeedPeerFailed()).toBe(true);
    expect(task.isSeedPeerPending()).toBe(false);
    seeds.close();
  });

  it('forwards the download with need_back_to_source and without local-only fields', () => {
    const forwarded = seedDownload({
      url: 'https://x/y',
      outputPath: '/etc/passwd',
      forceHardLink: true,
      overwrite: true,
      needPieceContent: true,
      range: { start: 0, length: 10 },
      needBackToSource: false,
      requestHeader: { a: 'b' },
    } as unknown as commonV2.Download__Output);
    expect(forwarded).toMatchObject({ url: 'https://x/y', needBackToSource: true, forceHardLink: false, overwrite: false, needPieceContent: false, requestHeader: { a: 'b' } });
    expect(forwarded.outputPath).toBeUndefined();
    expect(forwarded.range).toBeUndefined();
  });
});
