/** A `d7y manager` process on SQLite for end-to-end tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

import { stringify } from 'yaml';

import { BIN, exitedAndDrained, REPO, tempDir, waitForLog } from './processes.js';
import { freePorts } from './ports.js';

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A manager process; its SQLite file is `dbPath`. */
export class ManagerProcess {
  child: ChildProcess | undefined;
  log = '';

  constructor(
    readonly dir: string,
    readonly configPath: string,
    readonly dbPath: string,
    readonly grpcPort: number,
    readonly restPort: number,
  ) {}

  /** `host:port` of the gRPC service. */
  get addr(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }

  /**
   * Writes a manager.yaml on free loopback ports with a SQLite database under a fresh temp dir, or with the
   * `database` section given (PostgreSQL, MariaDB).
   */
  static async create(name: string, database?: Record<string, unknown>): Promise<ManagerProcess> {
    const dir = tempDir(name);
    const [grpcPort, restPort] = await freePorts(2);
    const dbPath = join(dir, 'data', 'manager.db');
    const config = {
      server: {
        grpc: { listenIP: '127.0.0.1', port: grpcPort },
        rest: { addr: `127.0.0.1:${restPort}` },
        workHome: dir,
        cacheDir: join(dir, 'cache'),
        logDir: join(dir, 'log'),
        pluginDir: join(dir, 'plugins'),
      },
      database: database ?? { type: 'sqlite', sqlite: { path: dbPath } },
    };
    mkdirSync(join(dir, 'plugins'), { recursive: true });
    const configPath = join(dir, 'manager.yaml');
    writeFileSync(configPath, stringify(config));
    return new ManagerProcess(dir, configPath, dbPath, grpcPort, restPort);
  }

  /** Starts the manager (with extra environment `env`) and waits until its gRPC port accepts connections. */
  async start(timeoutMs = 30_000, env: NodeJS.ProcessEnv = {}): Promise<void> {
    this.child = spawn(process.execPath, [BIN.d7y, 'manager', '--config', this.configPath], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk) => (this.log += chunk));
    this.child.stderr!.on('data', (chunk) => (this.log += chunk));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`manager exited with ${this.child.exitCode}:\n${this.log}`);
      if (await tcpOpen(this.grpcPort)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`manager did not listen in ${timeoutMs} ms:\n${this.log}`);
  }

  /** SIGTERM and wait. */
  async stop(): Promise<void> {
    await this.#signal('SIGTERM');
  }

  /** SIGKILL and wait. */
  async kill9(): Promise<void> {
    await this.#signal('SIGKILL');
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exitedAndDrained(child);
  }

  /** Waits until this manager's log shows `pattern`. */
  waitForLog(pattern: RegExp | string, timeoutMs?: number): Promise<void> {
    return waitForLog(() => this.log, pattern, timeoutMs);
  }
}
