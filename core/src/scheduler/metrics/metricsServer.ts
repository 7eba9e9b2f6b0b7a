import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Registry } from 'prom-client';

/** Splits a Go listen address (`:8000`, `127.0.0.1:8000`, `[::1]:8000`) into host and port. */
export function splitListenAddr(addr: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(addr.trim());
  if (!match) throw new Error(`invalid listen address ${JSON.stringify(addr)}`);
  return { host: match[1] ?? match[2] ?? '', port: Number(match[3]) };
}

/** Extra NDJSON documents served beside `/metrics`, by path (d7y: `/records`). */
export type NdjsonRoutes = Readonly<Record<string, () => string>>;

/**
 * Serves `GET /metrics` (Prometheus text format) on `addr`, plus `GET <path>` for each of `ndjson`
 * (`application/x-ndjson`); resolves with the server and its bound port.
 */
export async function serveMetrics(addr: string, registry: Registry, ndjson: NdjsonRoutes = {}): Promise<{ server: Server; port: number }> {
  const { host, port } = splitListenAddr(addr);
  const server = createServer({ maxHeaderSize: 8 * 1024, requestTimeout: 10_000 }, (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const document = req.method === 'GET' && Object.hasOwn(ndjson, path) ? ndjson[path] : undefined;
    if (document) {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(document());
      return;
    }
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
