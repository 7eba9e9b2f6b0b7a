/**
 * Answers a GET through P2P: the task engine downloads (from parents, a seed peer or the source) and the proxy
 * streams the stored pieces in order. OCI blobs carry their digest: the engine verifies the whole content against
 * it before the task is finished, and the proxy hashes what it streams and holds back the last piece until that
 * hash matches, so a client never receives a complete unverified blob (a one-piece blob that fails gets a clean
 * error status; a longer one is cut short).
 * Ranges get 206 with `Content-Range`: only the covering pieces are downloaded unless prefetch asks for the rest;
 * a blob range is served once the whole blob is verified.
 */
import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

import { createError, ErrorCodes } from '../../common/errors.js';
import { contentRange, parseRange, type InclusiveRange } from '../../common/httpRange.js';
import { DEFAULT_FILTERED_QUERY_PARAMS } from '../../common/ids.js';
import { pieceCount, pieceSpan } from '../../common/pieces.js';
import type { Logger, StorageEngine } from '../../plugin-api/index.js';
import type { TaskEngine } from '../task/TaskEngine.js';
import type { DownloadRequest } from '../task/types.js';
import type { ControlOptions } from './controlHeaders.js';
import { isControlHeader } from './controlHeaders.js';
import { PieceProgress, type StartedInfo } from './PieceProgress.js';
import { sendDownloadError, sendError } from './respond.js';
import type { ProxyRule } from './target.js';

/** What P2P answers need from the daemon. */
export interface P2PContext {
  engine: TaskEngine;
  storage: StorageEngine;
  logger: Logger;
  hostIp: string;
  /** `proxy.prefetch`. */
  prefetch: boolean;
  /** `proxy.disableBackToSource`. */
  disableBackToSource: boolean;
  /** `proxy.registryMirror.enableTaskIDBasedBlobDigest`. */
  enableTaskIdBasedBlobDigest: boolean;
}

/** One P2P request as planned by the proxy. */
export interface P2PPlan {
  url: URL;
  rule: ProxyRule | undefined;
  control: ControlOptions;
  /** `sha256:<hex>` when the URL is an OCI blob. */
  digest: string | undefined;
  remoteIp: string;
}

/**
 * Request headers the origin never sees from a P2P download: hop-by-hop and proxy headers, the client's range
 * (pieces are fetched by their own ranges) and its accepted encodings (pieces must address the stored bytes).
 */
const NOT_FOR_ORIGIN = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'range', 'accept-encoding',
]);
/** Task response headers passed to the client. */
const PASSED_HEADERS = ['content-type', 'etag', 'last-modified', 'cache-control', 'content-disposition', 'content-encoding'];

/** The client's headers for the origin: lower-case, without hop-by-hop, control, proxy and range headers. */
export function originHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_FOR_ORIGIN.has(name) || isControlHeader(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The download request of a plan. */
export function downloadRequest(ctx: P2PContext, plan: P2PPlan, headers: IncomingMessage['headers']): DownloadRequest {
  const { control, rule } = plan;
  const ranged = headers.range !== undefined;
  // A range with prefetch follows (or starts) the whole download and keeps it running after the client has its
  // bytes; without prefetch only the covering pieces are downloaded. A blob range always needs the whole blob,
  // since only whole content can be checked against the digest.
  const prefetch = ranged && (control.prefetch ?? ctx.prefetch);
  return {
    url: plan.url.toString(),
    tag: control.tag,
    application: control.application,
    priority: control.priority,
    digest: plan.digest,
    pieceLength: control.pieceLength,
    // Without a rule (X-Dragonfly-Use-P2P) the default rule's filtered parameters apply, as in Dragonfly.
    filteredQueryParams: control.filteredQueryParams ?? rule?.filteredQueryParams ?? DEFAULT_FILTERED_QUERY_PARAMS,
    requestHeader: originHeaders(headers),
    disableBackToSource: ctx.disableBackToSource,
    outputPath: control.outputPath,
    forceHardLink: control.forceHardLink,
    contentForCalculatingTaskId: control.contentForCalculatingTaskId,
    enableTaskIdBasedBlobDigest: control.enableTaskIdBasedBlobDigest ?? ctx.enableTaskIdBasedBlobDigest,
    alwaysP2P: rule?.schedulingPolicy === 'always',
    remoteIp: plan.remoteIp,
    detach: prefetch,
    prefetch,
    rangeHeader: ranged && !prefetch && plan.digest === undefined ? headers.range : undefined,
  };
}

/** Streams P2P content to `res`; resolves when the answer is complete or abandoned. */
export async function serveThroughP2P(ctx: P2PContext, req: IncomingMessage, res: ServerResponse, plan: P2PPlan): Promise<void> {
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  let handle;
  try {
    handle = ctx.engine.download(downloadRequest(ctx, plan, req.headers), controller.signal);
  } catch (error) {
    sendDownloadError(res, error);
    return;
  }
  const progress = new PieceProgress();
  void progress.pump(handle.events);
  try {
    const info = await progress.started;
    const writer = new ResponseWriter(ctx, res, handle.taskId, info, plan);
    await writer.serve(req.headers.range, progress);
  } catch (error) {
    if (!controller.signal.aborted) {
      ctx.logger.warn({ taskId: handle.taskId, url: plan.url.toString(), err: error }, 'proxy download failed');
      sendDownloadError(res, error);
    }
  } finally {
    // Leaving the task: a range request without prefetch cancels the rest unless other requesters follow it.
    controller.abort();
  }
}

/** Writes the answer for one started task. */
class ResponseWriter {
  constructor(
    private readonly ctx: P2PContext,
    private readonly res: ServerResponse,
    private readonly taskId: string,
    private readonly info: StartedInfo,
    private readonly plan: P2PPlan,
  ) {}

  /** True when the download also places the content at `X-Dragonfly-Output-Path`. */
  private get placesOutput(): boolean {
    return this.plan.control.outputPath !== undefined;
  }

  async serve(rangeHeader: string | undefined, progress: PieceProgress): Promise<void> {
    const total = this.info.contentLength;
    if (total < 0) return this.serveUnknownLength(progress);
    const parsed = parseRange(rangeHeader, total);
    if (parsed.kind === 'unsatisfiable') {
      sendError(this.res, 416, 'proxy', `range ${JSON.stringify(rangeHeader)} cannot be served from ${total} bytes`, { 'content-range': `bytes */${total}` });
      return;
    }
    const range = parsed.kind === 'range' ? parsed.range : { start: 0, end: total - 1 };
    const status = parsed.kind === 'range' ? 206 : 200;
    if (total === 0) {
      await progress.end();
      this.head(status, 0);
      this.res.end();
      return;
    }
    if (this.plan.digest !== undefined && parsed.kind === 'range') {
      // Only a verified blob may be cut into ranges.
      await progress.end();
      this.head(status, range.end - range.start + 1, range);
      await this.copy(await this.ctx.storage.readRange(this.taskId, range.start, range.end - range.start + 1));
      this.res.end();
      return;
    }
    if (this.plan.digest !== undefined) return this.serveBlob(this.plan.digest, progress);
    const { pieceLength } = this.info;
    const first = Math.floor(range.start / pieceLength);
    const last = Math.floor(range.end / pieceLength);
    for (let n = first; n <= last; n++) {
      await progress.piece(n);
      // A client reading a Content-Length answer is done at its last byte, before the answer is ended: with
      // X-Dragonfly-Output-Path, the last bytes go only once the file is in place.
      if (n === last && parsed.kind === 'none' && this.placesOutput) await progress.end();
      const span = pieceSpan(n, total, pieceLength);
      const from = Math.max(span.offset, range.start);
      const to = Math.min(span.offset + span.length - 1, range.end);
      if (!this.res.headersSent) this.head(status, range.end - range.start + 1, parsed.kind === 'range' ? range : undefined);
      await this.copy(await this.ctx.storage.readRange(this.taskId, from, to - from + 1));
    }
    if (parsed.kind === 'none') await progress.end();
    this.res.end();
  }

  /**
   * A whole blob: the pieces are streamed in order while their bytes are hashed, and the last piece is sent only
   * when the hash of everything matches the blob's digest (so this check runs alongside the download instead of
   * after it). On a mismatch the answer is a 502 when nothing was sent yet (one-piece blobs), else it is cut short.
   * The request then follows the download to its end, so that the engine's own verification is not cancelled.
   */
  private async serveBlob(digest: string, progress: PieceProgress): Promise<void> {
    const { contentLength: total, pieceLength } = this.info;
    if (this.info.isFinished && (await this.ctx.storage.getTask(this.taskId))?.digest === digest) {
      // A local hit whose content was verified against this digest when it was stored: no need to hash again.
      // With X-Dragonfly-Output-Path the file is in place before the client gets the last byte (a client reading a
      // Content-Length answer is done then, before the answer is ended).
      if (this.placesOutput) await progress.end();
      this.head(200, total);
      await this.copy(await this.ctx.storage.readRange(this.taskId, 0, total));
      this.res.end();
      await progress.end();
      return;
    }
    const hash = createHash('sha256');
    const last = pieceCount(total, pieceLength) - 1;
    for (let n = 0; n < last; n++) {
      await progress.piece(n);
      const span = pieceSpan(n, total, pieceLength);
      if (!this.res.headersSent) this.head(200, total);
      await this.copy(await this.ctx.storage.readRange(this.taskId, span.offset, span.length), hash);
    }
    await progress.piece(last);
    const span = pieceSpan(last, total, pieceLength);
    const tail = await readAll(await this.ctx.storage.readRange(this.taskId, span.offset, span.length));
    const actual = `sha256:${hash.update(tail).digest('hex')}`;
    if (actual !== digest) {
      throw createError(ErrorCodes.DIGEST_MISMATCH, `digest mismatch: expected ${digest}, got ${actual}; the blob is not served`, { details: { expected: digest, actual } });
    }
    if (!this.res.headersSent) this.head(200, total);
    if (this.placesOutput) await progress.end();
    this.res.end(tail);
    await progress.end().catch((error: unknown) => this.ctx.logger.warn({ taskId: this.taskId, err: error }, 'download failed after its blob was served'));
  }

  /** Content of unknown length (the origin named none): pieces in order, chunked. */
  private async serveUnknownLength(progress: PieceProgress): Promise<void> {
    if (this.plan.digest !== undefined) await progress.end();
    for (let n = 0; ; n++) {
      try {
        await progress.piece(n);
      } catch (error) {
        await progress.end();
        const task = await this.ctx.storage.getTask(this.taskId);
        if (task && n >= task.pieceCount) break;
        throw error;
      }
      if (!this.res.headersSent) this.head(200, undefined);
      await this.copy(await this.ctx.storage.readPiece(this.taskId, n));
    }
    if (!this.res.headersSent) this.head(200, 0);
    this.res.end();
  }

  private head(status: number, length: number | undefined, range?: InclusiveRange): void {
    const headers: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const value = this.info.responseHeader[name];
      if (value !== undefined) headers[name] = value;
    }
    headers['content-type'] ??= 'application/octet-stream';
    if (this.plan.digest) headers['docker-content-digest'] = this.plan.digest;
    headers['accept-ranges'] = 'bytes';
    if (length !== undefined) headers['content-length'] = String(length);
    if (range) headers['content-range'] = contentRange(range, this.info.contentLength);
    headers['x-dragonfly-task-id'] = this.taskId;
    headers['x-dragonfly-server-ip'] = this.ctx.hostIp;
    if (this.info.isFinished) headers['x-dragonfly-task-download-finished'] = 'true';
    this.res.writeHead(status, headers);
  }

  private async copy(stream: Readable, hash?: Hash): Promise<void> {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (this.res.destroyed) throw new Error('client went away');
        hash?.update(chunk);
        if (!this.res.write(chunk)) await drained(this.res);
      }
    } finally {
      stream.destroy();
    }
  }
}

/** Resolves when `res` drains or closes, leaving no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Collects a (piece-sized) stream into one buffer. */
async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
