import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEFAULT_CLUSTER_LIMITS } from './clusterLimits.js';
import { loadLimits, saveLimits } from './limitsFile.js';

const defaults = { ...DEFAULT_CLUSTER_LIMITS };

describe('scheduler limits file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'd7y-limits-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('round-trips limits with mode 0600', async () => {
    const path = join(dir, 'cache', 'dynconfig.json');
    const limits = { candidateParentLimit: 6, filterParentLimit: 50, peerLoadLimit: 20, seedLoadLimit: 300 };
    await saveLimits(path, limits);
    expect(await loadLimits(path, defaults)).toEqual(limits);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('reads a missing file as nothing and a malformed one as the current limits', async () => {
    expect(await loadLimits(join(dir, 'missing.json'), defaults)).toBeUndefined();
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"candidate_parent_limit": 999');
    expect(await loadLimits(bad, defaults)).toEqual(defaults);
  });
});
