import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TestOrigin, writeRandomFile } from '../helpers/origin.js';
import { send } from '../helpers/http.js';
import { DaemonProcess, tempDir } from '../helpers/processes.js';
import { buildImage, TestRegistry, type BuiltImage } from '../helpers/registry.js';

const AUTH = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
const CANARY_IP = '127.0.0.3';
const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Writes raw bytes to a port and collects whatever comes back until the server closes or `waitMs` passes. */
function raw(port: number, text: string | Buffer, options: { waitMs?: number; host?: string; localAddress?: string } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: options.host ?? '127.0.0.1', localAddress: options.localAddress });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(data);
    }, options.waitMs ?? 3000);
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.on('error', () => undefined);
    socket.write(text);
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

/** The first non-internal IPv4 address of this host: a client address that is not loopback. */
function externalAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return undefined;
}

describe('proxy abuse (security-testplan section F) leaves the proxy healthy', () => {
  let registry: TestRegistry;
  let image: BuiltImage;
  let guarded: DaemonProcess;
  let limited: DaemonProcess;
  const origin = new TestOrigin();
  let canary: Server;
  let canaryPort = 0;
  let canaryConnections = 0;
  const out = tempDir('proxy-abuse');

  beforeAll(async () => {
    registry = await TestRegistry.start();
    image = buildImage('1.0', 0);
    await registry.push(image, 'test/hello');
    await origin.start();
    origin.route('/echo', { kind: 'status', status: 200, body: 'origin' });
    canary = createServer((_req, res) => res.end('canary'));
    canary.on('connection', () => canaryConnections++);
    await new Promise<void>((r) => canary.listen(0, CANARY_IP, r));
    canaryPort = (canary.address() as AddressInfo).port;
    guarded = await DaemonProcess.create('proxy-guarded', {
      proxy: { server: { ip: '0.0.0.0', basicAuth: { username: 'alice', password: 's3cret' } }, registryMirror: { addr: registry.url } },
      egress: { denyCIDRs: [`${CANARY_IP}/32`] },
    });
    limited = await DaemonProcess.create('proxy-limited', {
      proxy: { server: { requestRateLimit: 5 }, registryMirror: { addr: registry.url }, disableBackToSource: true },
    });
    await Promise.all([guarded.start(), limited.start()]);
  });
  afterAll(async () => {
    await Promise.all([guarded?.stop(), limited?.stop()]);
    await registry?.stop();
    await origin.stop();
    canary?.close();
  });

  /** Health check and a normal blob download through the guarded proxy. */
  async function expectHealthy(): Promise<void> {
    const answer = await send(guarded.ports.proxy, `/v2/test/hello/blobs/${image.layer}`, { headers: ['Proxy-Authorization', AUTH] });
    expect(answer.status).toBe(200);
    expect(sha256(answer.body)).toBe(image.layer);
    expect((await send(guarded.ports.health, '/healthy')).status).toBe(200);
  }

  it('F01: no open relay: auth is required, denied addresses are refused for every request form, the canary sees nothing', async () => {
    const proxy = guarded.ports.proxy;
    const canaryUrl = `http://${CANARY_IP}:${canaryPort}/`;
    // Without credentials: 407 for mirror, forward and CONNECT requests.
    expect((await send(proxy, '/v2/')).status).toBe(407);
    expect((await send(proxy, origin.url('/echo'))).headers['proxy-authenticate']).toBe('Basic realm="d7y"');
    expect(statusOf(await raw(proxy, `CONNECT ${registry.host} HTTP/1.1\r\nHost: ${registry.host}\r\n\r\n`))).toBe(407);
    // With credentials, to denied addresses.
    expect((await send(proxy, canaryUrl, { headers: ['Proxy-Authorization', AUTH] })).status).toBe(403);
    expect((await send(proxy, 'http://169.254.169.254/latest/meta-data/', { headers: ['Proxy-Authorization', AUTH] })).status).toBe(403);
    expect(statusOf(await raw(proxy, `CONNECT ${CANARY_IP}:${canaryPort} HTTP/1.1\r\nHost: x\r\nProxy-Authorization: ${AUTH}\r\n\r\n`))).toBe(403);
    expect(statusOf(await raw(proxy, `CONNECT 169.254.169.254:443 HTTP/1.1\r\nHost: x\r\nProxy-Authorization: ${AUTH}\r\n\r\n`))).toBe(403);
    expect(statusOf(await raw(proxy, `CONNECT [::ffff:${CANARY_IP}]:${canaryPort} HTTP/1.1\r\nHost: x\r\nProxy-Authorization: ${AUTH}\r\n\r\n`))).toBe(403);
    expect(statusOf(await raw(proxy, `CONNECT not a target HTTP/1.1\r\nHost: x\r\nProxy-Authorization: ${AUTH}\r\n\r\n`))).toBe(400);
    for (const path of ['/v2/', `/v2/x/blobs/${image.layer}`]) {
      const answer = await send(proxy, path, { headers: ['Proxy-Authorization', AUTH, 'X-Dragonfly-Registry', canaryUrl] });
      expect(answer.status, path).toBe(403);
      expect(answer.headers['x-dragonfly-error-type']).toBe('proxy');
    }
    // A request aimed at the proxy itself is not looped.
    expect((await send(proxy, `http://127.0.0.1:${proxy}/v2/`, { headers: ['Proxy-Authorization', AUTH] })).status).toBe(403);
    expect(canaryConnections).toBe(0);
    await expectHealthy();
    const metrics = await send(guarded.ports.metrics, '/metrics');
    const count = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(metrics.body.toString())?.[1] ?? -1);
    expect(count('dragonfly_client_proxy_request_failure_total')).toBeGreaterThanOrEqual(10);
    expect(count('dragonfly_client_proxy_request_via_dfdaemon_total')).toBeGreaterThanOrEqual(2);
    expect(count('dragonfly_client_proxy_request_total')).toBeGreaterThan(count('dragonfly_client_proxy_request_failure_total'));
  });

  it('F02: every malformed Proxy-Authorization form gets 407 and credentials never reach the upstream', async () => {
    const proxy = guarded.ports.proxy;
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const forms = ['Basic', 'Basic ', 'Basic ***', `Basic ${b64('alices3cret')}`, `Basic ${b64(':')}`, `basic ${b64('alice:wrong')}`, `Digest ${b64('alice:s3cret')}`, `Basic ${'A'.repeat(4000)}`];
    for (const form of forms) {
      const response = await raw(proxy, `GET ${origin.url('/echo')} HTTP/1.1\r\nHost: x\r\nProxy-Authorization: ${form}\r\nConnection: close\r\n\r\n`);
      expect(statusOf(response), form.slice(0, 30)).toBe(407);
    }
    const duplicated = await raw(proxy, `GET ${origin.url('/echo')} HTTP/1.1\r\nHost: x\r\nProxy-Authorization: ${AUTH}\r\nProxy-Authorization: ${AUTH}\r\nConnection: close\r\n\r\n`);
    expect(statusOf(duplicated)).toBe(407);
    const huge = await raw(proxy, `GET ${origin.url('/echo')} HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic ${'A'.repeat(64 * 1024)}\r\n\r\n`);
    expect([0, 431]).toContain(statusOf(huge));
    origin.resetCounters();
    const ok = await send(proxy, origin.url('/echo'), { headers: ['Proxy-Authorization', AUTH, 'X-Dragonfly-Tag', 'secret-tag'] });
    expect(ok.status).toBe(200);
    expect(origin.requests).toHaveLength(1);
    expect(origin.requests[0]!.headers['proxy-authorization']).toBeUndefined();
    expect(origin.requests[0]!.headers['x-dragonfly-tag']).toBeUndefined();
    await expectHealthy();
  });

  it('F04/B02: a blob redirected to another host (a blob store) is fetched without the registry credentials', async () => {
    const store = new TestOrigin();
    await store.start();
    try {
      const file = join(out, 'stored-blob');
      const digest = `sha256:${writeRandomFile(file, 256 * 1024)}`;
      store.route('/presigned', { kind: 'file', path: file });
      origin.route(`/v2/private/blobs/${digest}`, { kind: 'redirect', location: `${store.url('/presigned')}?sig=abc`, status: 307 });
      origin.resetCounters();
      const answer = await send(guarded.ports.proxy, `/v2/private/blobs/${digest}`, {
        headers: ['Proxy-Authorization', AUTH, 'X-Dragonfly-Registry', `http://127.0.0.1:${origin.port}`, 'Authorization', 'Bearer registry-secret'],
      });
      expect(answer.status).toBe(200);
      expect(sha256(answer.body)).toBe(digest);
      expect(origin.requests.length).toBeGreaterThan(0);
      expect(origin.requests.every((r) => r.headers.authorization === 'Bearer registry-secret')).toBe(true);
      expect(store.requests.length).toBeGreaterThan(0);
      expect(store.requests.some((r) => r.headers.authorization !== undefined || r.headers['proxy-authorization'] !== undefined)).toBe(false);
    } finally {
      await store.stop();
    }
  });

  it('F03: header bombs, smuggling attempts and slow clients are refused or bounded', async () => {
    const proxy = guarded.ports.proxy;
    expect([0, 431]).toContain(statusOf(await raw(proxy, `GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(1024 * 1024)}\r\n\r\n`)));
    const many = Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v\r\n`).join('');
    expect([0, 407, 431]).toContain(statusOf(await raw(proxy, `GET /v2/ HTTP/1.1\r\nHost: x\r\n${many}\r\n`)));
    const smuggle = `POST /v2/ HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nProxy-Authorization: ${AUTH}\r\n\r\n0\r\n\r\n`;
    expect(statusOf(await raw(proxy, smuggle))).toBe(400);
    const twoLengths = `POST /v2/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\nProxy-Authorization: ${AUTH}\r\n\r\nab`;
    expect(statusOf(await raw(proxy, twoLengths))).toBe(400);
    expect(statusOf(await raw(proxy, Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])))).toBe(400);
    // 200 slow clients trickle header bytes; a normal request is still answered promptly meanwhile.
    const slow: Socket[] = [];
    for (let i = 0; i < 200; i++) {
      const socket = connect(proxy, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write('GET /v2/ HTTP/1.1\r\nHost: x\r\n');
      slow.push(socket);
    }
    const trickle = setInterval(() => slow.forEach((socket) => socket.write('X')), 200);
    try {
      const started = performance.now();
      await expectHealthy();
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      clearInterval(trickle);
      slow.forEach((socket) => socket.destroy());
    }
    await expectHealthy();
  });

  it('honours X-Dragonfly-Output-Path from loopback clients only', async () => {
    const target = join(out, 'layer-from-proxy');
    const placed = await send(guarded.ports.proxy, `/v2/test/hello/blobs/${image.layer}`, { headers: ['Proxy-Authorization', AUTH, 'X-Dragonfly-Output-Path', target] });
    expect(placed.status).toBe(200);
    expect(sha256(readFileSync(target))).toBe(image.layer);
    const external = externalAddress();
    if (external === undefined) return;
    const refused = await raw(
      guarded.ports.proxy,
      `GET /v2/test/hello/blobs/${image.config} HTTP/1.1\r\nHost: x\r\nProxy-Authorization: ${AUTH}\r\nX-Dragonfly-Output-Path: ${join(out, 'nope')}\r\nConnection: close\r\n\r\n`,
      { host: external },
    );
    expect(statusOf(refused)).toBe(403);
  });

  it('limits the request rate with 429 and recovers; disableBackToSource never reaches the registry', async () => {
    const proxy = limited.ports.proxy;
    await new Promise((r) => setTimeout(r, 1200));
    const statuses = await Promise.all(Array.from({ length: 20 }, () => send(proxy, '/v2/').then((answer) => answer.status)));
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1200));
    const before = registry.blobBytes(image.config);
    const answer = await send(proxy, `/v2/test/hello/blobs/${image.config}`);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.headers['x-dragonfly-error-type']).toBe('dfdaemon');
    expect(answer.body.toString()).toMatch(/back-to-source is disabled/);
    expect(registry.blobBytes(image.config)).toBe(before);
    expect((await send(proxy, '/v2/')).status).toBe(200);
  });
});
