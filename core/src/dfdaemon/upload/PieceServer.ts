import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';

import { isD7yError } from '../../common/errors.js';
import { isTaskId } from '../../common/ids.js';
import { ByteRateLimiter, Semaphore } from '../../common/rateLimit.js';
import type { Logger, StorageEngine } from '../../plugin-api/index.js';

/** Settings of the piece-data server (`storage.server` / `upload` in dfdaemon.yaml). */
export interface PieceServerOptions {
  storage: StorageEngine;
  logger: Logger;
  ip: string;
  port: number;
  /** Bytes per second across all uploads; 0 for no limit (`upload.rateLimit`). */
  rateLimit: number;
  /** Pieces served at once; more get 503 so the child asks another parent. */
  concurrencyLimit: number;
  /** `upload.disableShared`: serve nothing to other peers. */
  disableShared: boolean;
  /** Called with the bytes of every piece fully served. */
  onUploaded?(bytes: number): void;
}

/** Response header carrying the piece's stored digest. Children verify against trusted metadata, not this. */
export const PIECE_DIGEST_HEADER = 'x-d7y-piece-digest';
const PIECE_PATH = /^\/v1\/tasks\/([^/]+)\/pieces\/([^/?]+)$/;

/**
 * Serves stored piece bytes to other peers over plain HTTP/1.1 (`GET /v1/tasks/<taskId>/pieces/<number>`): a
 * lean path that runs near loopback speed, unlike bulk transfer over gRPC. Nothing on this path names a file:
 * only validated task ids and piece numbers within the task's piece count are accepted.
 */
export class PieceServer {
  private readonly server: Server;
  private readonly limiter: ByteRateLimiter;
  private readonly slots: Semaphore;

  constructor(private readonly options: PieceServerOptions) {
    this.limiter = new ByteRateLimiter(options.rateLimit);
    this.slots = new Semaphore(options.concurrencyLimit);
    this.server = createServer({ maxHeaderSize: 8 * 1024, requestTimeout: 60_000, headersTimeout: 10_000, keepAliveTimeout: 30_000 }, (req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        options.logger.warn({ err: error, url: req.url }, 'piece request failed');
        if (!res.headersSent) send(res, 500, 'internal error');
        else res.destroy();
      });
    });
  }

  /** Pieces being served now. */
  get activeUploads(): number {
    return this.slots.inUse;
  }

  /** Starts listening; resolves with the bound port. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.ip, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops accepting and closes idle connections; in-flight pieces finish. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') return send(res, 405, 'only GET is served here');
    const match = PIECE_PATH.exec(req.url ?? '');
    if (!match) return send(res, 404, 'no such route');
    const [, taskId, numberText] = match;
    if (!isTaskId(taskId)) return send(res, 400, 'task id must be 64 lower-case hex characters');
    if (!/^(0|[1-9][0-9]{0,8})$/.test(numberText!)) return send(res, 400, 'piece number must be a non-negative integer');
    const number = Number(numberText);
    if (this.options.disableShared) return send(res, 403, 'this peer does not share pieces');

    const task = await this.options.storage.getTask(taskId);
    if (!task) return send(res, 404, 'task not found');
    if (task.pieceCount > 0 && number >= task.pieceCount) return send(res, 400, `piece number ${number} >= piece count ${task.pieceCount}`);
    const piece = await this.options.storage.getPiece(taskId, number);
    if (!piece) return send(res, 404, 'piece not stored');
    if (!this.slots.tryAcquire()) return send(res, 503, 'upload concurrency limit reached');
    try {
      const body = await this.options.storage.readPiece(taskId, number).catch((error: unknown) => {
        if (isD7yError(error) && error.code === 'D7Y_ERR_NOT_FOUND') return undefined;
        throw error;
      });
      if (!body) return send(res, 404, 'piece not stored');
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(piece.length),
        [PIECE_DIGEST_HEADER]: piece.digest,
      });
      await pipeline(this.limiter.wrap(body), res);
      this.options.onUploaded?.(piece.length);
    } finally {
      this.slots.release();
    }
  }
}

function send(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(message) });
  res.end(message);
}
