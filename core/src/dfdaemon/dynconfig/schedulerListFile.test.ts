import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadSchedulerList, saveSchedulerList } from './schedulerListFile.js';

describe('scheduler list file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'd7y-dynconfig-file-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('round-trips a list with mode 0600', async () => {
    const path = join(dir, 'nested', 'dynconfig.json');
    await saveSchedulerList(path, 3, ['127.0.0.1:8002', '[fd00::1]:8002']);
    expect(await loadSchedulerList(path)).toMatchObject({ clusterId: 3, schedulers: ['127.0.0.1:8002', '[fd00::1]:8002'] });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['missing', undefined],
    ['not json', 'nope'],
    ['no schedulers', JSON.stringify({ clusterId: 1, schedulers: [] })],
    ['bad entries only', JSON.stringify({ clusterId: 1, schedulers: ['rm -rf /', 42] })],
  ])('reads %s as nothing', async (name, content) => {
    const path = join(dir, `${name.replaceAll(' ', '-')}.json`);
    if (content !== undefined) await writeFile(path, content);
    expect(await loadSchedulerList(path)).toBeUndefined();
  });
});
