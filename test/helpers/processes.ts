import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { stringify } from 'yaml';

import { freePorts } from './ports.js';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BIN = {
  d7y: join(REPO, 'core/dist/cli/d7y.js'),
  dfdaemon: join(REPO, 'core/dist/cli/dfdaemon.js'),
  dfget: join(REPO, 'core/dist/cli/dfget.js'),
};

/** A fresh temporary directory under the OS temp dir. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `d7y-${prefix}-`));
}

/** Result of a finished command. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a node script to completion. */
export function runNode(script: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Resolves once `child` has exited and its stdout/stderr have been read to the end, so a `log` gathered from
 * them is complete ('exit' can come before the last output arrives). A grandchild still holding the pipes
 * open cannot stall a test: the wait for the pipes ends 2 s after the exit.
 */
export async function exitedAndDrained(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
  const open = [child.stdout, child.stderr].filter((stream) => stream && !stream.readableEnded && !stream.destroyed);
  let timer: NodeJS.Timeout | undefined;
  const drained = Promise.all(open.map((stream) => new Promise((r) => (stream!.once('end', r), stream!.once('close', r)))));
  await Promise.race([drained, new Promise((r) => (timer = setTimeout(r, 2000)))]);
  clearTimeout(timer);
}

/**
 * Waits until the text `read()` returns matches `pattern` (a process's log grows as its output arrives, which
 * can be after the port it opened answers). Fails after `timeoutMs` with the text seen.
 */
export async function waitForLog(read: () => string, pattern: RegExp | string, timeoutMs = 10_000): Promise<void> {
  const matches = () => (typeof pattern === 'string' ? read().includes(pattern) : pattern.test(read()));
  const deadline = Date.now() + timeoutMs;
  while (!matches()) {
    if (Date.now() > deadline) throw new Error(`log did not show ${String(pattern)} in ${timeoutMs} ms:\n${read()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs dfget with the given arguments. */
export function dfget(args: string[], options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  return runNode(BIN.dfget, ['--no-progress', ...args], options);
}

/** A dfdaemon process started by a test. */
export class DaemonProcess {
  child: ChildProcess | undefined;
  log = '';

  constructor(
    readonly dir: string,
    readonly configPath: string,
    readonly socketPath: string,
    readonly ports: { upload: number; piece: number; metrics: number; health: number; proxy: number },
  ) {}

  /** Writes a dfdaemon.yaml under a fresh temp dir with free loopback ports; `extra` is merged over the defaults. */
  static async create(name: string, extra: Record<string, unknown> = {}): Promise<DaemonProcess> {
    const dir = tempDir(name);
    const [upload, piece, metrics, health, proxy, stats] = await freePorts(6);
    const socketPath = join(dir, 'dfdaemon.sock');
    const base = {
      host: { hostname: name, ip: '127.0.0.1' },
      server: { pluginDir: join(dir, 'plugins'), cacheDir: join(dir, 'cache') },
      download: { server: { socketPath } },
      upload: { server: { ip: '127.0.0.1', port: upload } },
      storage: { dir: join(dir, 'storage'), keep: true, server: { ip: '127.0.0.1', tcpPort: piece } },
      metrics: { server: { ip: '127.0.0.1', port: metrics } },
      health: { server: { ip: '127.0.0.1', port: health } },
      stats: { server: { ip: '127.0.0.1', port: stats } },
      proxy: { server: { ip: '127.0.0.1', port: proxy } },
      log: { level: 'info' },
    };
    const config = deepMerge(base, extra);
    const configPath = join(dir, 'dfdaemon.yaml');
    mkdirSync(join(dir, 'plugins'), { recursive: true });
    writeFileSync(configPath, stringify(config));
    return new DaemonProcess(dir, configPath, socketPath, { upload, piece, metrics, health, proxy: (config.proxy as { server: { port: number } }).server.port });
  }

  /** Starts the daemon and waits until `/healthy` answers. */
  async start(timeoutMs = 30_000): Promise<void> {
    this.child = spawn(process.execPath, [BIN.dfdaemon, '--config', this.configPath], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk) => (this.log += chunk));
    this.child.stderr!.on('data', (chunk) => (this.log += chunk));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`dfdaemon exited with ${this.child.exitCode}:\n${this.log}`);
      if (existsSync(this.socketPath) && (await httpStatus(this.ports.health, '/healthy')) === 200) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`dfdaemon did not become healthy in ${timeoutMs} ms:\n${this.log}`);
  }

  /** SIGKILL, no cleanup. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGSTOP: the process stalls with its connections open. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT after `pause()`. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** SIGTERM and wait. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exitedAndDrained(child);
  }

  /** Waits until this daemon's log shows `pattern`. */
  waitForLog(pattern: RegExp | string, timeoutMs?: number): Promise<void> {
    return waitForLog(() => this.log, pattern, timeoutMs);
  }

  /** GET on the metrics port. */
  async metrics(): Promise<string> {
    return httpBody(this.ports.metrics, '/metrics');
  }
}

function httpStatus(port: number, path: string): Promise<number> {
  return new Promise((resolveStatus) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 1000 }, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    });
    req.on('error', () => resolveStatus(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** GET a body from a loopback HTTP port. */
export function httpBody(port: number, path: string): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolveBody(body));
    });
    req.on('error', reject);
    req.end();
  });
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

/** A scheduler process started by a test. */
export class SchedulerProcess {
  child: ChildProcess | undefined;
  log = '';

  constructor(
    readonly dir: string,
    readonly configPath: string,
    readonly port: number,
  ) {}

  get addr(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Writes a scheduler.yaml on a free loopback port; `extra` is merged over the defaults. */
  static async create(name: string, extra: Record<string, unknown> = {}): Promise<SchedulerProcess> {
    const dir = tempDir(name);
    const [port, metrics] = await freePorts(2);
    const base = {
      server: { listenIP: '127.0.0.1', advertiseIP: '127.0.0.1', port, host: name, pluginDir: join(dir, 'plugins'), workHome: dir, cacheDir: join(dir, 'cache'), logDir: join(dir, 'log'), dataDir: join(dir, 'data') },
      scheduler: { retryInterval: '500ms' },
      metrics: { enable: true, addr: `127.0.0.1:${metrics}` },
      verbose: false,
    };
    const configPath = join(dir, 'scheduler.yaml');
    mkdirSync(join(dir, 'plugins'), { recursive: true });
    writeFileSync(configPath, stringify(deepMerge(base, extra)));
    return new SchedulerProcess(dir, configPath, port);
  }

  /** Starts the scheduler and waits until its gRPC port accepts connections. */
  async start(timeoutMs = 30_000): Promise<void> {
    this.child = spawn(process.execPath, [BIN.d7y, 'scheduler', '--config', this.configPath], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk) => (this.log += chunk));
    this.child.stderr!.on('data', (chunk) => (this.log += chunk));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`scheduler exited with ${this.child.exitCode}:\n${this.log}`);
      if (await tcpOpen(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`scheduler did not listen in ${timeoutMs} ms:\n${this.log}`);
  }

  async kill9(): Promise<void> {
    await stopChild(this.child, 'SIGKILL');
  }

  /** SIGSTOP: the scheduler stalls with its connections open (a hung process, not a dead one). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT after `pause()`. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Waits until this scheduler's log shows `pattern`. */
  waitForLog(pattern: RegExp | string, timeoutMs?: number): Promise<void> {
    return waitForLog(() => this.log, pattern, timeoutMs);
  }

  async stop(): Promise<void> {
    await stopChild(this.child, 'SIGTERM');
  }
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child) return;
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  await exitedAndDrained(child);
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once('error', () => resolveOpen(false));
  });
}
