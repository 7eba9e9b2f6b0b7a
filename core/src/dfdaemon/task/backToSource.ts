import type { Readable } from 'node:stream';

import { createError, ErrorCodes, isD7yError } from '../../common/errors.js';
import type { ByteRateLimiter } from '../../common/rateLimit.js';
import type { PieceSpan } from '../../common/pieces.js';
import type { PieceRecord, SourceClient, SourceRequest, StorageEngine } from '../../plugin-api/index.js';

/** What the back-to-source fetcher needs from its caller. */
export interface BackToSourceContext {
  taskId: string;
  source: SourceClient;
  request: SourceRequest;
  storage: StorageEngine;
  limiter: ByteRateLimiter;
  /** Pieces fetched at once. */
  concurrency: number;
  /** Attempts per piece for transient failures. */
  maxAttempts: number;
  signal: AbortSignal;
  /** Called once per stored piece. */
  onPiece(piece: PieceRecord): void;
}

/** True for failures worth another attempt: timeouts, dropped connections, origin 5xx. */
export function isTransient(error: unknown): boolean {
  if (!isD7yError(error)) return true;
  if (error.code === ErrorCodes.TIMEOUT || error.code === ErrorCodes.UNAVAILABLE) return true;
  if (error.code === ErrorCodes.SOURCE_ERROR) {
    const status = error.details.statusCode;
    return typeof status !== 'number' || status >= 500 || status === 429;
  }
  return false;
}

/**
 * Downloads the given pieces from the source with ranged requests, `concurrency` at a time, writing each through
 * the storage engine (which digests and syncs it). A piece failing transiently is retried with backoff; the
 * first permanent failure aborts the rest.
 */
export async function fetchRangedPieces(ctx: BackToSourceContext, pieces: readonly PieceSpan[]): Promise<void> {
  const queue = [...pieces];
  const inner = new AbortController();
  const abort = () => inner.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', abort, { once: true });
  let firstError: unknown;
  const worker = async () => {
    while (queue.length > 0 && firstError === undefined) {
      const span = queue.shift()!;
      try {
        await fetchOnePiece(ctx, span, inner.signal);
      } catch (error) {
        if (firstError === undefined) firstError = error;
        inner.abort(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(ctx.concurrency, pieces.length)) }, worker));
  } finally {
    ctx.signal.removeEventListener('abort', abort);
  }
  if (firstError !== undefined) throw firstError;
}

async function fetchOnePiece(ctx: BackToSourceContext, span: PieceSpan, signal: AbortSignal): Promise<void> {
  await withRetries(ctx.maxAttempts, signal, async () => {
    const started = performance.now();
    const response = await ctx.source.get({ ...ctx.request, signal, range: { start: span.offset, length: span.length } });
    const body = ctx.limiter.wrap(response.stream);
    try {
      const record = await ctx.storage.writePiece(
        ctx.taskId,
        { number: span.number, offset: span.offset, length: span.length, costMs: Math.round(performance.now() - started) },
        body,
      );
      ctx.onPiece(record);
    } catch (error) {
      body.destroy();
      throw error;
    }
  });
}

/**
 * Runs `work` up to `attempts` times while it fails transiently (timeouts, dropped connections, 5xx), with
 * exponential backoff; permanent failures and aborts are thrown at once.
 */
export async function withRetries<T>(attempts: number, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    try {
      return await work();
    } catch (error) {
      if (signal.aborted || attempt >= attempts || !isTransient(error)) throw error;
      await sleep(Math.min(2000, 100 * 2 ** attempt), signal);
    }
  }
}

/**
 * Downloads the whole object in one request and cuts it into pieces as bytes arrive: for origins that do not
 * serve ranges or do not say how long the content is. Returns the content length seen.
 */
export async function fetchSequentialPieces(ctx: BackToSourceContext, pieceLength: number, firstPiece = 0): Promise<number> {
  const response = await ctx.source.get({ ...ctx.request, signal: ctx.signal });
  const stream = ctx.limiter.wrap(response.stream);
  let number = 0;
  let offset = 0;
  let chunks: Buffer[] = [];
  let buffered = 0;
  let started = performance.now();
  const flush = async () => {
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered);
    chunks = [];
    const length = buffered;
    buffered = 0;
    if (number >= firstPiece) {
      const record = await ctx.storage.writePiece(
        ctx.taskId,
        { number, offset, length, costMs: Math.round(performance.now() - started) },
        data,
      );
      ctx.onPiece(record);
    }
    number++;
    offset += length;
    started = performance.now();
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let rest = chunk;
    while (rest.length > 0) {
      const take = Math.min(rest.length, pieceLength - buffered);
      chunks.push(rest.subarray(0, take));
      buffered += take;
      rest = rest.subarray(take);
      if (buffered === pieceLength) await flush();
    }
  }
  if (buffered > 0) await flush();
  if (response.contentLength >= 0 && offset !== response.contentLength) {
    throw createError(ErrorCodes.SOURCE_ERROR, `body truncated: got ${offset} of ${response.contentLength} bytes`);
  }
  return offset;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
