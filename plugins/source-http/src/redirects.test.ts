import { afterEach, describe, expect, it } from 'vitest';

import type { EgressPolicy } from '@d7y/core/plugin-api';

import { createEgressPolicy } from '../../../core/src/common/egress/EgressPolicyImpl.js';
import { fileHandler, makeContent, readAll, rejectionOf, startServer, type Handler, type TestServer } from '../test/servers.js';
import { HttpSourceClient } from './HttpSourceClient.js';
import { nextHop } from './redirects.js';

const content = makeContent(4096);
const servers: TestServer[] = [];
let client: HttpSourceClient | undefined;

afterEach(async () => {
  await client?.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  client = undefined;
});

async function serve(handler: Handler, host?: string): Promise<TestServer> {
  const server = await startServer(handler, { host });
  servers.push(server);
  return server;
}

function redirectTo(location: (req: { url: string }) => string, status = 302): Handler {
  return (req, res) => res.writeHead(status, { location: location({ url: req.url ?? '' }) }).end('moved');
}

function newClient(egress: EgressPolicy = createEgressPolicy()): HttpSourceClient {
  client = new HttpSourceClient({ egress });
  return client;
}

describe('redirects', () => {
  it('follows relative and absolute redirects', async () => {
    const files = fileHandler(content);
    const target = await serve(files);
    const origin = await serve((req, res) => {
      if (req.url === '/start') return void res.writeHead(301, { location: 'middle?x=1' }).end();
      if (req.url === '/middle?x=1') return void res.writeHead(307, { location: `${target.origin}/final` }).end();
      files(req, res);
    });
    const body = await newClient().get({ url: new URL(`${origin.origin}/start`), range: { start: 10, length: 20 } });
    expect((await readAll(body.stream)).equals(content.subarray(10, 30))).toBe(true);
    expect(origin.requests.map((r) => r.url)).toEqual(['/start', '/middle?x=1']);
    expect(target.requests.map((r) => [r.url, r.headers.range])).toEqual([['/final', 'bytes=10-29']]);
  });

  it('drops credentials when a redirect changes origin, keeps them on the same origin', async () => {
    const target = await serve(fileHandler(content), 'localhost');
    const origin = await serve((req, res) => {
      if (req.url === '/a') return void res.writeHead(302, { location: '/b' }).end();
      res.writeHead(302, { location: `http://localhost:${target.port}/c` }).end();
    });
    const stat = await newClient().stat({
      url: new URL(`${origin.origin}/a`),
      headers: { authorization: 'Bearer secret', cookie: 'sid=1', 'x-trace': 't' },
    });
    expect(stat.contentLength).toBe(4096);
    expect(origin.requests[1]!.headers).toMatchObject({ authorization: 'Bearer secret', cookie: 'sid=1' });
    expect(target.requests[0]!.headers).not.toHaveProperty('authorization');
    expect(target.requests[0]!.headers).not.toHaveProperty('cookie');
    expect(target.requests[0]!.headers['x-trace']).toBe('t');
  });

  it('caps redirect loops at egress.maxRedirects', async () => {
    const loop = await serve(redirectTo(({ url }) => (url === '/a' ? '/b' : '/a')));
    const error = await rejectionOf(newClient(createEgressPolicy({ maxRedirects: 5 })).get({ url: new URL(`${loop.origin}/a`) }));
    expect(error.code).toBe('D7Y_ERR_SOURCE_ERROR');
    expect(error.message).toMatch(/^too many redirects \(more than 5\)/);
    expect(error.details?.statusCode).toBe(302);
    expect(loop.requests).toHaveLength(6);
  });

  it('refuses a redirect to a denied address before any request reaches it', async () => {
    const canary = await serve((_req, res) => res.end('pwned'), '127.0.0.2');
    const origin = await serve(redirectTo(() => `${canary.origin}/latest/meta-data`));
    const egress = createEgressPolicy({ denyCIDRs: ['127.0.0.2/32'] });
    const error = await rejectionOf(newClient(egress).get({ url: new URL(`${origin.origin}/x`) }));
    expect(error.code).toBe('D7Y_ERR_EGRESS_DENIED');
    expect(canary.connections).toBe(0);
    expect(canary.requests).toHaveLength(0);
  });

  it('checks resolved addresses at connect time (host names go through egress.lookup)', async () => {
    const canary = await serve((_req, res) => res.end('pwned'));
    const egress = createEgressPolicy({ denyCIDRs: ['127.0.0.0/8', '::1/128'] });
    const error = await rejectionOf(newClient(egress).stat({ url: new URL(`http://localhost:${canary.port}/`) }));
    expect(error.code).toBe('D7Y_ERR_EGRESS_DENIED');
    expect(error.message).toMatch(/resolved from localhost/);
    expect(canary.connections).toBe(0);
  });

  it('checks the lookup on redirect hops too', async () => {
    const canary = await serve((_req, res) => res.end('pwned'), 'localhost');
    const origin = await serve(redirectTo(() => `http://localhost:${canary.port}/`));
    const real = createEgressPolicy();
    const denyLoopbackNames = createEgressPolicy({ denyCIDRs: ['127.0.0.0/8', '::1/128'] });
    // Literal 127.0.0.1 allowed by checkUrl, but every name lookup uses a policy that denies loopback.
    const egress: EgressPolicy = { ...real, lookup: denyLoopbackNames.lookup };
    const error = await rejectionOf(newClient(egress).get({ url: new URL(`${origin.origin}/x`) }));
    expect(error.code).toBe('D7Y_ERR_EGRESS_DENIED');
    expect(canary.connections).toBe(0);
  });

  it('refuses non-http schemes and https to http downgrades', async () => {
    const origin = await serve(redirectTo(() => 'file:///etc/passwd'));
    const error = await rejectionOf(newClient().get({ url: new URL(`${origin.origin}/x`) }));
    expect(error.code).toBe('D7Y_ERR_EGRESS_DENIED');
    expect(error.message).toMatch(/^refusing redirect to unsupported scheme file/);

    const https = { method: 'GET' as const, url: new URL('https://a.example/x'), headers: {} };
    expect(() => nextHop(https, 302, 'http://a.example/y')).toThrow(/https to http downgrade/);
  });

  it('fails clearly on a redirect without Location', async () => {
    const origin = await serve((_req, res) => res.writeHead(302).end());
    const error = await rejectionOf(newClient().stat({ url: new URL(`${origin.origin}/x`) }));
    expect(error.code).toBe('D7Y_ERR_SOURCE_ERROR');
    expect(error.message).toMatch(/without a usable Location/);
  });
});

describe('nextHop', () => {
  const hop = { method: 'HEAD' as const, url: new URL('http://a.example:8080/dir/file?q=1#frag'), headers: { authorization: 'x', cookie: 'c', 'x-k': 'v' } };

  it('resolves relative locations and keeps headers on the same origin', () => {
    expect(nextHop(hop, 302, '../other')).toEqual({ method: 'HEAD', url: new URL('http://a.example:8080/other'), headers: hop.headers });
  });

  it('treats a port change as an origin change', () => {
    expect(nextHop(hop, 302, 'http://a.example/x').headers).toEqual({ 'x-k': 'v' });
  });

  it('allows http to https upgrades', () => {
    expect(nextHop(hop, 308, 'https://a.example:8080/x').url.protocol).toBe('https:');
  });
});
