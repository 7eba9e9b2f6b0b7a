/**
 * Small outbound HTTP(S) requests (registry manifests, token realms) through the egress policy: the URL is
 * checked before anything is sent, every connection resolves names through the policy's `lookup` (so the
 * check happens after DNS, at connect time), redirects are followed by hand, each hop re-checked, capped at
 * the policy's `maxRedirects`, never from https to http, and `Authorization`/`Cookie` are dropped when a
 * redirect leaves the origin. Bodies are buffered up to `maxBodyBytes`.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

import type { EgressPolicy } from '../../plugin-api/EgressPolicy.js';
import { createError, ErrorCodes } from '../errors.js';

/** What one request asks for. */
export interface EgressRequest {
  readonly url: URL;
  readonly method?: 'GET' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>>;
  /** Whole-request deadline in ms (default 60 s). */
  readonly timeoutMs?: number;
  /** Largest body read (default 4 MiB). */
  readonly maxBodyBytes?: number;
  /** Verify TLS certificates (default true). */
  readonly rejectUnauthorized?: boolean;
  /** Extra trusted CA certificates (PEM). */
  readonly ca?: string | readonly string[];
}

/** The final answer after redirects. */
export interface EgressResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The URL that gave this answer. */
  readonly url: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CROSS_ORIGIN_DROPPED = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * Sends `req` through `egress`, following redirects. Throws `D7Y_ERR_EGRESS_DENIED` for a refused URL,
 * redirect target or resolved address (before any byte is sent to it), `D7Y_ERR_SOURCE_ERROR` for too many
 * redirects, downgrades, oversize bodies or transport failures, `D7Y_ERR_TIMEOUT` after `timeoutMs`.
 */
export async function egressRequest(egress: EgressPolicy, req: EgressRequest): Promise<EgressResponse> {
  const deadline = Date.now() + (req.timeoutMs ?? 60_000);
  let url = req.url;
  let headers: Record<string, string> = lowerCase(req.headers ?? {});
  for (let hop = 0; ; hop++) {
    egress.checkUrl(url);
    const response = await sendOnce(egress, url, req, headers, deadline);
    if (!REDIRECTS.has(response.status)) return response;
    if (hop >= egress.maxRedirects) {
      throw createError(ErrorCodes.SOURCE_ERROR, `too many redirects (more than ${egress.maxRedirects}) from ${req.url.origin}`);
    }
    const location = response.headers.location;
    if (typeof location !== 'string' || location === '') {
      throw createError(ErrorCodes.SOURCE_ERROR, `${url.origin} answered ${response.status} without a Location`);
    }
    const next = new URL(location, url);
    if (url.protocol === 'https:' && next.protocol === 'http:') {
      throw createError(ErrorCodes.EGRESS_DENIED, `refusing https to http redirect to ${next.origin}`, { details: { target: next.origin } });
    }
    if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !CROSS_ORIGIN_DROPPED.includes(name)));
    url = next;
  }
}

function lowerCase(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function sendOnce(egress: EgressPolicy, url: URL, req: EgressRequest, headers: Record<string, string>, deadline: number): Promise<EgressResponse> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) return Promise.reject(createError(ErrorCodes.TIMEOUT, `request to ${url.origin} timed out`));
  const maxBody = req.maxBodyBytes ?? 4 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      {
        method: req.method ?? 'GET',
        headers,
        lookup: egress.lookup,
        agent: false,
        ...(url.protocol === 'https:' ? { rejectUnauthorized: req.rejectUnauthorized ?? true, ...(req.ca ? { ca: req.ca as string[] } : {}) } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBody) {
            request.destroy(createError(ErrorCodes.SOURCE_ERROR, `${url.origin} sent more than ${maxBody} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), url });
        });
        response.on('error', (error) => reject(error));
      },
    );
    const timer = setTimeout(() => request.destroy(createError(ErrorCodes.TIMEOUT, `request to ${url.origin} timed out`)), remaining);
    request.on('error', (error: Error & { code?: string }) => {
      clearTimeout(timer);
      if (typeof error.code === 'string' && error.code.startsWith('D7Y_ERR_')) reject(error);
      else reject(createError(ErrorCodes.SOURCE_ERROR, `request to ${url.origin} failed: ${error.message}`, { cause: error }));
    });
    request.end();
  });
}
