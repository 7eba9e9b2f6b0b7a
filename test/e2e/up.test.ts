import { join } from 'node:path';

import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { createRepositories } from '../../core/src/manager/models/index.js';
import type { Plugin } from '../../core/src/plugin-api/index.js';
import sqlitePlugin from '../../plugins/database-sqlite/src/index.js';
import { buildDriver } from '../helpers/managerDb.js';
import { BIN, runNode, tempDir } from '../helpers/processes.js';

describe('d7y up (what npm start runs)', () => {
  it('starts a scheduler, a seed peer and two peers, downloads the demo file through both peers, and stops cleanly', async () => {
    const dataDir = join(tempDir('up'), 'cluster');
    const result = await runNode(BIN.d7y, ['up', '--data-dir', dataDir, '--demo-size', '24MiB', '--exit'], { timeoutMs: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/scheduler\s+127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/seed-peer\s+socket/);
    const downloads = result.stdout.split('\n').filter((line) => /^\s+ok\s+via peer-/.test(line));
    expect(downloads).toHaveLength(2);
    expect(result.stdout).toMatch(/remote_peer/);
    expect(result.stdout).toMatch(/origin sent 24\.0 MiB in total for 2 downloads/);
    expect(result.stdout).toMatch(/try it:\s+node core\/dist\/cli\/dfget\.js http:\/\/127\.0\.0\.1:\d+\/demo\.bin/);
  });

  it('runs a manager on SQLite that the scheduler registers with and the peers get their scheduler from', async () => {
    const dataDir = join(tempDir('up-manager'), 'cluster');
    const result = await runNode(BIN.d7y, ['up', '--data-dir', dataDir, '--demo-size', '8MiB', '--peers', '1', '--exit'], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/manager\s+grpc 127\.0\.0\.1:\d+\s+rest http:\/\/127\.0\.0\.1:\d+/);
    const schedulerPort = /scheduler\s+127\.0\.0\.1:(\d+)/.exec(result.stdout)![1];
    for (const peer of ['seed-peer', 'peer-a']) {
      expect(readFileSync(join(dataDir, 'logs', `${peer}.log`), 'utf8')).toContain(`"schedulers":["127.0.0.1:${schedulerPort}"]`);
    }
    const db = buildDriver(sqlitePlugin as Plugin<never>, { path: join(dataDir, 'manager', 'data', 'manager.db') });
    await db.connect();
    try {
      const repos = createRepositories(db);
      const [scheduler] = await repos.schedulers.findAll({ host_name: 'scheduler' });
      expect(scheduler).toMatchObject({ port: Number(schedulerPort), scheduler_cluster_id: 1, state: 'inactive' });
      expect(scheduler.last_keep_alive_at).toBeInstanceOf(Date);
      const [seed] = await repos.seedPeers.findAll({ host_name: 'seed-peer' });
      expect(seed).toMatchObject({ seed_peer_cluster_id: 1, state: 'inactive' });
    } finally {
      await db.close();
    }
  });
});
