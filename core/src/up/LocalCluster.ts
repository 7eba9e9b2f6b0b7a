import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { credentials } from '@grpc/grpc-js';
import { stringify } from 'yaml';

import { freePorts } from '../common/freePort.js';
import { ManagerClient } from '../manager/client/ManagerClient.js';
import { DemoOrigin } from './demoOrigin.js';
import { httpReady, httpText, RoleProcess, tcpReady } from './roleProcess.js';
import type { StatusSource } from './status.js';

const CLI_DIR = fileURLToPath(new URL('../cli/', import.meta.url));

/** Options of `d7y up`. */
export interface LocalClusterOptions {
  dataDir: string;
  peers: number;
  demoSize: number;
  /** Give every peer a proxy rule for the demo file, so HTTP clients can download it P2P through the proxy. */
  withProxy?: boolean;
  print(line: string): void;
}

/** One running peer of the local cluster. */
interface PeerInfo {
  name: string;
  seed: boolean;
  socketPath: string;
  ports: { upload: number; piece: number; metrics: number; health: number; proxy: number };
  process: RoleProcess;
}

/** The running scheduler of the local cluster. */
interface SchedulerInfo {
  port: number;
  metricsPort: number;
  process: RoleProcess;
}

/** The running manager of the local cluster. */
interface ManagerInfo {
  grpcPort: number;
  restPort: number;
  dbPath: string;
  process: RoleProcess;
}

/** How long `start()` waits for the manager to list the scheduler as active. */
const SCHEDULER_ACTIVE_TIMEOUT_MS = 20_000;

/** A result of one demo download. */
export interface DemoDownload {
  peer: string;
  ms: number;
  originBytes: number;
  /** Bytes by where they came from (back_to_source, remote_peer, local_peer), as dfget reported them. */
  traffic: string;
  ok: boolean;
  detail: string;
}

/**
 * A whole cluster on loopback with embedded defaults: every role in its own process, data and logs under
 * `dataDir`, ports chosen free at start: a manager on SQLite, a scheduler registered with it, a seed peer
 * and `peers` peers that find the scheduler through the manager, and a demo origin.
 */
export class LocalCluster {
  readonly peers: PeerInfo[] = [];
  scheduler: SchedulerInfo | undefined;
  manager: ManagerInfo | undefined;
  readonly origin: DemoOrigin;

  constructor(private readonly options: LocalClusterOptions) {
    this.origin = new DemoOrigin(join(options.dataDir, 'origin', 'demo.bin'), options.demoSize);
  }

  /** Starts the origin and every peer; resolves when all are healthy. */
  async start(): Promise<void> {
    const { dataDir } = this.options;
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(join(dataDir, 'origin'), { recursive: true });
    mkdirSync(join(dataDir, 'logs'), { recursive: true });
    await this.origin.start();
    this.manager = await this.startManager();
    this.scheduler = await this.startScheduler();
    await this.waitForActiveScheduler();
    this.peers.push(await this.startPeer('seed-peer', true));
    for (let i = 0; i < this.options.peers; i++) this.peers.push(await this.startPeer(`peer-${String.fromCharCode(97 + i)}`, false));
  }

  /** Peers that are not seeds. */
  get normalPeers(): PeerInfo[] {
    return this.peers.filter((peer) => !peer.seed);
  }

  /** Bytes each seed or peer served to others, from its metrics. */
  async uploads(): Promise<Array<{ name: string; bytes: number }>> {
    return Promise.all(
      this.peers.map(async (peer) => {
        const text = await httpText(peer.ports.metrics, '/metrics');
        const match = /dragonfly_client_upload_traffic\{[^}]*\} (\d+)/.exec(text);
        return { name: peer.name, bytes: match ? Number(match[1]) : 0 };
      }),
    );
  }

  /** Downloads the demo file through each peer in turn with dfget, checking its sha256. */
  async demo(): Promise<DemoDownload[]> {
    const results: DemoDownload[] = [];
    for (const [index, peer] of this.normalPeers.entries()) {
      const output = join(this.options.dataDir, 'downloads', `${peer.name}-${index}.bin`);
      const before = this.origin.bytesSent;
      const started = performance.now();
      const result = await runCli('dfget.js', [this.origin.url, '-O', output, '-e', peer.socketPath, '--digest', `sha256:${this.origin.sha256}`, '--no-progress', '--overwrite', '--console']);
      const traffic = /\((.*)\)\s*$/.exec(result.stderr.trim())?.[1] ?? '';
      results.push({
        peer: peer.name,
        ms: performance.now() - started,
        originBytes: this.origin.bytesSent - before,
        traffic,
        ok: result.code === 0,
        detail: result.code === 0 ? output : result.stderr.trim(),
      });
    }
    return results;
  }

  /** Downloads the demo file through each peer's HTTP proxy (`--with-proxy`), checking its sha256. */
  async demoViaProxy(): Promise<DemoDownload[]> {
    const results: DemoDownload[] = [];
    for (const peer of this.normalPeers) {
      const before = this.origin.bytesSent;
      const started = performance.now();
      const got = await getViaProxy(this.origin.url, peer.ports.proxy).catch((error: Error) => ({ status: 0, sha256: '', error: error.message }));
      const ok = got.status === 200 && got.sha256 === this.origin.sha256;
      results.push({
        peer: peer.name,
        ms: performance.now() - started,
        originBytes: this.origin.bytesSent - before,
        traffic: 'via proxy',
        ok,
        detail: ok ? '' : `proxy answered ${got.status}${'error' in got ? ` (${got.error})` : ''}, sha256 ${got.sha256 || '-'}`,
      });
    }
    return results;
  }

  /** Where the status table reads each role. */
  statusSources(): StatusSource[] {
    const sources: StatusSource[] = [];
    if (this.manager) {
      sources.push({ role: 'manager', name: 'manager', ports: `grpc ${this.manager.grpcPort}  rest ${this.manager.restPort}`, health: { port: this.manager.restPort, path: '/healthy' } });
    }
    if (this.scheduler) sources.push({ role: 'scheduler', name: 'scheduler', ports: `grpc ${this.scheduler.port}  metrics ${this.scheduler.metricsPort}`, metricsPort: this.scheduler.metricsPort });
    for (const peer of this.peers) {
      const proxy = this.options.withProxy ? `  proxy ${peer.ports.proxy}` : '';
      sources.push({
        role: peer.seed ? 'seed-peer' : 'peer',
        name: peer.name,
        ports: `upload ${peer.ports.upload}  metrics ${peer.ports.metrics}${proxy}`,
        metricsPort: peer.ports.metrics,
        health: { port: peer.ports.health, path: '/healthy' },
      });
    }
    return sources;
  }

  /** Stops every role and the origin. */
  async stop(): Promise<void> {
    await Promise.all(this.peers.map((peer) => peer.process.stop()));
    await this.scheduler?.process.stop();
    await this.manager?.process.stop();
    await this.origin.stop();
  }

  private managerAddr(): string {
    return `127.0.0.1:${this.manager!.grpcPort}`;
  }

  private async startManager(): Promise<ManagerInfo> {
    const dir = join(this.options.dataDir, 'manager');
    mkdirSync(dir, { recursive: true });
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
      database: { type: 'sqlite', sqlite: { path: dbPath } },
    };
    const configPath = join(dir, 'manager.yaml');
    writeFileSync(configPath, stringify(config));
    const process = new RoleProcess('manager', join(CLI_DIR, 'd7y.js'), ['manager', '--config', configPath], join(this.options.dataDir, 'logs', 'manager.log'));
    await process.start(async () => (await tcpReady(grpcPort)) && (await httpReady(restPort, '/healthy')));
    return { grpcPort, restPort, dbPath, process };
  }

  /** Waits until the manager hands the scheduler to peers, so that the peers' first refresh finds it. */
  private async waitForActiveScheduler(): Promise<void> {
    const client = new ManagerClient(this.managerAddr(), credentials.createInsecure(), 2000);
    try {
      const deadline = Date.now() + SCHEDULER_ACTIVE_TIMEOUT_MS;
      while (Date.now() < deadline) {
        const listed = await client.listSchedulers({ sourceType: 'PEER_SOURCE', hostname: 'd7y-up', ip: '127.0.0.1' }).catch(() => undefined);
        if ((listed?.schedulers.length ?? 0) > 0) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the manager did not list the scheduler as active within ${SCHEDULER_ACTIVE_TIMEOUT_MS} ms; see ${this.options.dataDir}/logs`);
    } finally {
      client.close();
    }
  }

  private async startScheduler(): Promise<SchedulerInfo> {
    const dir = join(this.options.dataDir, 'scheduler');
    mkdirSync(dir, { recursive: true });
    const [port, metricsPort] = await freePorts(2);
    const config = {
      server: { listenIP: '127.0.0.1', advertiseIP: '127.0.0.1', port, host: 'scheduler', workHome: dir, cacheDir: join(dir, 'cache'), logDir: join(dir, 'log'), dataDir: join(dir, 'data'), pluginDir: join(dir, 'plugins') },
      scheduler: { retryInterval: '200ms' },
      metrics: { enable: true, addr: `127.0.0.1:${metricsPort}` },
      manager: { addr: this.managerAddr(), schedulerClusterID: 1, keepAlive: { interval: '2s' } },
      dynConfig: { refreshInterval: '10s' },
    };
    const configPath = join(dir, 'scheduler.yaml');
    writeFileSync(configPath, stringify(config));
    const process = new RoleProcess('scheduler', join(CLI_DIR, 'd7y.js'), ['scheduler', '--config', configPath], join(this.options.dataDir, 'logs', 'scheduler.log'));
    await process.start(() => tcpReady(port));
    return { port, metricsPort, process };
  }

  private async startPeer(name: string, seed: boolean): Promise<PeerInfo> {
    const dir = join(this.options.dataDir, name);
    mkdirSync(dir, { recursive: true });
    const [upload, piece, metrics, health, proxy, stats] = await freePorts(6);
    const socketPath = join(dir, 'dfdaemon.sock');
    const config = {
      host: { hostname: name, ip: '127.0.0.1' },
      server: { pluginDir: join(dir, 'plugins'), cacheDir: join(dir, 'cache') },
      download: { server: { socketPath } },
      upload: { server: { ip: '127.0.0.1', port: upload } },
      storage: { dir: join(dir, 'storage'), server: { ip: '127.0.0.1', tcpPort: piece } },
      proxy: { server: { ip: '127.0.0.1', port: proxy }, ...(this.options.withProxy ? { rules: [{ regex: 'demo\\.bin$' }] } : {}) },
      metrics: { server: { ip: '127.0.0.1', port: metrics } },
      health: { server: { ip: '127.0.0.1', port: health } },
      stats: { server: { ip: '127.0.0.1', port: stats } },
      manager: { addr: this.managerAddr() },
      dynconfig: { refreshInterval: '10s' },
      scheduler: { announceInterval: '10s' },
      seedPeer: { enable: seed, keepaliveInterval: '2s' },
    };
    const configPath = join(dir, 'dfdaemon.yaml');
    writeFileSync(configPath, stringify(config));
    const process = new RoleProcess(name, join(CLI_DIR, 'dfdaemon.js'), ['--config', configPath], join(this.options.dataDir, 'logs', `${name}.log`));
    await process.start(() => httpReady(health, '/healthy'));
    return { name, seed, socketPath, ports: { upload, piece, metrics, health, proxy }, process };
  }
}

function runCli(script: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(CLI_DIR, script), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** GET `url` through the HTTP proxy on a loopback port; resolves with the status and the body's sha256. */
function getViaProxy(url: string, proxyPort: number): Promise<{ status: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxyPort, path: url, headers: { host: new URL(url).host } }, (res) => {
      const hash = createHash('sha256');
      res.on('data', (chunk: Buffer) => hash.update(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sha256: hash.digest('hex') }));
      res.on('error', reject);
    });
    req.setTimeout(120_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
