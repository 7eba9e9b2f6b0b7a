import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Registry } from 'prom-client';

/** A tiny HTTP server for one GET route (`/healthy` or `/metrics`). */
export async function serveEndpoint(
  ip: string,
  port: number,
  route: string,
  respond: () => Promise<{ status: number; contentType: string; body: string }>,
): Promise<{ server: Server; port: number }> {
  const server = createServer({ maxHeaderSize: 8 * 1024, requestTimeout: 10_000 }, (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    respond().then(
      ({ status, contentType, body }) => res.writeHead(status, { 'content-type': contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** `/metrics` in Prometheus text format. */
export function metricsResponder(registry: Registry) {
  return async () => ({ status: 200, contentType: registry.contentType, body: await registry.metrics() });
}

/** `/healthy`: 200 `OK` while `isHealthy()` holds. */
export function healthResponder(isHealthy: () => boolean) {
  return async () => (isHealthy() ? { status: 200, contentType: 'text/plain', body: 'OK' } : { status: 503, contentType: 'text/plain', body: 'unhealthy' });
}
