/** Test helpers: real local HTTP(S) servers, a recording logger, a self-signed certificate made with openssl. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import type { Logger } from '@d7y/core/plugin-api';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A running server with counters. */
export interface TestServer {
  readonly server: Server;
  readonly port: number;
  /** Base URL, e.g. `http://127.0.0.1:1234`. */
  readonly origin: string;
  /** TCP connections accepted. */
  connections: number;
  /** Requests seen, in order. */
  readonly requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

/** Starts a plain or TLS server on `host:0`. */
export async function startServer(handler: Handler, options: { host?: string; tls?: { key: string; cert: string } } = {}): Promise<TestServer> {
  const host = options.host ?? '127.0.0.1';
  const requests: TestServer['requests'] = [];
  const wrapped: Handler = (req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  };
  const server: Server = options.tls ? (createHttpsServer(options.tls, wrapped) as unknown as Server) : createServer(wrapped);
  const state = { connections: 0 };
  server.on(options.tls ? 'secureConnection' : 'connection', () => state.connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    origin: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    get connections() {
      return state.connections;
    },
    set connections(n: number) {
      state.connections = n;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Deterministic content of `size` bytes. */
export function makeContent(size: number): Buffer {
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buf[i] = (i * 31 + (i >> 8)) & 0xff;
  return buf;
}

/**
 * A handler serving `content` like a static file server: HEAD, GET, single `Range: bytes=a-b`, with
 * `Accept-Ranges: bytes` and a content length.
 */
export function fileHandler(content: Buffer, extraHeaders: Record<string, string> = {}): Handler {
  return (req, res) => {
    for (const [k, v] of Object.entries(extraHeaders)) res.setHeader(k, v);
    res.setHeader('accept-ranges', 'bytes');
    res.setHeader('content-type', 'application/octet-stream');
    res.setHeader('etag', '"v1"');
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(Number(range[2]), content.length - 1);
      if (start >= content.length) {
        res.writeHead(416, { 'content-range': `bytes */${content.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${content.length}`, 'content-length': end - start + 1 });
      res.end(req.method === 'HEAD' ? undefined : content.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { 'content-length': content.length });
    res.end(req.method === 'HEAD' ? undefined : content);
  };
}

/** Reads a stream to one buffer. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The rejection of a promise (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

/** A logger that records lines. */
export function recordingLogger(): Logger & { lines: Array<{ level: string; fields: object; message?: string }> } {
  const lines: Array<{ level: string; fields: object; message?: string }> = [];
  const at = (level: string) => (fields: object, message?: string) => void lines.push({ level, fields, message });
  const logger = { lines, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

/** A self-signed certificate for 127.0.0.1 and localhost, generated with the openssl CLI. */
export function selfSignedCert(): { key: string; cert: string; certPath: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'd7y-source-http-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyPath, '-out', certPath,
  ], { stdio: 'ignore' });
  return {
    key: readFileSync(keyPath, 'utf8'),
    cert: readFileSync(certPath, 'utf8'),
    certPath,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
