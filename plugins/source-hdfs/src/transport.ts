/**
 * GET requests to WebHDFS over node:http(s), following the NameNode's redirect to a DataNode. Every hop is
 * checked by the host's egress policy (`checkUrl` before the request, `lookup` at connect time), redirects
 * are capped at the policy's `maxRedirects` and must stay on http(s).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

import { createError, ErrorCodes, type EgressPolicy, type Logger } from '@d7y/core/plugin-api';

import { redactWebhdfsUrl } from './hdfsUrl.js';
import { remoteError, transportError, type HdfsAttempt } from './translateError.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Largest JSON answer read (directory listings of a few thousand entries fit easily). */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** Sends WebHDFS GETs through pooled agents carrying the egress lookup. */
export class WebHdfsTransport {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(
    private readonly egress: EgressPolicy,
    private readonly logger?: Logger,
  ) {
    this.httpAgent = new HttpAgent({ keepAlive: true, lookup: egress.lookup });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, lookup: egress.lookup });
  }

  /**
   * GETs `url`, following redirects, and resolves with the final 200 answer (body unread). Other statuses
   * are thrown as coded errors built from the RemoteException. `timeoutMs` bounds the wait for headers across
   * hops and, afterwards, each gap between body chunks.
   */
  async get(url: URL, attempt: HdfsAttempt, signal?: AbortSignal): Promise<IncomingMessage> {
    const deadline = Date.now() + attempt.timeoutMs;
    let current = url;
    for (let hop = 0; ; hop++) {
      this.egress.checkUrl(current);
      const response = await this.once(current, attempt, deadline, signal);
      const status = response.statusCode ?? 0;
      if (status === 200) return response;
      if (REDIRECTS.has(status)) {
        response.resume();
        const location = response.headers.location;
        if (hop >= this.egress.maxRedirects) throw createError(ErrorCodes.SOURCE_ERROR, `too many redirects (more than ${this.egress.maxRedirects}) for ${attempt.op} ${attempt.url}`);
        let next: URL;
        try {
          next = new URL(location ?? '', current);
        } catch {
          throw createError(ErrorCodes.SOURCE_ERROR, `webhdfs redirected to an invalid location for ${attempt.op} ${attempt.url}`);
        }
        if (!location || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
          throw createError(ErrorCodes.EGRESS_DENIED, `webhdfs redirected to a non-http location (${next.protocol}) for ${attempt.op} ${attempt.url}`);
        }
        if (current.protocol === 'https:' && next.protocol === 'http:') {
          throw createError(ErrorCodes.EGRESS_DENIED, `webhdfs redirected from https to http for ${attempt.op} ${attempt.url}`);
        }
        this.logger?.debug({ op: attempt.op, url: attempt.url, to: redactWebhdfsUrl(next) }, 'following webhdfs redirect');
        current = next;
        continue;
      }
      const body = await readText(response, 64 * 1024).catch(() => '');
      throw remoteError(attempt, status, body);
    }
  }

  /** GETs `url` and parses the JSON answer. */
  async json<T>(url: URL, attempt: HdfsAttempt, signal?: AbortSignal): Promise<T> {
    const response = await this.get(url, attempt, signal);
    const text = await readText(response, MAX_JSON_BYTES).catch((error: unknown) => {
      throw transportError(error, attempt, signal);
    });
    try {
      return JSON.parse(text) as T;
    } catch {
      throw createError(ErrorCodes.SOURCE_ERROR, `webhdfs answered invalid JSON for ${attempt.op} ${attempt.url}`, { details: { url: attempt.url } });
    }
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private once(url: URL, attempt: HdfsAttempt, deadline: number, signal?: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return reject(transportError(Object.assign(new Error('deadline passed'), { code: 'ETIMEDOUT' }), attempt));
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, { method: 'GET', agent: url.protocol === 'https:' ? this.httpsAgent : this.httpAgent, headers: { accept: 'application/json' }, signal });
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('headers timeout'), { code: 'ETIMEDOUT' })), remaining);
      req.setTimeout(attempt.timeoutMs, () => req.destroy(Object.assign(new Error('idle timeout'), { code: 'ETIMEDOUT' })));
      req.once('response', (response) => {
        clearTimeout(timer);
        resolve(response);
      });
      req.once('error', (error) => {
        clearTimeout(timer);
        reject(transportError(error, attempt, signal));
      });
      req.end();
    });
  }
}

/** Reads a whole small body as text, failing past `limit` bytes. */
function readText(response: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        response.destroy();
        reject(new Error(`answer larger than ${limit} bytes`));
      } else chunks.push(chunk);
    });
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.once('error', reject);
  });
}
