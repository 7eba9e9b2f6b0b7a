/**
 * Pieces of the preheat suites: Docker distribution registries with basic or token auth (Debian
 * docker-registry), a token server, a multi-platform OCI layout pushed with skopeo, a canary server that must
 * receive nothing, and a client for the manager's REST API with a personal access token.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, createSign, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { freePort } from './ports.js';
import { ensureOciTools, skopeo } from './registry.js';
import { exitedAndDrained, tempDir } from './processes.js';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** A small HTTP server on `host` answering with `handler` and remembering every request line. */
export class HttpStub {
  readonly requests: string[] = [];
  #server: Server | undefined;
  port = 0;

  constructor(
    private readonly handler: (req: IncomingMessage, res: ServerResponse, stub: HttpStub) => void,
    readonly host = '127.0.0.1',
  ) {}

  get origin(): string {
    return `http://${this.host}:${this.port}`;
  }

  async start(): Promise<this> {
    this.port = await freePort();
    this.#server = createServer((req, res) => {
      this.requests.push(`${req.method} ${req.url}`);
      this.handler(req, res, this);
    });
    await new Promise<void>((resolve, reject) => this.#server!.listen(this.port, this.host, resolve).once('error', reject));
    return this;
  }

  async stop(): Promise<void> {
    if (!this.#server) return;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
  }
}

/** An RS256 token server for docker-registry `auth.token`, checking basic credentials, with its signing certificate. */
export class TokenServer extends HttpStub {
  readonly certPath: string;
  readonly #key: string;
  readonly #certDer: string;
  readonly issued: string[] = [];

  constructor(
    readonly user: string,
    readonly password: string,
    readonly service = 'test-registry',
    readonly issuer = 'test-token-issuer',
  ) {
    super((req, res) => this.#answer(req, res));
    const dir = tempDir('token');
    const keyPath = join(dir, 'token.key');
    this.certPath = join(dir, 'token.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', this.certPath, '-subj', '/CN=token', '-days', '2'], { stdio: 'pipe' });
    this.#key = readFileSync(keyPath, 'utf8');
    this.#certDer = new X509Certificate(readFileSync(this.certPath)).raw.toString('base64');
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    const expected = `Basic ${Buffer.from(`${this.user}:${this.password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      return type && name && actions ? [{ type, name, actions: actions.split(',') }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const b64 = (value: object | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');
    const head = b64({ typ: 'JWT', alg: 'RS256', x5c: [this.#certDer] });
    const body = b64({ iss: this.issuer, sub: this.user, aud: url.searchParams.get('service') ?? this.service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access });
    const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(createPrivateKey(this.#key));
    const token = `${head}.${body}.${b64(signature)}`;
    this.issued.push(token);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  }
}

/** A docker-registry with `auth` set (htpasswd or token). */
export class AuthRegistry {
  child: ChildProcess | undefined;
  log = '';

  private constructor(readonly port: number) {}

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts a registry requiring basic auth for `user`/`password`. */
  static basic(user: string, password: string): Promise<AuthRegistry> {
    const dir = tempDir('reg-basic');
    const hash = execFileSync('python3', ['-c', `import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))`, password], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    writeFileSync(join(dir, 'htpasswd'), `${user}:${hash}\n`);
    return AuthRegistry.#start(dir, `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${join(dir, 'htpasswd')}\n`);
  }

  /** Starts a registry requiring tokens from `server`. */
  static token(server: TokenServer): Promise<AuthRegistry> {
    const dir = tempDir('reg-token');
    return AuthRegistry.#start(
      dir,
      `auth:\n  token:\n    realm: ${server.origin}/token\n    service: ${server.service}\n    issuer: ${server.issuer}\n    rootcertbundle: ${server.certPath}\n`,
    );
  }

  static async #start(dir: string, auth: string): Promise<AuthRegistry> {
    ensureOciTools();
    const registry = new AuthRegistry(await freePort());
    const config = join(dir, 'registry.yml');
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(
      config,
      `version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${registry.port}\n${auth}health:\n  storagedriver:\n    enabled: false\n`,
    );
    registry.child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    registry.child.stdout!.on('data', (chunk) => (registry.log += chunk));
    registry.child.stderr!.on('data', (chunk) => (registry.log += chunk));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (registry.child.exitCode !== null) throw new Error(`docker-registry exited:\n${registry.log}`);
      if ((await status(registry.port, '/v2/')) === 401) return registry;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`docker-registry did not answer on ${registry.port}:\n${registry.log}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exitedAndDrained(child);
  }
}

function status(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Digests of one platform's image in a multi-platform layout. */
export interface PlatformImage {
  readonly platform: string;
  readonly manifest: string;
  readonly config: string;
  readonly layer: string;
}

/**
 * Writes an OCI layout whose tag `tag` is an image index with one small image per platform (a gzip of random
 * bytes as the layer: registries and skopeo do not look inside layers).
 */
export function buildMultiPlatformLayout(tag: string, platforms: readonly string[]): { dir: string; images: PlatformImage[] } {
  const dir = join(tempDir('oci-multi'), 'layout');
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (data: Buffer | string) => {
    const hex = sha256(data);
    writeFileSync(join(dir, 'blobs', 'sha256', hex), data);
    return { digest: `sha256:${hex}`, size: Buffer.byteLength(data) };
  };
  const images: PlatformImage[] = [];
  const entries = platforms.map((platform) => {
    const [os, architecture] = platform.split('/') as [string, string];
    const raw = randomBytes(32 * 1024);
    const layer = put(gzipSync(raw));
    const config = put(JSON.stringify({ architecture, os, config: {}, rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(raw)}`] } }));
    const manifest = put(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      }),
    );
    images.push({ platform, manifest: manifest.digest, config: config.digest, layer: layer.digest });
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { os, architecture } };
  });
  const index = put(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...index, annotations: { 'org.opencontainers.image.ref.name': tag } }] }),
  );
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  return { dir, images };
}

/** `skopeo copy --all oci:<dir>:<tag> docker://<host>/<name>:<tag>`, with credentials when given. */
export function skopeoPush(dir: string, tag: string, host: string, name: string, creds?: string): Promise<void> {
  return skopeo(['copy', '--all', '--insecure-policy', '--dest-tls-verify=false', ...(creds ? ['--dest-creds', creds] : []), `oci:${dir}:${tag}`, `docker://${host}/${name}:${tag}`]);
}

/** The manager's REST API with a personal access token. */
export function patClient(restPort: number, token: string) {
  const base = `http://127.0.0.1:${restPort}`;
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      // Set one by one, so a caller's header replaces the default of the same name in any letter case.
      headers: Object.entries(headers).reduce(
        (all, [name, value]) => (all.set(name, value), all),
        new Headers({ authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }),
      ),
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json: json as Record<string, unknown> & { id: number; state: string; result: any } };
  };
  return {
    send,
    /** Polls `GET path` until `state` (or `status` for legacy) is final. */
    async until(path: string, field: 'state' | 'status' = 'state', timeoutMs = 120_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const answer = await send('GET', path);
        const value = answer.json?.[field];
        if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.text}`);
        if (!['PENDING', 'WAITING', 'RUNNING'].includes(String(value))) return answer;
        if (Date.now() > end) throw new Error(`GET ${path} still ${String(value)}: ${answer.text}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    },
  };
}
