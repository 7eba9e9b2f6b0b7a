/**
 * Test helper: a redis-server child process owned by one test (its own loopback port and directory), which
 * the test can kill and restart on the same port to simulate an outage. Not part of the plugin build.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TMP = fileURLToPath(new URL('../../../test/.tmp/services/', import.meta.url));

/** Path of redis-server, or undefined when it is not installed. */
export function redisServerBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

/** Parses `redis://[user[:password]@]host:port[/db]` into the plugin's config keys. */
export function redisUrlConfig(url: string): { addrs: string[]; username: string; password: string; db: number } {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return { addrs: [`${u.hostname}:${u.port || '6379'}`], username: decodeURIComponent(u.username), password: decodeURIComponent(u.password), db };
}

/** Resolves once the server answers a PING (an authentication error counts as up). */
async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('data', (data) => {
      socket.destroy();
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A private redis-server process. */
export class PrivateRedis {
  #child: ChildProcess | undefined;
  readonly dir: string;

  /** `extraArgs` go after the standard ones, e.g. `['--replicaof', '127.0.0.1', '6379']`. */
  constructor(
    readonly binary: string,
    readonly port: number,
    readonly password = '',
    readonly extraArgs: readonly string[] = [],
    readonly configFile?: (dir: string) => string,
  ) {
    mkdirSync(TMP, { recursive: true });
    this.dir = mkdtempSync(join(TMP, 'redis-private-'));
  }

  /** A Redis Sentinel (quorum 1, fast failure detection) watching `master` as `masterName`. */
  static sentinel(binary: string, port: number, masterName: string, master: PrivateRedis): PrivateRedis {
    return new PrivateRedis(binary, port, '', ['--sentinel'], (dir) => {
      const file = join(dir, 'sentinel.conf');
      const lines = [
        `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
        `sentinel down-after-milliseconds ${masterName} 500`,
        `sentinel failover-timeout ${masterName} 2000`,
        `sentinel parallel-syncs ${masterName} 1`,
      ];
      writeFileSync(file, `${lines.join('\n')}\n`);
      return file;
    });
  }

  /** `host:port` for the plugin's `addrs`. */
  get addr(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The PID of the running server (undefined when stopped). */
  get pid(): number | undefined {
    return this.#child?.exitCode === null ? this.#child.pid : undefined;
  }

  /** Starts the server (again) on its port and waits until it answers. */
  async start(timeoutMs = 10_000): Promise<void> {
    const args = this.configFile ? [this.configFile(this.dir)] : [];
    args.push('--bind', '127.0.0.1', '--port', String(this.port), '--dir', this.dir, '--daemonize', 'no');
    if (!this.extraArgs.includes('--sentinel')) args.push('--save', '', '--appendonly', 'no');
    if (this.password !== '') args.push('--requirepass', this.password);
    args.push(...this.extraArgs);
    const child = spawn(this.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    this.#child = child;
    const deadline = Date.now() + timeoutMs;
    while (!(await answers(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server on port ${this.port} exited with ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Kills exactly this server's PID (SIGKILL: an abrupt outage) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops the server and removes its directory. */
  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
