import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BIN, REPO, runNode, SchedulerProcess, tempDir } from '../helpers/processes.js';

const fixture = (name: string) => join(REPO, 'test/fixtures/config/dragonfly', name);

describe('d7y config check', () => {
  it.each([
    ['manager', 'manager.yaml'],
    ['scheduler', 'scheduler.yaml'],
    ['dfdaemon', 'dfdaemon.yaml'],
  ])("accepts Dragonfly's documented example %s config and prints the effective config", async (role, file) => {
    const result = await runNode(BIN.d7y, ['config', 'check', '--role', role, '--config', fixture(file)]);
    expect(result.stderr).toMatch(/: valid/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`# effective ${role} config`));
  });

  it('fills defaults for an empty file', async () => {
    const dir = tempDir('cfg');
    writeFileSync(join(dir, 'dfdaemon.yaml'), '');
    const result = await runNode(BIN.d7y, ['config', 'check', '--role', 'dfdaemon', '--config', join(dir, 'dfdaemon.yaml')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/socketPath: \/var\/run\/dragonfly\/dfdaemon.sock/);
    expect(result.stdout).toMatch(/tcpPort: 4005/);
  });

  it('names the key path, the expected type and what was found, and exits non-zero', async () => {
    const dir = tempDir('cfg');
    const file = join(dir, 'scheduler.yaml');
    writeFileSync(file, 'scheduler:\n  retryLimit: five\n  gc:\n    peerTTL: -5m\nserver:\n  port: 99999\n');
    const result = await runNode(BIN.d7y, ['config', 'check', '--role', 'scheduler', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('scheduler.retryLimit: expected integer >= 1, got string "five"');
    expect(result.stderr).toMatch(/scheduler\.gc\.peerTTL: .*negative durations are not allowed/);
    expect(result.stderr).toMatch(/server\.port: expected .*got number 99999/);
  });

  it('warns about unknown keys with a suggestion, so misspelt keys never pass silently', async () => {
    const dir = tempDir('cfg');
    const file = join(dir, 'manager.yaml');
    writeFileSync(file, 'auth:\n  jwt:\n    realms: Dragonfly\n');
    const result = await runNode(BIN.d7y, ['config', 'check', '--role', 'manager', '--config', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/auth\.jwt\.realms: unknown key.*did you mean "realm"\?/);
  });

  it('fails on a missing explicit file and on a bad role', async () => {
    const missing = await runNode(BIN.d7y, ['config', 'check', '--role', 'manager', '--config', '/nonexistent/manager.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/\/nonexistent\/manager.yaml: config file not found/);
    const role = await runNode(BIN.d7y, ['config', 'check', '--role', 'peer']);
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/--role must be one of manager, scheduler, dfdaemon/);
  });
});

describe('d7y plugins', () => {
  it('lists the built-in plugins of a role and a .js dropped into pluginDir', async () => {
    const dir = tempDir('plugins');
    mkdirSync(join(dir, 'backend'));
    writeFileSync(
      join(dir, 'backend', 'ftp.js'),
      `export default { $$type: '@d7y/Plugin', version: 'v1', kind: 'source', name: 'ftp', apiVersion: '1.0', schemes: ['ftp'],
        register({ container }) { container.register(Symbol.for('d7y.plugin-api.v1.SourceClient'), { useValue: {} }); } };\n`,
    );
    const result = await runNode(BIN.d7y, ['plugins', '--role', 'dfdaemon', '--plugin-dir', dir]);
    expect(result.stdout).toMatch(/source\s+http\s+0\.1\.0\s+1\.0\s+http,https\s+builtin/);
    expect(result.stdout).toMatch(/storage\s+disk\s+0\.1\.0\s+1\.0\s+-?\s*builtin/);
    expect(result.stdout).toMatch(new RegExp(`source\\s+ftp\\s+-\\s+1\\.0\\s+ftp\\s+pluginDir\\s+${join(dir, 'backend', 'ftp.js')}`));
    expect(result.code).toBe(0);
  });

  it('shows why a plugin is refused and exits non-zero', async () => {
    const dir = tempDir('plugins');
    mkdirSync(join(dir, 'backend'));
    writeFileSync(join(dir, 'backend', 'broken.js'), "throw new Error('boom at import');\n");
    const result = await runNode(BIN.d7y, ['plugins', '--role', 'dfdaemon', '--plugin-dir', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/refused \(1\)/);
    expect(result.stdout).toMatch(/broken\.js.*boom at import/);
  });

  it('a role refuses to start on a broken pluginDir plugin, naming the file and the reason', async () => {
    const dir = tempDir('plugins');
    mkdirSync(join(dir, 'backend'));
    writeFileSync(join(dir, 'backend', 'bad.js'), "export default { kind: 'source' };\n");
    const config = join(dir, 'dfdaemon.yaml');
    writeFileSync(config, `server:\n  pluginDir: ${dir}\ndownload:\n  server:\n    socketPath: ${join(dir, 'd.sock')}\nstorage:\n  dir: ${join(dir, 's')}\n`);
    const result = await runNode(BIN.dfdaemon, ['--config', config], { timeoutMs: 20_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/D7Y_ERR_PLUGIN_INVALID/);
    expect(result.stderr).toContain(join(dir, 'backend', 'bad.js'));
  });
});

describe('--help and --version everywhere', () => {
  it.each([
    [BIN.d7y, []],
    [BIN.d7y, ['dfdaemon']],
    [BIN.d7y, ['scheduler']],
    [BIN.d7y, ['manager']],
    [BIN.d7y, ['up']],
    [BIN.d7y, ['plugins']],
    [BIN.d7y, ['config', 'check']],
    [BIN.dfdaemon, []],
    [BIN.dfget, []],
  ])('%s %s --help', async (bin, args) => {
    const result = await runNode(bin, [...args, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage:/);
  });

  it.each([BIN.d7y, BIN.dfdaemon])('%s --version', async (bin) => {
    const result = await runNode(bin, ['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('0.1.0');
  });

  it('dfget -V prints the version', async () => {
    const result = await runNode(BIN.dfget, ['-V']);
    expect(result.stdout.trim()).toBe('0.1.0');
  });
});

describe('server.logLevel of the scheduler (Dragonfly Go services key)', () => {
  it('warn hides info lines; the default shows them; verbose: true wins over it', async () => {
    const levelsSeen = async (name: string, config: Record<string, unknown>) => {
      const scheduler = await SchedulerProcess.create(name, config);
      await scheduler.start();
      await scheduler.stop();
      return new Set([...scheduler.log.matchAll(/"level":(\d+)/g)].map((m) => Number(m[1])));
    };
    const quiet = await levelsSeen('log-warn', { server: { logLevel: 'warn' } });
    expect(quiet.has(30)).toBe(false);
    const normal = await levelsSeen('log-default', {});
    expect(normal.has(30)).toBe(true);
    expect(normal.has(20)).toBe(false);
    const verbose = await levelsSeen('log-verbose', { server: { logLevel: 'error' }, verbose: true });
    expect(verbose.has(30)).toBe(true); // verbose (debug) wins over logLevel: error, so info lines show
  });
});
