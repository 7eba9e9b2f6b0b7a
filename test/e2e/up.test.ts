import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { createRepositories } from '../../core/src/manager/models/index.js';
import type { Plugin } from '../../core/src/plugin-api/index.js';
import sqlitePlugin from '../../plugins/database-sqlite/src/index.js';
import { buildDriver } from '../helpers/managerDb.js';
import { BIN, REPO, runNode, tempDir } from '../helpers/processes.js';
import { httpReady } from '../../core/src/up/roleProcess.js';

/** Ports of every role's health endpoint, from the endpoint lines `d7y up` prints. */
function healthPorts(stdout: string): number[] {
  return [...stdout.matchAll(/health :(\d+)/g)].map((match) => Number(match[1]));
}

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

  it('--peers 3 --with-proxy: downloads through dfget and through every proxy, and prints a status table of every role', async () => {
    const dataDir = join(tempDir('up-proxy'), 'cluster');
    const result = await runNode(BIN.d7y, ['up', '--data-dir', dataDir, '--demo-size', '8MiB', '--peers', '3', '--with-proxy', '--exit'], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.filter((line) => /^\s+ok\s+via peer-[abc]\s/.test(line))).toHaveLength(6);
    expect(lines.filter((line) => /pieces: via proxy/.test(line) && /^\s+ok/.test(line))).toHaveLength(3);
    expect(result.stdout).toMatch(/curl -x http:\/\/127\.0\.0\.1:\d+ /);
    const header = lines.findIndex((line) => /^ROLE\s+STATE\s+PORTS\s+TASKS\s+RUNNING\s+BACK-TO-SOURCE\s+REMOTE-PEER\s+LOCAL-PEER\s+UPLOADED$/.test(line));
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 1, header + 7);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual(['manager', 'scheduler', 'seed-peer', 'peer-a', 'peer-b', 'peer-c']);
    for (const row of rows) expect(row.split(/\s+/)[1], row).toBe('up');
    expect(rows[2]).toMatch(/8\.0 MiB/); // the seed peer went back to source for the demo file
    expect(rows.find((row) => row.startsWith('peer-a'))).toMatch(/proxy \d+/);
    expect(existsSync(join(dataDir, 'logs', 'peer-c.log'))).toBe(true);
    expect(result.stdout).toMatch(/stopped\s*$/);
  });

  it('refuses bad flags with a clear message', async () => {
    const result = await runNode(BIN.d7y, ['up', '--peers', '40', '--exit']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--peers must be 1 to 16, got 40');
  });

  it('on a terminal the table redraws in place, and Ctrl-C stops every role cleanly', async () => {
    const dataDir = join(tempDir('up-tty'), 'cluster');
    const command = [process.execPath, BIN.d7y, 'up', '--data-dir', dataDir, '--demo-size', '4MiB', '--peers', '1', '--refresh', '300'].map((arg) => `'${arg}'`).join(' ');
    // `script` gives d7y up a real pseudo-terminal; writing ^C to it is a real Ctrl-C (SIGINT from the tty).
    // `script` runs the command with $SHELL -c; `exec` makes d7y the pty's only foreground process whatever the
    // shell is (dash stays as a parent, dies of the SIGINT itself, and script then reports 130 for d7y's clean 0).
    const child = spawn('script', ['-qfec', `exec ${command}`, '/dev/null'], {
      cwd: REPO,
      env: { ...process.env, SHELL: '/bin/sh' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && (out.match(/\(updated /g) ?? []).length < 3) await new Promise((r) => setTimeout(r, 100));
    expect((out.match(/\(updated /g) ?? []).length, out).toBeGreaterThanOrEqual(3);
    expect(out).toContain('\x1b[J'); // redrawn over the previous table, not appended
    expect(out).toContain('the table refreshes; Ctrl-C stops everything');
    const ports = healthPorts(out);
    expect(ports).toHaveLength(2);
    for (const port of ports) expect(await httpReady(port, '/healthy')).toBe(true);
    child.stdin.write('\x03');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
    expect(code, out).toBe(0);
    expect(out).toMatch(/stopping\.\.\.[\s\S]*stopped/);
    for (const port of ports) expect(await httpReady(port, '/healthy')).toBe(false);
  });
});
