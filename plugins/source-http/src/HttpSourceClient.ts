/**
 * The `SourceClient` for `http://` and `https://` origins: stat by HEAD (with a one-byte ranged GET
 * fallback), exact-range gets with a verified body length, manual redirects under the egress policy.
 */
import { createError, ErrorCodes, existsByStat, type ByteRange, type EgressPolicy, type Logger, type SourceBody, type SourceClient, type SourceRequest, type SourceStat } from '@d7y/core/plugin-api';

import { DEFAULT_REQUEST_TIMEOUT, resolveHttpSourceConfig, type HttpSourceConfig, type HttpSourceConfigInput } from './config.js';
import { protocolError, publicHeaders, statusError, transportError, type RawHeaders } from './errors.js';
import { requestHeaders } from './headers.js';
import { assertRange, checkRangeAnswer, parseContentLength, parseContentRange, rangeHeader } from './range.js';
import { sendFollowingRedirects, type FinalResponse, type Hop } from './redirects.js';
import { createAgent, Transport, type OriginResponse } from './transport.js';

/** What the client is built from. */
export interface HttpSourceClientOptions {
  /** The host's egress policy; checked for every URL and every connection. */
  egress: EgressPolicy;
  logger?: Logger;
  /** Plugin config; defaults fill absent fields. */
  config?: HttpSourceConfigInput;
}

/** HEAD answers after which stat retries with a ranged GET (HEAD not allowed, or signed for GET only). */
const HEAD_FALLBACK_STATUSES: ReadonlySet<number> = new Set([403, 405, 501]);

/** Response headers `stat` keeps with the task. */
const STAT_HEADERS: readonly string[] = [
  'content-type', 'content-encoding', 'content-language', 'content-disposition', 'content-md5', 'etag', 'last-modified',
  'cache-control', 'expires', 'accept-ranges', 'digest',
];

const isSuccess = (status: number) => status >= 200 && status < 300;

function statHeaders(headers: RawHeaders): Record<string, string> {
  const all = publicHeaders(headers);
  const kept: Record<string, string> = {};
  for (const name of STAT_HEADERS) if (all[name] !== undefined) kept[name] = all[name];
  return kept;
}

function acceptsByteRanges(headers: RawHeaders): boolean {
  const value = headers['accept-ranges'];
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text.split(',').some((unit) => unit.trim().toLowerCase() === 'bytes');
}

/** Throws a body away: cut when large (`cut`, or more than a little left), drained when small. */
function discard(response: OriginResponse, cut = false): void {
  if (cut) response.body.destroy();
  else response.body.discard();
}

/** A back-to-source client for http and https URLs over a pooled undici agent. */
export class HttpSourceClient implements SourceClient {
  private readonly config: HttpSourceConfig;
  private readonly transport: Transport;

  constructor(private readonly options: HttpSourceClientOptions) {
    this.config = resolveHttpSourceConfig(options.config);
    this.transport = new Transport(createAgent(this.config, options.egress), options.egress, this.config, options.logger);
    if (this.config.tls.insecureSkipVerify) {
      options.logger?.warn({}, 'source/http: TLS certificate verification is disabled (tls.insecureSkipVerify)');
    }
  }

  /** `['http', 'https']`. */
  schemes(): readonly string[] {
    return ['http', 'https'];
  }

  /**
   * HEAD the URL; if HEAD is refused (403, 405, 501) or names no length, GET `bytes=0-0` and read the total from
   * `Content-Range` (or `Content-Length` of a 200, whose body is cut at once). `contentLength` is -1 when the
   * origin does not say.
   */
  async stat(request: SourceRequest): Promise<SourceStat> {
    const head = await this.fetch(request, 'HEAD');
    const { statusCode, headers } = head.response;
    discard(head.response);
    if (isSuccess(statusCode)) {
      const contentLength = parseContentLength(headers['content-length']);
      if (contentLength >= 0) return { contentLength, headers: statHeaders(headers), statusCode, acceptRanges: acceptsByteRanges(headers) };
    } else if (!HEAD_FALLBACK_STATUSES.has(statusCode)) {
      throw statusError(head.hop, statusCode, head.response.statusText, headers);
    }
    return this.statByRangedGet(request);
  }

  /**
   * Streams the object (expects 200), or exactly `range` (expects a 206 with the same `Content-Range`, or a 200
   * for a range from 0 covering the whole object). The stream errors when the body is shorter or longer than
   * announced, when the connection drops, or after `timeoutMs` without data.
   */
  async get(request: SourceRequest & { range?: ByteRange }): Promise<SourceBody> {
    const { range } = request;
    if (range !== undefined) assertRange(range);
    const final = await this.fetch(request, 'GET', range === undefined ? undefined : rangeHeader(range));
    const { response, hop } = final;
    const { statusCode, headers } = response;
    try {
      if (range !== undefined) {
        if (!isSuccess(statusCode) && statusCode !== 416) throw statusError(hop, statusCode, response.statusText, headers);
        checkRangeAnswer(hop, range, statusCode, headers);
      } else if (statusCode !== 200) {
        throw isSuccess(statusCode)
          ? protocolError(hop, `origin answered ${statusCode} where 200 was expected`, { statusCode, headers })
          : statusError(hop, statusCode, response.statusText, headers);
      }
    } catch (error) {
      discard(response, isSuccess(statusCode));
      throw error;
    }
    const stream = range === undefined ? response.body : response.body.expect(range.length);
    return { stream, headers: publicHeaders(headers), statusCode, contentLength: stream.expectedLength };
  }

  /** True when `stat` succeeds, false for `D7Y_ERR_NOT_FOUND`; other failures are thrown. */
  async exists(request: SourceRequest): Promise<boolean> {
    return existsByStat(() => this.stat(request));
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.transport.close();
  }

  private async statByRangedGet(request: SourceRequest): Promise<SourceStat> {
    const { response, hop } = await this.fetch(request, 'GET', 'bytes=0-0');
    const { statusCode, headers } = response;
    const kept = statHeaders(headers);
    if (statusCode === 200) {
      discard(response, true);
      return { contentLength: parseContentLength(headers['content-length']), headers: kept, statusCode, acceptRanges: acceptsByteRanges(headers) };
    }
    discard(response);
    if (statusCode === 206 || statusCode === 416) {
      const header = headers['content-range'];
      const parsed = parseContentRange(typeof header === 'string' ? header : undefined);
      if (statusCode === 206 && parsed?.kind === 'range' && parsed.start === 0) {
        return { contentLength: parsed.total, headers: kept, statusCode, acceptRanges: true };
      }
      if (statusCode === 416 && parsed?.kind === 'unsatisfied') {
        return { contentLength: parsed.total, headers: kept, statusCode, acceptRanges: true };
      }
      throw protocolError(hop, `origin answered ${statusCode} to bytes=0-0 with Content-Range ${JSON.stringify(header ?? null)}`, { statusCode, headers });
    }
    if (isSuccess(statusCode)) throw protocolError(hop, `origin answered ${statusCode} to a range request`, { statusCode, headers });
    throw statusError(hop, statusCode, response.statusText, headers);
  }

  private timeoutOf(request: SourceRequest): number {
    const timeout = request.timeoutMs ?? this.config.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw createError(ErrorCodes.INVALID_ARGUMENT, `timeoutMs must be a positive number, received ${timeout}`);
    }
    return timeout;
  }

  /**
   * Sends `method` to the request's URL and follows redirects. `timeoutMs` bounds the wait for headers across
   * all hops and, separately, each gap between body chunks.
   */
  private async fetch(request: SourceRequest, method: Hop['method'], range?: string): Promise<FinalResponse> {
    const { url, signal } = request;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw createError(ErrorCodes.UNSUPPORTED_SCHEME, `source/http cannot fetch ${url.protocol.replace(/:$/, '')} URLs`);
    }
    const timeoutMs = this.timeoutOf(request);
    const deadline = performance.now() + timeoutMs;
    const headers = requestHeaders(url, request.headers, this.config.userAgent);
    if (range !== undefined) headers.range = range;
    const first: Hop = { method, url: new URL(url), headers };
    first.url.username = '';
    first.url.password = '';
    first.url.hash = '';
    const send = (hop: Hop) => {
      const remaining = Math.floor(deadline - performance.now());
      if (remaining <= 0) {
        throw transportError(Object.assign(new Error('deadline passed'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), { attempt: hop, timeoutMs, signal });
      }
      return this.transport.send(hop, { headersTimeout: remaining, bodyTimeout: timeoutMs, timeoutMs, signal });
    };
    return sendFollowingRedirects(send, first, this.options.egress.maxRedirects, this.options.logger);
  }
}
