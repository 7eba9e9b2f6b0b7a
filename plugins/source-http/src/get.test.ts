import { afterEach, describe, expect, it } from 'vitest';

import { createEgressPolicy } from '../../../core/src/common/egress/EgressPolicyImpl.js';
import { fileHandler, makeContent, readAll, rejectionOf, startServer, type Handler, type TestServer } from '../test/servers.js';
import type { HttpSourceConfigInput } from './config.js';
import { HttpSourceClient } from './HttpSourceClient.js';

const content = makeContent(1 << 20);
let server: TestServer | undefined;
let client: HttpSourceClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});

async function setup(handler: Handler, config?: HttpSourceConfigInput) {
  server = await startServer(handler);
  client = new HttpSourceClient({ egress: createEgressPolicy(), config });
  return { server, client, url: new URL(`${server.origin}/blob`) };
}

describe('HttpSourceClient.get', () => {
  it('returns exactly the bytes of a range', async () => {
    const { server, client, url } = await setup(fileHandler(content));
    const body = await client.get({ url, range: { start: 1000, length: 70_000 } });
    expect(body.statusCode).toBe(206);
    expect(body.contentLength).toBe(70_000);
    expect((await readAll(body.stream)).equals(content.subarray(1000, 71_000))).toBe(true);
    expect(server.requests[0]!.headers.range).toBe('bytes=1000-70999');
  });

  it('returns the whole object without a range', async () => {
    const { client, url } = await setup(fileHandler(content));
    const body = await client.get({ url });
    expect(body.contentLength).toBe(content.length);
    expect((await readAll(body.stream)).equals(content)).toBe(true);
  });

  it('refuses an origin that ignores a mid-file range', async () => {
    const { client, url } = await setup((_req, res) => res.writeHead(200, { 'content-length': content.length }).end(content));
    const error = await rejectionOf(client.get({ url, range: { start: 100, length: 100 } }));
    expect(error.code).toBe('D7Y_ERR_SOURCE_ERROR');
    expect(error.message).toMatch(/^origin ignored range bytes=100-199/);
    expect(error.details?.statusCode).toBe(200);
  });

  it('accepts a 200 to a range from 0 covering the whole object', async () => {
    const small = content.subarray(0, 5000);
    const { client, url } = await setup((_req, res) => res.writeHead(200, { 'content-length': small.length }).end(small));
    const body = await client.get({ url, range: { start: 0, length: 5000 } });
    expect((await readAll(body.stream)).equals(small)).toBe(true);
  });

  it('refuses a 200 to a range from 0 shorter than the object', async () => {
    const { client, url } = await setup((_req, res) => res.writeHead(200, { 'content-length': content.length }).end(content));
    expect((await rejectionOf(client.get({ url, range: { start: 0, length: 10 } }))).message).toMatch(/^origin ignored range/);
  });

  it('refuses a mismatched Content-Range', async () => {
    const { client, url } = await setup((_req, res) => {
      res.writeHead(206, { 'content-range': `bytes 0-99/${content.length}`, 'content-length': 100 }).end(content.subarray(0, 100));
    });
    const error = await rejectionOf(client.get({ url, range: { start: 100, length: 100 } }));
    expect(error.code).toBe('D7Y_ERR_SOURCE_ERROR');
    expect(error.message).toMatch(/^origin mismatched range: asked bytes=100-199, got Content-Range "bytes 0-99\//);
  });

  it('refuses a 206 whose Content-Length differs from the range', async () => {
    const { client, url } = await setup((_req, res) => {
      res.writeHead(206, { 'content-range': `bytes 0-9/${content.length}`, 'content-length': 20 }).end(content.subarray(0, 20));
    });
    expect((await rejectionOf(client.get({ url, range: { start: 0, length: 10 } }))).message).toMatch(/Content-Length 20 for a 10-byte range/);
  });

  it('errors the stream when the origin sends more than the range', async () => {
    const { client, url } = await setup((_req, res) => {
      res.writeHead(206, { 'content-range': `bytes 0-99/${content.length}`, 'transfer-encoding': 'chunked' });
      res.write(content.subarray(0, 100));
      res.end(content.subarray(100, 150));
    });
    const body = await client.get({ url, range: { start: 0, length: 100 } });
    const error = await rejectionOf(readAll(body.stream));
    expect(error.code).toBe('D7Y_ERR_SOURCE_ERROR');
    expect(error.message).toMatch(/^origin sent more than expected: got at least 150 of 100 bytes/);
  });

  it('errors the stream when the body is shorter than its Content-Length', async () => {
    const { client, url } = await setup((_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(content.subarray(0, 400), () => res.socket?.destroy());
    });
    const body = await client.get({ url });
    const error = await rejectionOf(readAll(body.stream));
    expect(error.code).toBe('D7Y_ERR_SOURCE_ERROR');
    expect(error.message).toMatch(/^body truncated: got 400 of 1000 bytes/);
  });

  it('errors the stream when a range body ends early on a connection without length', async () => {
    const { client, url } = await setup((_req, res) => {
      res.writeHead(206, { 'content-range': `bytes 0-99/${content.length}`, connection: 'close' });
      res.end(content.subarray(0, 60));
    });
    const body = await client.get({ url, range: { start: 0, length: 100 } });
    expect((await rejectionOf(readAll(body.stream))).message).toMatch(/^body truncated: got 60 of 100 bytes/);
  });

  it('errors the stream when the connection drops mid-body (chunked)', async () => {
    const { client, url } = await setup((_req, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.write(content.subarray(0, 64 * 1024), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const body = await client.get({ url });
    expect(body.contentLength).toBe(-1);
    const error = await rejectionOf(readAll(body.stream));
    expect(error.code).toBe('D7Y_ERR_SOURCE_ERROR');
    expect(error.message).toMatch(/^body truncated: got 65536 bytes/);
  });

  it('times out a slow origin before headers', async () => {
    const { client, url } = await setup((_req, res) => void setTimeout(() => res.writeHead(200).end(), 2000).unref());
    const started = Date.now();
    const error = await rejectionOf(client.get({ url, timeoutMs: 200 }));
    expect(error.code).toBe('D7Y_ERR_TIMEOUT');
    expect(error.message).toMatch(/^origin did not answer within 200ms for GET/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('times out a body that stalls', async () => {
    const { client, url } = await setup((_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(content.subarray(0, 10));
    });
    const body = await client.get({ url, timeoutMs: 200 });
    const error = await rejectionOf(readAll(body.stream));
    expect(error.code).toBe('D7Y_ERR_TIMEOUT');
    expect(error.message).toMatch(/^origin sent no data for 200ms \(got 10 of 1000 bytes\)/);
  });

  it('uses config.requestTimeout when the request has none', async () => {
    const { client, url } = await setup((_req, res) => void setTimeout(() => res.writeHead(200).end(), 2000).unref(), { requestTimeout: 150 });
    expect((await rejectionOf(client.get({ url }))).code).toBe('D7Y_ERR_TIMEOUT');
  });

  it('honours an abort signal before and during the body', async () => {
    const { client, url } = await setup((_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(content.subarray(0, 10));
    });
    const early = new AbortController();
    early.abort();
    expect((await rejectionOf(client.get({ url, signal: early.signal }))).code).toBe('D7Y_ERR_CANCELLED');
    const late = new AbortController();
    const body = await client.get({ url, signal: late.signal });
    setTimeout(() => late.abort(), 20);
    expect((await rejectionOf(readAll(body.stream))).code).toBe('D7Y_ERR_CANCELLED');
  });

  it('maps error statuses with details', async () => {
    const { client, url } = await setup((_req, res) => res.writeHead(500, { 'retry-after': '1' }).end('oops'));
    const error = await rejectionOf(client.get({ url, range: { start: 0, length: 10 } }));
    expect(error.code).toBe('D7Y_ERR_SOURCE_ERROR');
    expect(error.details).toMatchObject({ statusCode: 500, headers: { 'retry-after': '1' } });
  });

  it('rejects invalid ranges', async () => {
    const { client, url } = await setup(fileHandler(content));
    expect((await rejectionOf(client.get({ url, range: { start: -1, length: 10 } }))).code).toBe('D7Y_ERR_INVALID_ARGUMENT');
    expect((await rejectionOf(client.get({ url, range: { start: 0, length: 0 } }))).code).toBe('D7Y_ERR_INVALID_ARGUMENT');
  });

  it('passes request headers through, minus hop-by-hop ones, and asks for identity encoding', async () => {
    const { server, client, url } = await setup(fileHandler(content));
    const body = await client.get({
      url,
      range: { start: 0, length: 10 },
      headers: {
        'x-custom': 'yes',
        authorization: 'Bearer abc',
        connection: 'x-private',
        'x-private': 'no',
        'keep-alive': 'timeout=1',
        'proxy-authorization': 'Basic cHJveHk=',
        host: 'evil.example',
        range: 'bytes=5-6',
        'if-none-match': '"v1"',
      },
    });
    await readAll(body.stream);
    const headers = server.requests[0]!.headers;
    expect(headers).toMatchObject({ 'x-custom': 'yes', authorization: 'Bearer abc', range: 'bytes=0-9', 'accept-encoding': 'identity', host: server.origin.slice(7) });
    expect(headers['user-agent']).toMatch(/^d7y\/\d+\.\d+\.\d+/);
    for (const dropped of ['x-private', 'keep-alive', 'proxy-authorization', 'if-none-match']) expect(headers).not.toHaveProperty(dropped);
  });

  it('keeps a caller-chosen encoding and user agent, and sends userinfo as basic auth', async () => {
    const { server, client } = await setup(fileHandler(content));
    const url = new URL(`${server.origin}/blob`);
    url.username = 'al%20ice';
    url.password = 'pw';
    await readAll((await client.get({ url, headers: { 'Accept-Encoding': 'gzip', 'User-Agent': 'docker/27' } })).stream);
    expect(server.requests[0]!.headers).toMatchObject({
      'accept-encoding': 'gzip',
      'user-agent': 'docker/27',
      authorization: `Basic ${Buffer.from('al ice:pw').toString('base64')}`,
    });
  });

  it('reuses connections across sequential requests', async () => {
    const { server, client, url } = await setup(fileHandler(content));
    for (let i = 0; i < 20; i++) {
      const body = await client.get({ url, range: { start: i * 1000, length: 1000 } });
      expect((await readAll(body.stream)).equals(content.subarray(i * 1000, i * 1000 + 1000))).toBe(true);
    }
    expect(server.requests).toHaveLength(20);
    expect(server.connections).toBeLessThanOrEqual(2);
  });

  it('does not fetch unsupported schemes', async () => {
    const { client } = await setup(fileHandler(content));
    expect((await rejectionOf(client.get({ url: new URL('ftp://127.0.0.1/x') }))).code).toBe('D7Y_ERR_UNSUPPORTED_SCHEME');
  });
});
