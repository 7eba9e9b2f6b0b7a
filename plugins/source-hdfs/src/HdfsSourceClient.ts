/**
 * The `SourceClient` for `hdfs://namenode[:port]/path` URLs over the WebHDFS REST API: stat by
 * GETFILESTATUS (directories are walked with LISTSTATUS), ranged reads by OPEN with `offset`/`length`
 * (WebHDFS does not use the HTTP Range header), following the NameNode's 307 redirect to a DataNode, with
 * the delegation token passed as `delegation=`.
 *
 * Plain HTTP rather than the `webhdfs` npm package: that package is built on the deprecated `request`
 * library, turns every error into a bare message (no status, so "not found" cannot be told from "denied"),
 * takes no AbortSignal or per-request timeout, cannot route connections through the egress policy's lookup,
 * and its read stream signals completion with `finish` instead of `end`.
 */
import type { Readable } from 'node:stream';

import { assertByteRange, type ByteRange, checkedBody, createError, type EgressPolicy, ErrorCodes, existsByStat, type Logger, type SourceBody, type SourceClient, type SourceEntry, type SourceRequest, type SourceStat } from '@d7y/core/plugin-api';

import { DEFAULT_HDFS_CONFIG, type HdfsSourceConfig } from './config.js';
import { hdfsUrl, parseHdfsUrl, webhdfsUrl, type HdfsLocation } from './hdfsUrl.js';
import { transportError, type HdfsAttempt } from './translateError.js';
import { WebHdfsTransport } from './transport.js';

/** What the client is built from. */
export interface HdfsSourceClientOptions {
  egress: EgressPolicy;
  logger?: Logger;
  config?: Partial<HdfsSourceConfig>;
}

/** One `FileStatus` of GETFILESTATUS / LISTSTATUS. */
interface FileStatus {
  pathSuffix: string;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  modificationTime?: number;
}

const join = (dir: string, name: string) => (dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`);

/** A back-to-source client for HDFS over WebHDFS. */
export class HdfsSourceClient implements SourceClient {
  private readonly config: HdfsSourceConfig;
  private readonly transport: WebHdfsTransport;

  constructor(options: HdfsSourceClientOptions) {
    this.config = { ...DEFAULT_HDFS_CONFIG, ...options.config };
    this.transport = new WebHdfsTransport(options.egress, options.logger);
  }

  /** `['hdfs']`. */
  schemes(): readonly string[] {
    return ['hdfs'];
  }

  /** GETFILESTATUS; a directory lists every file below it (recursively) in `entries`. */
  async stat(request: SourceRequest): Promise<SourceStat> {
    const location = parseHdfsUrl(request.url);
    const { FileStatus: status } = await this.call<{ FileStatus: FileStatus }>(request, location, 'GETFILESTATUS');
    if (status.type === 'DIRECTORY') return { contentLength: 0, headers: {}, isDir: true, entries: await this.walk(request, location) };
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (typeof status.modificationTime === 'number') headers['last-modified'] = new Date(status.modificationTime).toUTCString();
    return { contentLength: status.length, headers, statusCode: 200, acceptRanges: true };
  }

  /** OPEN (with `offset` and `length` for a range), through the DataNode redirect; the body length is checked. */
  async get(request: SourceRequest & { range?: ByteRange }): Promise<SourceBody> {
    const { range } = request;
    if (range !== undefined) assertByteRange(range);
    const location = parseHdfsUrl(request.url);
    const attempt = this.attempt(request, 'OPEN');
    const url = webhdfsUrl(location, this.config.scheme, 'OPEN', { ...this.auth(request), offset: range?.start, length: range?.length });
    const response = await this.transport.get(url, attempt, request.signal);
    const announced = /^\d+$/.test(response.headers['content-length'] ?? '') ? Number(response.headers['content-length']) : -1;
    if (range !== undefined && announced >= 0 && announced !== range.length) {
      response.destroy();
      throw createError(ErrorCodes.SOURCE_ERROR, `webhdfs sent ${announced} bytes for a ${range.length}-byte range (offset ${range.start}) of ${attempt.url}`, { details: { url: attempt.url } });
    }
    const expected = range?.length ?? announced;
    const body = response as Readable;
    const stream =
      expected < 0
        ? body
        : checkedBody(
            body,
            expected,
            (received, want) => createError(ErrorCodes.SOURCE_ERROR, `body truncated or too long: got ${received} of ${want} bytes for OPEN ${attempt.url}`, { details: { url: attempt.url, received } }),
            (error, received) => transportError(Object.assign(error as Error, { message: `after ${received} of ${expected} bytes: ${(error as Error).message}` }), attempt, request.signal),
          );
    return { stream, headers: { 'content-type': 'application/octet-stream' }, statusCode: 200, contentLength: expected };
  }

  /** True when `stat` succeeds, false for `D7Y_ERR_NOT_FOUND`; other failures are thrown. */
  async exists(request: SourceRequest): Promise<boolean> {
    return existsByStat(() => this.stat(request));
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    this.transport.close();
  }

  /** Every file below the directory, breadth first, as `hdfs://` entries; bounded by `maxListEntries`. */
  private async walk(request: SourceRequest, root: HdfsLocation): Promise<SourceEntry[]> {
    const entries: SourceEntry[] = [];
    const queue = [root.path];
    while (queue.length > 0) {
      const dir = queue.shift()!;
      const listing = await this.call<{ FileStatuses: { FileStatus: FileStatus[] } }>(request, { ...root, path: dir }, 'LISTSTATUS');
      for (const status of listing.FileStatuses?.FileStatus ?? []) {
        if (!status.pathSuffix || status.pathSuffix.includes('/') || status.pathSuffix === '..' || status.pathSuffix === '.') continue;
        const path = join(dir, status.pathSuffix);
        if (status.type === 'DIRECTORY') queue.push(path);
        else if (status.type === 'FILE') entries.push({ url: hdfsUrl(root, path), contentLength: status.length, isDir: false });
        if (entries.length + queue.length > this.config.maxListEntries) {
          throw createError(ErrorCodes.RESOURCE_EXHAUSTED, `${hdfsUrl(root, root.path)} holds more than ${this.config.maxListEntries} entries (plugins.source.hdfs.maxListEntries)`);
        }
      }
    }
    return entries.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  }

  /** Query parameters that authenticate: `delegation=<token>`, else `user.name` from config. */
  private auth(request: SourceRequest): Record<string, string | undefined> {
    const token = request.hdfs?.delegationToken;
    return token ? { delegation: token } : { 'user.name': this.config.user };
  }

  private attempt(request: SourceRequest, op: string): HdfsAttempt {
    const url = new URL(request.url);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return { op, url: url.href, timeoutMs: request.timeoutMs ?? this.config.requestTimeout, token: request.hdfs?.delegationToken };
  }

  private call<T>(request: SourceRequest, location: HdfsLocation, op: string): Promise<T> {
    const attempt = { ...this.attempt(request, op), url: hdfsUrl(location, location.path) };
    return this.transport.json<T>(webhdfsUrl(location, this.config.scheme, op, this.auth(request)), attempt, request.signal);
  }
}
