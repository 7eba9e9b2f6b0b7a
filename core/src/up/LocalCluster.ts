import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { stringify } from 'yaml';

import { DemoOrigin } from './demoOrigin.js';
import { httpReady, RoleProcess } from './roleProcess.js';

const CLI_DIR = fileURLToPath(new URL('../cli/', import.meta.url));

/** Options of `d7y up`. */
export interface LocalClusterOptions {
  dataDir: string;
  peers: number;
  demoSize: number;
  print(line: string): void;
}

/** One running peer of the local cluster. */
interface PeerInfo {
  name: string;
  socketPath: string;
  ports: { upload: number; piece: number; metrics: number; health: number };
  process: RoleProcess;
}

/** A result of one demo download. */
export interface DemoDownload {
  peer: string;
  ms: number;
  originBytes: number;
  ok: boolean;
  detail: string;
}

/**
 * A whole cluster on loopback with embedded defaults: every role in its own process, data and logs under
 * `dataDir`, ports chosen free at start. Today it runs dfdaemon peers and a demo origin.
 */
export class LocalCluster {
  readonly peers: PeerInfo[] = [];
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
    for (let i = 0; i < this.options.peers; i++) this.peers.push(await this.startPeer(`peer-${String.fromCharCode(97 + i)}`));
  }

  /** Downloads the demo file through each peer in turn with dfget, checking its sha256. */
  async demo(): Promise<DemoDownload[]> {
    const results: DemoDownload[] = [];
    const rounds = this.peers.length === 1 ? [this.peers[0]!, this.peers[0]!] : this.peers;
    for (const [index, peer] of rounds.entries()) {
      const output = join(this.options.dataDir, 'downloads', `${peer.name}-${index}.bin`);
      const before = this.origin.bytesSent;
      const started = performance.now();
      const result = await runCli('dfget.js', [this.origin.url, '-O', output, '-e', peer.socketPath, '--digest', `sha256:${this.origin.sha256}`, '--no-progress', '--overwrite']);
      results.push({
        peer: peer.name,
        ms: performance.now() - started,
        originBytes: this.origin.bytesSent - before,
        ok: result.code === 0,
        detail: result.code === 0 ? output : result.stderr.trim(),
      });
    }
    return results;
  }

  /** Stops every role and the origin. */
  async stop(): Promise<void> {
    await Promise.all(this.peers.map((peer) => peer.process.stop()));
    await this.origin.stop();
  }

  private async startPeer(name: string): Promise<PeerInfo> {
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
      proxy: { server: { ip: '127.0.0.1', port: proxy } },
      metrics: { server: { ip: '127.0.0.1', port: metrics } },
      health: { server: { ip: '127.0.0.1', port: health } },
      stats: { server: { ip: '127.0.0.1', port: stats } },
    };
    const configPath = join(dir, 'dfdaemon.yaml');
    writeFileSync(configPath, stringify(config));
    const process = new RoleProcess(name, join(CLI_DIR, 'dfdaemon.js'), ['--config', configPath], join(this.options.dataDir, 'logs', `${name}.log`));
    await process.start(() => httpReady(health, '/healthy'));
    return { name, socketPath, ports: { upload, piece, metrics, health }, process };
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

async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) {
    ports.add(
      await new Promise<number>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
        });
      }),
    );
  }
  return [...ports];
}
