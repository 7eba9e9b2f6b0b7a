import { type ChildProcess, execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';

import { freePort } from './ports.js';
import { exitedAndDrained, REPO, tempDir } from './processes.js';

const OCI_TOOLS = ['docker-registry', 'skopeo', 'containerd', 'ctr', 'runc', 'busybox', 'curl'];
let toolsChecked = false;

/**
 * Makes sure the OCI toolchain of the proxy suites is installed: when a binary is missing, runs
 * `scripts/services/registry.sh install` (Debian packages; needs root) and fails with its message otherwise.
 */
export function ensureOciTools(): void {
  if (toolsChecked) return;
  const missing = OCI_TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length > 0) {
    const install = spawnSync('bash', [join(REPO, 'scripts/services/registry.sh'), 'install'], { encoding: 'utf8', timeout: 600_000 });
    if (install.status !== 0) throw new Error(`OCI tools missing (${missing.join(', ')}) and could not be installed:\n${install.stderr}`);
  }
  toolsChecked = true;
}

/** One image built by test/fixtures/oci/build-oci.sh. */
export interface BuiltImage {
  dir: string;
  tag: string;
  manifest: string;
  layer: string;
  layerSize: number;
  config: string;
}

/** Builds an OCI layout (busybox + hello.txt + `extraMiB` of random bytes) under a temp dir. */
export function buildImage(tag = 'latest', extraMiB = 0): BuiltImage {
  ensureOciTools();
  const dir = join(tempDir('oci'), 'img');
  const out = execFileSync('bash', [join(REPO, 'test/fixtures/oci/build-oci.sh'), dir, tag, String(extraMiB)]).toString();
  const match = /manifest (sha256:[0-9a-f]{64}) layer (sha256:[0-9a-f]{64}) \((\d+) bytes\) config (sha256:[0-9a-f]{64})/.exec(out);
  if (!match) throw new Error(`build-oci.sh printed no digests: ${out}`);
  return { dir, tag, manifest: match[1]!, layer: match[2]!, layerSize: Number(match[3]), config: match[4]! };
}

/**
 * A real Docker distribution registry (Debian docker-registry) on a private loopback port and directory, with its
 * access log captured so tests can count what reached it.
 */
export class TestRegistry {
  child: ChildProcess | undefined;
  log = '';
  readonly root: string;

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly tls: { cert: string; key: string } | undefined,
  ) {
    this.root = join(dir, 'data');
  }

  /** `host:port` of the registry. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Base URL of the registry. */
  get url(): string {
    return `${this.tls ? 'https' : 'http'}://${this.host}`;
  }

  /** Starts a registry; with `tls`, it serves HTTPS with that certificate. */
  static async start(options: { tls?: { cert: string; key: string }; htpasswd?: { username: string; password: string } } = {}): Promise<TestRegistry> {
    ensureOciTools();
    const dir = tempDir('registry');
    const port = await freePort();
    const registry = new TestRegistry(dir, port, options.tls);
    mkdirSync(registry.root, { recursive: true });
    const tls = options.tls ? `  tls:\n    certificate: ${options.tls.cert}\n    key: ${options.tls.key}\n` : '';
    let auth = '';
    if (options.htpasswd) {
      // bcrypt (cost 4, fast for tests) through glibc's crypt(3), as Python exposes it; the registry accepts $2b$ hashes.
      const hash = execFileSync('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))', options.htpasswd.password]).toString().trim();
      writeFileSync(join(dir, 'htpasswd'), `${options.htpasswd.username}:${hash}\n`);
      auth = `auth:\n  htpasswd:\n    realm: d7y-test\n    path: ${join(dir, 'htpasswd')}\n`;
    }
    const config = join(dir, 'registry.yml');
    writeFileSync(
      config,
      `version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: ${registry.root}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${tls}${auth}health:\n  storagedriver:\n    enabled: false\n`,
    );
    registry.child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    registry.child.stdout!.on('data', (chunk) => (registry.log += chunk));
    registry.child.stderr!.on('data', (chunk) => (registry.log += chunk));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (registry.child.exitCode !== null) throw new Error(`docker-registry exited:\n${registry.log}`);
      if ([200, 401].includes(await registry.status('/v2/'))) return registry;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`docker-registry did not answer on ${port}:\n${registry.log}`);
  }

  /** Pushes an OCI layout to `<name>:<tag>` with skopeo (`creds` as user:password for an htpasswd registry). */
  async push(image: BuiltImage, name: string, creds?: string): Promise<void> {
    const auth = creds ? ['--dest-creds', creds] : [];
    await skopeo(['copy', '--insecure-policy', '--dest-tls-verify=false', ...auth, `oci:${image.dir}:${image.tag}`, `docker://${this.host}/${name}:${image.tag}`]);
  }

  /** Access-log lines of GETs of a blob that the registry answered with 2xx. */
  blobGets(digest: string): number {
    const pattern = new RegExp(`"GET /v2/[^ ]*/blobs/${digest}[^ ]* HTTP/1.1" 2\\d\\d `, 'g');
    return this.log.match(pattern)?.length ?? 0;
  }

  /** Body bytes the registry sent for 2xx GETs of a blob (ranged GETs included), from its access log. */
  blobBytes(digest: string): number {
    const pattern = new RegExp(`"GET /v2/[^ ]*/blobs/${digest}[^ ]* HTTP/1.1" 2\\d\\d (\\d+) `, 'g');
    let total = 0;
    for (const match of this.log.matchAll(pattern)) total += Number(match[1]);
    return total;
  }

  /** Every access-log line of requests to a path containing `fragment`. */
  requests(fragment: string): string[] {
    return this.log.split('\n').filter((line) => line.includes(`/v2/`) && line.includes(fragment) && /" \d{3} /.test(line));
  }

  /** The file holding a blob's bytes in the registry's storage. */
  blobFile(digest: string): string {
    const hex = digest.replace(/^sha256:/, '');
    return join(this.root, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  }

  /** Status of a GET on the registry (0 when it cannot be reached). */
  status(path: string): Promise<number> {
    return new Promise((resolve) => {
      const send = this.tls ? httpsRequest : httpRequest;
      const req = send({ host: '127.0.0.1', port: this.port, path, rejectUnauthorized: false, timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exitedAndDrained(child);
  }
}

/**
 * Runs skopeo without blocking the event loop (a registry's token server may live in this very process, and a
 * synchronous child would deadlock against it) and with a time limit, so a stuck push fails the suite instead
 * of hanging it. Rejects with skopeo's stderr.
 */
export function skopeo(args: readonly string[], timeoutMs = 180_000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('skopeo', args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`skopeo ${args.join(' ')} failed (${error.killed ? `killed after ${timeoutMs} ms` : `exit ${error.code}`}):\n${stderr}`));
      else resolve();
    });
  });
}
