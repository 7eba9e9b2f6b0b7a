import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { tempDir } from './processes.js';

const run = promisify(execFile);

/**
 * A throw-away containerd daemon with its own config, root, state and socket under a temp dir (no CRI), as in
 * toolchain.md section 3. `ctr` commands run against it in namespace `d7y`.
 */
export class TestContainerd {
  child: ChildProcess | undefined;
  log = '';

  private constructor(readonly dir: string) {}

  get socket(): string {
    return join(this.dir, 'containerd.sock');
  }

  /** Directory holding `<registry host>/hosts.toml` files (`--hosts-dir`). */
  get hostsDir(): string {
    return join(this.dir, 'certs.d');
  }

  static async start(name: string): Promise<TestContainerd> {
    const ctrd = new TestContainerd(tempDir(`ctrd-${name}`));
    const { dir } = ctrd;
    mkdirSync(ctrd.hostsDir, { recursive: true });
    const config = join(dir, 'config.toml');
    writeFileSync(
      config,
      [
        'version = 2',
        `root = "${join(dir, 'root')}"`,
        `state = "${join(dir, 'state')}"`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        '[grpc]',
        `  address = "${ctrd.socket}"`,
        '[ttrpc]',
        `  address = "${ctrd.socket}.ttrpc"`,
        '[debug]',
        `  address = "${join(dir, 'debug.sock')}"`,
        '  level = "info"',
        '[metrics]',
        '  address = ""',
        '',
      ].join('\n'),
    );
    ctrd.child = spawn('containerd', ['--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    ctrd.child.stdout!.on('data', (chunk) => (ctrd.log += chunk));
    ctrd.child.stderr!.on('data', (chunk) => (ctrd.log += chunk));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (ctrd.child.exitCode !== null) throw new Error(`containerd exited:\n${ctrd.log}`);
      try {
        await run('ctr', ['--address', ctrd.socket, 'version']);
        return ctrd;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`containerd did not start:\n${ctrd.log}`);
  }

  /** Writes `<hostsDir>/<registry>/hosts.toml`. */
  hostsToml(registry: string, toml: string): void {
    mkdirSync(join(this.hostsDir, registry), { recursive: true });
    writeFileSync(join(this.hostsDir, registry, 'hosts.toml'), toml);
  }

  /** Runs `ctr -n d7y <args>`; resolves with stdout, rejects with stderr in the message. */
  async ctr(args: string[], timeoutMs = 120_000): Promise<string> {
    try {
      const { stdout } = await run('ctr', ['--address', this.socket, '-n', 'd7y', ...args], { timeout: timeoutMs });
      return stdout;
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(`ctr ${args.join(' ')} failed: ${stderr ?? ''}${stdout ?? ''}`);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
  }
}
