/**
 * The `SourceClient` for `s3://bucket/key` URLs over @aws-sdk/client-s3: stat by HeadObject (a key ending
 * in `/`, or one that names no object but has objects below it, is a directory listed with ListObjectsV2),
 * exact-range gets checked against `Content-Range`, and bodies checked for their length.
 */
import { Readable } from 'node:stream';

import type { S3Client } from '@aws-sdk/client-s3';
import { assertByteRange, assertObjectKey, type ByteRange, checkedBody, createError, type EgressPolicy, ErrorCodes, existsByStat, isD7yError, type Logger, secretsOf, type SourceBody, type SourceClient, type SourceEntry, type SourceRequest, type SourceStat } from '@d7y/core/plugin-api';

import { S3ClientCache } from './clientCache.js';
import { DEFAULT_S3_CONFIG, type S3SourceConfig } from './config.js';
import { parseS3Url, s3Url, type S3Location } from './s3Url.js';
import { loadS3Sdk } from './sdk.js';
import { translateS3Error, type S3Attempt } from './translateError.js';

/** What the client is built from. */
export interface S3SourceClientOptions {
  egress: EgressPolicy;
  logger?: Logger;
  config?: Partial<S3SourceConfig>;
}

/** Directory listings ask for this many keys per page. */
const PAGE_SIZE = 1000;

function headersOf(meta: { ContentType?: string; ETag?: string; LastModified?: Date; CacheControl?: string; ContentEncoding?: string; ContentDisposition?: string }): Record<string, string> {
  const headers: Record<string, string> = {};
  if (meta.ContentType) headers['content-type'] = meta.ContentType;
  if (meta.ETag) headers.etag = meta.ETag;
  if (meta.LastModified) headers['last-modified'] = meta.LastModified.toUTCString();
  if (meta.CacheControl) headers['cache-control'] = meta.CacheControl;
  if (meta.ContentEncoding) headers['content-encoding'] = meta.ContentEncoding;
  if (meta.ContentDisposition) headers['content-disposition'] = meta.ContentDisposition;
  return headers;
}

/** True for a 401/403 whose S3 error code is unknown (the answer to a HEAD carries no error document). */
function isBodylessDenial(error: unknown): boolean {
  if (!isD7yError(error)) return false;
  const { statusCode, s3Code } = error.details as { statusCode?: number; s3Code?: string };
  return (statusCode === 401 || statusCode === 403) && (s3Code === 'Unknown' || s3Code === 'UnknownError' || s3Code === 'Forbidden' || s3Code === String(statusCode));
}

/** A back-to-source client for S3 and S3-compatible object stores. */
export class S3SourceClient implements SourceClient {
  private readonly config: S3SourceConfig;
  private readonly clients: S3ClientCache;

  constructor(private readonly options: S3SourceClientOptions) {
    this.config = { ...DEFAULT_S3_CONFIG, ...options.config };
    this.clients = new S3ClientCache(options.egress, this.config);
  }

  /** `['s3']`. */
  schemes(): readonly string[] {
    return ['s3'];
  }

  /**
   * HeadObject for an object; for a key ending in `/` (or the bucket root), or a key that names no object but
   * prefixes others, `isDir` with every object below it in `entries` (recursively, directory markers left out).
   */
  async stat(request: SourceRequest): Promise<SourceStat> {
    const location = parseS3Url(request.url);
    const client = await this.clients.clientFor(request.objectStorage);
    if (location.key === '' || location.key.endsWith('/')) return this.statDirectory(client, request, location, true);
    const sdk = await loadS3Sdk();
    try {
      const head = await this.send(client, request, 'HeadObject', (abortSignal) =>
        client.send(new sdk.HeadObjectCommand({ Bucket: location.bucket, Key: location.key }), { abortSignal }),
      );
      const contentLength = head.ContentLength ?? -1;
      return { contentLength, headers: headersOf(head), statusCode: head.$metadata.httpStatusCode ?? 200, acceptRanges: true };
    } catch (error) {
      if (isBodylessDenial(error)) await this.explainDenial(client, request, location);
      if (!isD7yError(error) || error.code !== ErrorCodes.NOT_FOUND || error.details.s3Code === 'NoSuchBucket') throw error;
      return this.statDirectory(client, request, { bucket: location.bucket, key: `${location.key}/` }, false, error);
    }
  }

  /**
   * GetObject, whole or exactly `range` (`Range: bytes=a-b`; the answer's `Content-Range` must name the same
   * bytes). The stream fails when the body is shorter or longer than announced.
   */
  async get(request: SourceRequest & { range?: ByteRange }): Promise<SourceBody> {
    const { range } = request;
    if (range !== undefined) assertByteRange(range);
    const location = parseS3Url(request.url);
    assertObjectKey(request.url, location.key);
    const client = await this.clients.clientFor(request.objectStorage);
    const sdk = await loadS3Sdk();
    const rangeHeader = range === undefined ? undefined : `bytes=${range.start}-${range.start + range.length - 1}`;
    const attempt = this.attempt(request, 'GetObject');
    const answer = await this.send(client, request, 'GetObject', (abortSignal) =>
      client.send(new sdk.GetObjectCommand({ Bucket: location.bucket, Key: location.key, Range: rangeHeader }), { abortSignal }),
    );
    const body = answer.Body as Readable | undefined;
    const fail = (problem: string) => {
      body?.destroy();
      return createError(ErrorCodes.SOURCE_ERROR, `${problem} for GetObject ${attempt.url}`, { details: { url: attempt.url, statusCode: answer.$metadata.httpStatusCode } });
    };
    if (!(body instanceof Readable)) throw fail('s3 answered without a body stream');
    const expected = range?.length ?? answer.ContentLength ?? -1;
    if (range !== undefined) {
      const end = range.start + range.length - 1;
      const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(answer.ContentRange ?? '');
      const whole = answer.$metadata.httpStatusCode === 200 && range.start === 0 && answer.ContentLength === range.length;
      if (!whole && (!match || Number(match[1]) !== range.start || Number(match[2]) !== end)) {
        throw fail(`s3 mismatched range: asked bytes=${range.start}-${end}, got Content-Range ${JSON.stringify(answer.ContentRange ?? null)}`);
      }
    }
    const headers = headersOf(answer);
    if (answer.ContentRange) headers['content-range'] = answer.ContentRange;
    const stream =
      expected < 0
        ? body
        : checkedBody(
            body,
            expected,
            (received, want) => createError(ErrorCodes.SOURCE_ERROR, `body truncated or too long: got ${received} of ${want} bytes for GetObject ${attempt.url}`, { details: { url: attempt.url, received } }),
            (error, received) => createError(ErrorCodes.SOURCE_ERROR, `body failed after ${received} of ${expected} bytes for GetObject ${attempt.url}: ${translateS3Error(error, attempt).message}`, { details: { url: attempt.url, received } }),
          );
    return { stream, headers, statusCode: answer.$metadata.httpStatusCode ?? 200, contentLength: expected };
  }

  /** True when `stat` succeeds, false for `D7Y_ERR_NOT_FOUND`; other failures are thrown. */
  async exists(request: SourceRequest): Promise<boolean> {
    return existsByStat(() => this.stat(request));
  }

  /** Destroys the SDK clients and their pooled connections. */
  async close(): Promise<void> {
    this.clients.close();
  }

  /**
   * S3 answers a refused HEAD with a bare 403 (a HEAD has no error document), so the cause is unknown. A
   * one-byte GET of the same object carries the error code (SignatureDoesNotMatch, InvalidAccessKeyId...):
   * it is asked once, and its error thrown when it has one.
   */
  private async explainDenial(client: S3Client, request: SourceRequest, location: S3Location): Promise<void> {
    const sdk = await loadS3Sdk();
    try {
      const probe = await this.send(client, request, 'GetObject', (abortSignal) =>
        client.send(new sdk.GetObjectCommand({ Bucket: location.bucket, Key: location.key, Range: 'bytes=0-0' }), { abortSignal }),
      );
      (probe.Body as Readable | undefined)?.destroy();
    } catch (error) {
      if (!isBodylessDenial(error)) throw error;
    }
  }

  /**
   * Lists every object below `location.key` (pages of ListObjectsV2). An empty listing is a directory only
   * when the URL said so (trailing `/`); otherwise it rethrows `notFound`.
   */
  private async statDirectory(client: S3Client, request: SourceRequest, location: S3Location, explicit: boolean, notFound?: unknown): Promise<SourceStat> {
    const sdk = await loadS3Sdk();
    const entries: SourceEntry[] = [];
    let token: string | undefined;
    do {
      const page = await this.send(client, request, 'ListObjectsV2', (abortSignal) =>
        client.send(new sdk.ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.key, ContinuationToken: token, MaxKeys: PAGE_SIZE }), { abortSignal }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || object.Key.endsWith('/')) continue;
        if (object.Key.split('/').some((segment) => segment === '.' || segment === '..')) {
          // URLs resolve dot segments, so such a key has no s3:// URL of its own: it is left out, loudly.
          this.options.logger?.warn({ bucket: location.bucket, key: object.Key }, 'skipping an object whose key has . or .. segments');
          continue;
        }
        entries.push({ url: s3Url(location.bucket, object.Key), contentLength: object.Size ?? 0, isDir: false });
        if (entries.length > this.config.maxListEntries) {
          throw createError(ErrorCodes.RESOURCE_EXHAUSTED, `s3://${location.bucket}/${location.key} holds more than ${this.config.maxListEntries} objects (plugins.source.s3.maxListEntries)`);
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    if (entries.length === 0 && !explicit) throw notFound;
    return { contentLength: 0, headers: {}, isDir: true, entries };
  }

  private attempt(request: SourceRequest, operation: S3Attempt['operation'], signal?: AbortSignal): S3Attempt {
    const timeoutMs = request.timeoutMs ?? this.config.requestTimeout;
    return { operation, url: request.url.href, secrets: secretsOf(request.objectStorage), timeoutMs, signal };
  }

  /**
   * Runs one SDK call, translating failures. `timeoutMs` bounds the wait for the answer's headers; a body in
   * flight is then bounded by the client's idle-socket timeout and cancelled only by the request's signal.
   */
  private async send<T>(_client: S3Client, request: SourceRequest, operation: S3Attempt['operation'], call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const attempt = this.attempt(request, operation, controller.signal);
    const timer = setTimeout(() => controller.abort(new DOMException('headers timeout', 'TimeoutError')), attempt.timeoutMs);
    const onAbort = () => controller.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    if (request.signal?.aborted) onAbort();
    const release = () => request.signal?.removeEventListener('abort', onAbort);
    try {
      const result = await call(controller.signal);
      // A body still streaming stays cancellable by the request's signal until it closes.
      const body = (result as { Body?: unknown }).Body;
      if (body instanceof Readable) body.once('close', release);
      else release();
      return result;
    } catch (error) {
      release();
      const translated = translateS3Error(error, attempt);
      this.options.logger?.debug({ operation, url: attempt.url, code: translated.code }, 's3 request failed');
      throw translated;
    } finally {
      clearTimeout(timer);
    }
  }
}
