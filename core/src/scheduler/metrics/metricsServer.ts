import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Registry } from 'prom-client';

/** Splits a Go listen address (`:8000`, `127.0.0.1:8000`, `[::1]:8000`) into host and port. */
export function splitListenAddr(addr: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(addr.trim());
  if (!match) throw new Error(`invalid listen address ${JSON.stringify(addr)}`);
  return { host: match[1] ?? match[2] ?? '', port: Number(match[3]) };
}

/** Serves `GET /metrics` (Prometheus text format) on `addr`; resolves with the server and its bound port. */
export async function serveMetrics(addr: string, registry: Registry): Promise<{ server: Server; port: number }> {
  const { host, port } = splitListenAddr(addr);
  const server = createServer({ maxHeaderSize: 8 * 1024, requestTimeout: 10_000 }, (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (host) server.listen(port, host, () => resolve());
    else server.listen(port, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
