import { afterEach, describe, expect, it } from 'vitest';

import { createEgressPolicy } from '../../../core/src/common/egress/EgressPolicyImpl.js';
import { fileHandler, makeContent, rejectionOf, startServer, type Handler, type TestServer } from '../test/servers.js';
import { HttpSourceClient } from './HttpSourceClient.js';

const content = makeContent(10_000);
let server: TestServer | undefined;
let client: HttpSourceClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});

async function setup(handler: Handler) {
  server = await startServer(handler);
  client = new HttpSourceClient({ egress: createEgressPolicy() });
  return { server, client };
}

describe('HttpSourceClient.stat', () => {
  it('uses HEAD and keeps selected headers', async () => {
    const { server, client } = await setup(fileHandler(content, { 'set-cookie': 'a=b', 'x-other': '1' }));
    const stat = await client.stat({ url: new URL(`${server.origin}/file`) });
    expect(stat).toEqual({
      contentLength: 10_000,
      statusCode: 200,
      acceptRanges: true,
      headers: { 'content-type': 'application/octet-stream', etag: '"v1"', 'accept-ranges': 'bytes' },
    });
    expect(server.requests.map((r) => r.method)).toEqual(['HEAD']);
  });

  it.each([405, 501, 403])('falls back to a ranged GET when HEAD answers %i', async (status) => {
    const files = fileHandler(content);
    const { server, client } = await setup((req, res) => (req.method === 'HEAD' ? res.writeHead(status).end() : files(req, res)));
    const stat = await client.stat({ url: new URL(`${server.origin}/file`) });
    expect(stat.contentLength).toBe(10_000);
    expect(stat.acceptRanges).toBe(true);
    expect(stat.statusCode).toBe(206);
    expect(server.requests.map((r) => `${r.method} ${r.headers.range ?? ''}`)).toEqual(['HEAD ', 'GET bytes=0-0']);
  });

  it('falls back when HEAD has no content-length and takes a 200 length, cutting the body', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(200, { 'transfer-encoding': 'chunked' }).end();
      res.writeHead(200, { 'content-length': content.length });
      res.end(content);
    });
    const stat = await client.stat({ url: new URL(`${server.origin}/f`) });
    expect(stat).toMatchObject({ contentLength: 10_000, acceptRanges: false, statusCode: 200 });
  });

  it('reports -1 for a chunked body of unknown length', async () => {
    const { server, client } = await setup((req, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      if (req.method === 'HEAD') return void res.end();
      res.write('abc');
      res.end('def');
    });
    expect((await client.stat({ url: new URL(`${server.origin}/f`) })).contentLength).toBe(-1);
  });

  it('reads the total of an empty object from a 416', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(405).end();
      res.writeHead(416, { 'content-range': 'bytes */0' }).end();
    });
    expect(await client.stat({ url: new URL(`${server.origin}/empty`) })).toMatchObject({ contentLength: 0, acceptRanges: true });
  });

  it.each([
    [404, 'D7Y_ERR_NOT_FOUND'],
    [410, 'D7Y_ERR_NOT_FOUND'],
    [401, 'D7Y_ERR_UNAUTHENTICATED'],
    [500, 'D7Y_ERR_SOURCE_ERROR'],
    [503, 'D7Y_ERR_SOURCE_ERROR'],
  ])('maps %i to %s with status and headers in details', async (status, code) => {
    const { server, client } = await setup((_req, res) => res.writeHead(status, { 'set-cookie': 'secret=1', 'x-request-id': 'r1' }).end());
    const error = await rejectionOf(client.stat({ url: new URL(`${server.origin}/obj?X-Amz-Signature=abc&part=1`) }));
    expect(error.code).toBe(code);
    expect(error.details?.statusCode).toBe(status);
    expect(error.details?.headers).toMatchObject({ 'x-request-id': 'r1' });
    expect(error.details?.headers).not.toHaveProperty('set-cookie');
    expect(error.message).not.toContain('abc');
  });

  it('reports 403 as PERMISSION_DENIED when the ranged GET is refused too', async () => {
    const { server, client } = await setup((_req, res) => res.writeHead(403).end());
    const error = await rejectionOf(client.stat({ url: new URL(`${server.origin}/x`) }));
    expect(error.code).toBe('D7Y_ERR_PERMISSION_DENIED');
    expect(error.message).toBe(`origin answered 403 Forbidden for GET ${server.origin}/x`);
  });

  it('writes a redacted URL in messages', async () => {
    const { server, client } = await setup((_req, res) => res.writeHead(500).end());
    const url = new URL(`${server.origin}/p?token=t0k&Signature=s1g&keep=yes`);
    url.username = 'user';
    url.password = 'hunter2';
    const error = await rejectionOf(client.stat({ url }));
    expect(error.message).toBe(`origin answered 500 Internal Server Error for HEAD ${server.origin}/p?token=REDACTED&Signature=REDACTED&keep=yes`);
    expect(JSON.stringify(error.details)).not.toMatch(/hunter2|t0k|s1g/);
  });
});

describe('HttpSourceClient.exists', () => {
  it('is true for an object, false for 404, and throws for other errors', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.url === '/yes') return void res.writeHead(200, { 'content-length': 1 }).end();
      res.writeHead(req.url === '/no' ? 404 : 500).end();
    });
    expect(await client.exists({ url: new URL(`${server.origin}/yes`) })).toBe(true);
    expect(await client.exists({ url: new URL(`${server.origin}/no`) })).toBe(false);
    expect((await rejectionOf(client.exists({ url: new URL(`${server.origin}/err`) }))).code).toBe('D7Y_ERR_SOURCE_ERROR');
  });
});
