import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, createReadStream, openSync, statSync, writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the test origin treats one path. */
export type OriginBehaviour =
  | { kind: 'file'; path: string; acceptRanges?: boolean; etag?: string }
  | { kind: 'redirect'; location: string; status?: number }
  | { kind: 'status'; status: number; body?: string }
  /** Sends headers, then a byte every `intervalMs`. */
  | { kind: 'slow'; path: string; intervalMs: number }
  /** Serves normally but destroys the connection after `afterBytes` body bytes, for the first `times` requests. */
  | { kind: 'drop'; path: string; afterBytes: number; times: number }
  /** Announces the full Content-Length and ends the response early, for every request. */
  | { kind: 'truncate'; path: string; sendBytes: number }
  /** Answers 500 for the first `times` requests, then serves the file. */
  | { kind: 'flaky'; path: string; times: number };

/**
 * A real HTTP origin for tests: serves files from disk with byte ranges, and can redirect, fail, stall, drop or
 * truncate on purpose. It counts requests and body bytes sent, so tests can prove what reached the origin.
 */
export class TestOrigin {
  private server!: Server;
  private readonly routes = new Map<string, OriginBehaviour>();
  private readonly hits = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  bytesSent = 0;
  requests: Array<{ method: string; url: string; range?: string; headers: IncomingMessage['headers'] }> = [];
  port = 0;

  /** Starts listening on 127.0.0.1. */
  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  route(path: string, behaviour: OriginBehaviour): this {
    this.routes.set(path, behaviour);
    return this;
  }

  /** Body bytes sent for requests whose URL starts with `path`. */
  bytesFor(path: string): number {
    return this.sent.get(path) ?? 0;
  }

  resetCounters(): void {
    this.bytesSent = 0;
    this.sent.clear();
    this.requests = [];
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private readonly sent = new Map<string, number>();

  private count(path: string, bytes: number): void {
    this.bytesSent += bytes;
    this.sent.set(path, (this.sent.get(path) ?? 0) + bytes);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', range: req.headers.range, headers: req.headers });
    const behaviour = this.routes.get(path);
    const hit = (this.hits.get(path) ?? 0) + 1;
    this.hits.set(path, hit);
    if (!behaviour) return void res.writeHead(404).end('not found');
    switch (behaviour.kind) {
      case 'redirect':
        return void res.writeHead(behaviour.status ?? 302, { location: behaviour.location }).end();
      case 'status':
        return void res.writeHead(behaviour.status, { 'content-type': 'text/plain' }).end(behaviour.body ?? `status ${behaviour.status}`);
      case 'flaky':
        if (hit <= behaviour.times) return void res.writeHead(500).end('flaky');
        return this.serveFile(req, res, path, behaviour.path, true);
      case 'file':
        return this.serveFile(req, res, path, behaviour.path, behaviour.acceptRanges !== false, behaviour.etag);
      case 'slow':
        return this.serveSlow(req, res, path, behaviour);
      case 'drop':
        return this.serveFile(req, res, path, behaviour.path, true, undefined, hit <= behaviour.times ? behaviour.afterBytes : undefined);
      case 'truncate':
        return this.serveFile(req, res, path, behaviour.path, false, undefined, behaviour.sendBytes, true);
    }
  }

  private serveFile(
    req: IncomingMessage,
    res: ServerResponse,
    route: string,
    file: string,
    ranges: boolean,
    etag?: string,
    cutAfter?: number,
    endCleanly = false,
  ): void {
    const size = statSync(file).size;
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = ranges ? /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '') : null;
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      status = 206;
    }
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'content-length': String(end - start + 1),
      ...(ranges ? { 'accept-ranges': 'bytes' } : {}),
      ...(etag ? { etag } : {}),
      ...(status === 206 ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    };
    res.writeHead(status, headers);
    if (req.method === 'HEAD' || size === 0) return void res.end();
    let sent = 0;
    const stream = createReadStream(file, { start, end, highWaterMark: 256 * 1024 });
    stream.on('data', (chunk: Buffer) => {
      if (cutAfter !== undefined && sent + chunk.length > cutAfter) {
        const part = chunk.subarray(0, Math.max(0, cutAfter - sent));
        res.write(part);
        this.count(route, part.length);
        stream.destroy();
        if (endCleanly) res.end();
        else setImmediate(() => res.socket?.destroy());
        return;
      }
      sent += chunk.length;
      this.count(route, chunk.length);
      if (!res.write(chunk)) {
        stream.pause();
        res.once('drain', () => stream.resume());
      }
    });
    stream.on('end', () => res.end());
  }

  private serveSlow(req: IncomingMessage, res: ServerResponse, route: string, behaviour: { path: string; intervalMs: number }): void {
    const size = statSync(behaviour.path).size;
    res.writeHead(200, { 'content-length': String(size), 'accept-ranges': 'none' });
    if (req.method === 'HEAD') return void res.end();
    const timer = setInterval(() => {
      res.write(Buffer.alloc(1));
      this.count(route, 1);
    }, behaviour.intervalMs);
    res.on('close', () => clearInterval(timer));
  }
}

/** Writes `size` random bytes to `path` and returns their sha256 hex. */
export function writeRandomFile(path: string, size: number): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  const chunk = Buffer.allocUnsafe(Math.min(size, 16 * 1024 * 1024));
  try {
    for (let written = 0; written < size; ) {
      const n = Math.min(chunk.length, size - written);
      randomFillSync(chunk, 0, n);
      writeSync(fd, chunk, 0, n);
      hash.update(chunk.subarray(0, n));
      written += n;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
