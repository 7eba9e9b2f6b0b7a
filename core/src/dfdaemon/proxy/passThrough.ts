/**
 * Pass-through of requests that do not go through P2P (manifests, HEAD, tokens, pushes): the request is sent
 * upstream with every header line kept in order (all `Accept` lines, `Authorization`), minus hop-by-hop and
 * control headers and the proxy credentials; the answer comes back as is, redirects included (the client follows
 * them, with its own credential rules). The destination obeys the egress policy at connect time.
 */
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';

import { createError, ErrorCodes, isD7yError } from '../../common/errors.js';
import { redactUrl } from '../../common/ids.js';
import type { EgressPolicy, Logger } from '../../plugin-api/index.js';
import { isControlHeader } from './controlHeaders.js';
import { sendError } from './respond.js';

/** Request headers never forwarded (RFC 9110 7.6.1 hop-by-hop, proxy credentials, and Host, which is rewritten). */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host',
]);
/** Response headers not copied back (hop-by-hop; Node frames the body itself). */
const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** How long an upstream may stay silent (waiting for headers or between body chunks). */
const UPSTREAM_IDLE_TIMEOUT_MS = 120_000;

/**
 * Raw header list for upstream: the client's lines in order without hop-by-hop headers, headers named in
 * `Connection`, control headers and proxy credentials; `Host` set to the upstream authority.
 */
export function forwardedHeaders(rawHeaders: readonly string[], host: string): string[] {
  const named = new Set<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'connection') for (const token of rawHeaders[i + 1]!.split(',')) named.add(token.trim().toLowerCase());
  }
  const out = ['Host', host];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower) || isControlHeader(lower)) continue;
    out.push(name, rawHeaders[i + 1]!);
  }
  return out;
}

/** Raw response header list for the client, without hop-by-hop headers. */
export function returnedHeaders(rawHeaders: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!RESPONSE_HOP_BY_HOP.has(rawHeaders[i]!.toLowerCase())) out.push(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  return out;
}

/** Sends pass-through requests upstream over pooled, egress-checked connections. */
export class PassThrough {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;

  constructor(
    private readonly egress: EgressPolicy,
    private readonly logger: Logger,
    /** Extra CA certificates (PEM) trusted for upstream registries (`proxy.registryMirror.cert`). */
    extraCa?: string,
  ) {
    this.http = new HttpAgent({ keepAlive: true, maxSockets: 256, lookup: egress.lookup } as ConstructorParameters<typeof HttpAgent>[0]);
    this.https = new HttpsAgent({ keepAlive: true, maxSockets: 256, lookup: egress.lookup, ca: extraCa ? [...rootCertificates, extraCa] : undefined });
  }

  /** Forwards `req` to `url` and streams the answer to `res`. Failures before an answer become 502/403/504. */
  forward(req: IncomingMessage, res: ServerResponse, url: URL): void {
    try {
      this.egress.checkUrl(url);
    } catch (error) {
      sendError(res, 403, 'proxy', (error as Error).message);
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const upstream = send(url, {
      method: req.method,
      headers: forwardedHeaders(req.rawHeaders, url.host) as unknown as Record<string, string>,
      agent: url.protocol === 'https:' ? this.https : this.http,
      timeout: UPSTREAM_IDLE_TIMEOUT_MS,
    });
    upstream.on('response', (answer: IncomingMessage) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, returnedHeaders(answer.rawHeaders) as unknown as Record<string, string>);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      answer.on('aborted', () => res.destroy());
    });
    upstream.on('timeout', () => upstream.destroy(createError(ErrorCodes.TIMEOUT, `upstream ${url.host} was silent for ${UPSTREAM_IDLE_TIMEOUT_MS} ms`)));
    upstream.on('error', (error) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      this.logger.debug({ url: redactUrl(url.toString()), err: error }, 'pass-through request failed');
      if (isD7yError(error) && error.code === ErrorCodes.EGRESS_DENIED) sendError(res, 403, 'proxy', error.message);
      else if (isD7yError(error) && error.code === ErrorCodes.TIMEOUT) sendError(res, 504, 'proxy', error.message);
      else sendError(res, 502, 'proxy', `cannot reach ${url.host}: ${(error as Error).message}`);
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  /**
   * Asks the upstream whether the client may read `url` (`HEAD` with the client's headers, credentials
   * included): `allowed` for a 2xx or 3xx answer, else the answer's status and headers to pass back.
   */
  async checkAccess(req: IncomingMessage, url: URL): Promise<{ allowed: true } | { allowed: false; status: number; headers: string[] }> {
    this.egress.checkUrl(url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const upstream = send(url, {
        method: 'HEAD',
        headers: forwardedHeaders(req.rawHeaders, url.host) as unknown as Record<string, string>,
        agent: url.protocol === 'https:' ? this.https : this.http,
        timeout: UPSTREAM_IDLE_TIMEOUT_MS,
      });
      upstream.on('response', (answer: IncomingMessage) => {
        answer.resume();
        const status = answer.statusCode ?? 502;
        resolve(status < 400 ? { allowed: true } : { allowed: false, status, headers: returnedHeaders(answer.rawHeaders) });
      });
      upstream.on('timeout', () => upstream.destroy(createError(ErrorCodes.TIMEOUT, `upstream ${url.host} was silent for ${UPSTREAM_IDLE_TIMEOUT_MS} ms`)));
      upstream.on('error', reject);
      upstream.end();
    });
  }

  /** Closes pooled connections. */
  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
