/**
 * CONNECT handling: the target is checked (syntax, egress policy on the literal address and on every resolved
 * address), the tunnel is opened, and TLS is terminated with a certificate for the target minted by the proxy
 * CA, so that each request inside is seen, routed by the same rules and sent upstream over verified TLS.
 */
import { isIP, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

import { createError, ErrorCodes } from '../../common/errors.js';
import type { EgressPolicy } from '../../plugin-api/index.js';
import type { CertificateAuthority } from './tls/CertificateAuthority.js';

/** A parsed CONNECT target. */
export interface TunnelTarget {
  hostname: string;
  port: number;
  /** `host:port` as used in URLs (IPv6 in brackets). */
  authority: string;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?$/i;

/** Parses `host:port` (IPv6 as `[addr]:port`); `D7Y_ERR_INVALID_ARGUMENT` otherwise. */
export function parseConnectTarget(value: string | undefined): TunnelTarget {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+):(\d{1,5})$/i.exec(value ?? '');
  const port = Number(match?.[2]);
  const host = match?.[1] ?? '';
  const bare = host.replace(/^\[|\]$/g, '');
  const valid = match && port >= 1 && port <= 65535 && (host.startsWith('[') ? isIP(bare) === 6 : isIP(bare) === 4 || HOSTNAME.test(bare));
  if (!valid) throw createError(ErrorCodes.INVALID_ARGUMENT, `CONNECT target must be host:port, got ${JSON.stringify((value ?? '').slice(0, 100))}`);
  return { hostname: bare.toLowerCase(), port, authority: `${host.toLowerCase()}:${port}` };
}

/** Throws `D7Y_ERR_EGRESS_DENIED` when the policy refuses the target's literal address or any address it resolves to. */
export async function checkTunnelEgress(egress: EgressPolicy, target: TunnelTarget): Promise<void> {
  egress.checkUrl(new URL(`https://${target.authority}`));
  if (isIP(target.hostname) !== 0) return;
  await new Promise<void>((resolve, reject) => {
    egress.lookup(target.hostname, { all: true }, (error) => (error ? reject(error) : resolve()));
  });
}

/** A minimal raw answer on a socket that has not become a tunnel. */
export function refuseConnect(socket: Socket, status: number, reason: string, extra: Record<string, string> = {}): void {
  const body = `${reason}\n`;
  const headers = { 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(body)), 'X-Dragonfly-Error-Type': 'proxy', Connection: 'close', ...extra };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n${head}\r\n${body}`);
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 407: 'Proxy Authentication Required', 429: 'Too Many Requests', 502: 'Bad Gateway' };

/**
 * Answers 200 to the CONNECT and returns the server side of a TLS session presenting a certificate for the
 * target. Bytes the client sent early (`head`) are replayed into it. Only HTTP/1.1 is offered (ALPN).
 */
export function openInterceptedTunnel(socket: Socket, head: Buffer, target: TunnelTarget, ca: CertificateAuthority): TLSSocket {
  socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  if (head.length > 0) socket.unshift(head);
  const tls = new TLSSocket(socket, {
    isServer: true,
    secureContext: ca.secureContextFor(target.hostname),
    ALPNProtocols: ['http/1.1'],
  });
  return tls;
}

