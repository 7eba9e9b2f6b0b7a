/**
 * The `SourceClient` for `oss://bucket/key` URLs over ali-oss: stat by HEAD (a key ending in `/`, or one
 * that names no object but prefixes others, is a directory listed with ListObjectsV2), exact-range gets
 * checked against `Content-Range`, and bodies checked for their length.
 */
import type { Readable } from 'node:stream';

import type OSS from 'ali-oss';
import { assertByteRange, assertObjectKey, type ByteRange, checkedBody, createError, type EgressPolicy, ErrorCodes, existsByStat, isD7yError, type Logger, secretsOf, type SourceBody, type SourceClient, type SourceEntry, type SourceRequest, type SourceStat } from '@d7y/core/plugin-api';

import { OssClientCache } from './clientCache.js';
import { DEFAULT_OSS_CONFIG, type OssSourceConfig } from './config.js';
import { ossUrl, parseOssUrl, type OssLocation } from './ossUrl.js';
import { translateOssError, type OssAttempt } from './translateError.js';

/** What the client is built from. */
export interface OssSourceClientOptions {
  egress: EgressPolicy;
  logger?: Logger;
  config?: Partial<OssSourceConfig>;
}

/** Response headers `stat` and `get` keep. */
const KEPT = ['content-type', 'etag', 'last-modified', 'cache-control', 'content-encoding', 'content-disposition', 'x-oss-hash-crc64ecma'];

function keptHeaders(raw: object | undefined): Record<string, string> {
  const source = (raw ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const name of KEPT) if (typeof source[name] === 'string') out[name] = source[name] as string;
  return out;
}

/** A back-to-source client for Alibaba Cloud OSS. */
export class OssSourceClient implements SourceClient {
  private readonly config: OssSourceConfig;
  private readonly clients: OssClientCache;

  constructor(private readonly options: OssSourceClientOptions) {
    this.config = { ...DEFAULT_OSS_CONFIG, ...options.config };
    this.clients = new OssClientCache(options.egress);
  }

  /** `['oss']`. */
  schemes(): readonly string[] {
    return ['oss'];
  }

  /** HEAD for an object; a directory (see the file comment) lists every object below it in `entries`. */
  async stat(request: SourceRequest): Promise<SourceStat> {
    const location = parseOssUrl(request.url);
    const client = await this.client(location, request);
    if (location.key === '' || location.key.endsWith('/')) return this.statDirectory(client, request, location, true);
    try {
      const head = await this.call(request, 'HeadObject', () => client.head(location.key));
      const headers = head.res.headers as Record<string, string>;
      const contentLength = /^\d+$/.test(headers['content-length'] ?? '') ? Number(headers['content-length']) : -1;
      return { contentLength, headers: keptHeaders(headers), statusCode: head.res.status, acceptRanges: true };
    } catch (error) {
      if (!isD7yError(error) || error.code !== ErrorCodes.NOT_FOUND || error.details.ossCode === 'NoSuchBucket') throw error;
      return this.statDirectory(client, request, { bucket: location.bucket, key: `${location.key}/` }, false, error);
    }
  }

  /** GET, whole or exactly `range`; the answer's `Content-Range` must name the bytes asked for. */
  async get(request: SourceRequest & { range?: ByteRange }): Promise<SourceBody> {
    const { range } = request;
    if (range !== undefined) assertByteRange(range);
    const location = parseOssUrl(request.url);
    assertObjectKey(request.url, location.key);
    const client = await this.client(location, request);
    const end = range === undefined ? 0 : range.start + range.length - 1;
    // x-oss-range-behavior: standard makes OSS refuse a bad range instead of silently sending the whole object.
    const headers = range === undefined ? {} : { Range: `bytes=${range.start}-${end}`, 'x-oss-range-behavior': 'standard' };
    const answer = await this.call(request, 'GetObject', () => client.getStream(location.key, { headers })).catch((error: unknown) => this.explainStreamError(error, client, location, request));
    const body = answer.stream as Readable;
    const responseHeaders = answer.res.headers as Record<string, string>;
    const url = request.url.href;
    const announced = /^\d+$/.test(responseHeaders['content-length'] ?? '') ? Number(responseHeaders['content-length']) : -1;
    if (range !== undefined) {
      const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(responseHeaders['content-range'] ?? '');
      const whole = answer.res.status === 200 && range.start === 0 && announced === range.length;
      if (!whole && (!match || Number(match[1]) !== range.start || Number(match[2]) !== end)) {
        body.destroy();
        throw createError(ErrorCodes.SOURCE_ERROR, `oss mismatched range: asked bytes=${range.start}-${end}, got Content-Range ${JSON.stringify(responseHeaders['content-range'] ?? null)} for GetObject ${url}`, {
          details: { url, statusCode: answer.res.status },
        });
      }
    }
    const expected = range?.length ?? announced;
    // ali-oss's timeout ends with the headers; a stalled body is cut after the same time without data.
    const idleMs = request.timeoutMs ?? this.config.requestTimeout;
    (body as Readable & { setTimeout?: (ms: number, cb: () => void) => void }).setTimeout?.(idleMs, () =>
      body.destroy(createError(ErrorCodes.TIMEOUT, `oss sent no data for ${idleMs}ms for GetObject ${url}`, { details: { url } })),
    );
    const onAbort = () => body.destroy(createError(ErrorCodes.CANCELLED, `request cancelled for GetObject ${url}`));
    request.signal?.addEventListener('abort', onAbort, { once: true });
    body.once('close', () => request.signal?.removeEventListener('abort', onAbort));
    const kept = keptHeaders(responseHeaders);
    if (responseHeaders['content-range']) kept['content-range'] = responseHeaders['content-range'];
    const stream =
      expected < 0
        ? body
        : checkedBody(
            body,
            expected,
            (received, want) => createError(ErrorCodes.SOURCE_ERROR, `body truncated or too long: got ${received} of ${want} bytes for GetObject ${url}`, { details: { url, received } }),
            (error, received) => (isD7yError(error) ? error : createError(ErrorCodes.SOURCE_ERROR, `body failed after ${received} of ${expected} bytes for GetObject ${url}: ${(error as Error).message}`, { details: { url, received } })),
          );
    return { stream, headers: kept, statusCode: answer.res.status, contentLength: expected };
  }

  /** True when `stat` succeeds, false for `D7Y_ERR_NOT_FOUND`; other failures are thrown. */
  async exists(request: SourceRequest): Promise<boolean> {
    return existsByStat(() => this.stat(request));
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    this.clients.close();
  }

  /**
   * ali-oss drops the error document of a streamed GET, so a refused GetObject arrives as a bare 401/403.
   * A HEAD of the same object carries the code (in `x-oss-err`), so it is asked once to name the cause.
   */
  private async explainStreamError(error: unknown, client: OSS, location: OssLocation, request: SourceRequest): Promise<never> {
    const status = isD7yError(error) ? error.details.statusCode : undefined;
    if (!isD7yError(error) || error.details.ossCode !== 'UnknownError' || (status !== 401 && status !== 403)) throw error;
    await this.call(request, 'HeadObject', () => client.head(location.key));
    throw error;
  }

  private client(location: OssLocation, request: SourceRequest): Promise<OSS> {
    return this.clients.clientFor(location.bucket, request.objectStorage, request.timeoutMs ?? this.config.requestTimeout);
  }

  /** Lists every object below `location.key`; an empty listing is a directory only if the URL said so. */
  private async statDirectory(client: OSS, request: SourceRequest, location: OssLocation, explicit: boolean, notFound?: unknown): Promise<SourceStat> {
    const entries: SourceEntry[] = [];
    let token: string | undefined;
    do {
      const query: OSS.ListV2ObjectsQuery = { prefix: location.key, 'max-keys': 1000, ...(token ? { 'continuation-token': token } : {}) };
      const page = await this.call(request, 'ListObjectsV2', () => client.listV2(query));
      for (const object of page.objects ?? []) {
        if (object.name.endsWith('/')) continue;
        if (object.name.split('/').some((segment) => segment === '.' || segment === '..')) {
          // URLs resolve dot segments, so such a key has no oss:// URL of its own: it is left out, loudly.
          this.options.logger?.warn({ bucket: location.bucket, key: object.name }, 'skipping an object whose key has . or .. segments');
          continue;
        }
        entries.push({ url: ossUrl(location.bucket, object.name), contentLength: object.size, isDir: false });
        if (entries.length > this.config.maxListEntries) {
          throw createError(ErrorCodes.RESOURCE_EXHAUSTED, `oss://${location.bucket}/${location.key} holds more than ${this.config.maxListEntries} objects (plugins.source.oss.maxListEntries)`);
        }
      }
      token = page.isTruncated ? page.nextContinuationToken : undefined;
    } while (token);
    if (entries.length === 0 && !explicit) throw notFound;
    return { contentLength: 0, headers: {}, isDir: true, entries };
  }

  /** Runs one ali-oss call, translating failures; a cancelled request fails at once. */
  private async call<T>(request: SourceRequest, operation: OssAttempt['operation'], run: () => Promise<T>): Promise<T> {
    const attempt: OssAttempt = { operation, url: request.url.href, secrets: secretsOf(request.objectStorage), timeoutMs: request.timeoutMs ?? this.config.requestTimeout };
    if (request.signal?.aborted) throw createError(ErrorCodes.CANCELLED, `request cancelled for ${operation} ${attempt.url}`);
    try {
      return await run();
    } catch (error) {
      const translated = translateOssError(error, attempt);
      this.options.logger?.debug({ operation, url: attempt.url, code: translated.code }, 'oss request failed');
      throw translated;
    }
  }
}
