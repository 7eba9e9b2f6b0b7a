import { Agent, request, type IncomingMessage } from 'node:http';

import { createError, ErrorCodes } from '../../common/errors.js';

/** Keep-alive connections to parents' piece servers, shared by all downloads of this daemon. */
const agent = new Agent({ keepAlive: true, maxSockets: 32, keepAliveMsecs: 10_000 });

/** Where a parent serves piece bytes. */
export interface PieceEndpoint {
  ip: string;
  port: number;
}

/**
 * GETs one piece from a parent's piece server. Resolves with the body once the parent answered 200 with the
 * expected length; any other answer is a coded error. The body errors if the connection ends early.
 */
export function fetchPiece(endpoint: PieceEndpoint, taskId: string, number: number, length: number, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: endpoint.ip, port: endpoint.port, path: `/v1/tasks/${taskId}/pieces/${number}`, agent, signal },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(createError(ErrorCodes.UNAVAILABLE, `parent ${endpoint.ip}:${endpoint.port} answered ${res.statusCode} for piece ${number}`));
        }
        if (Number(res.headers['content-length']) !== length) {
          res.destroy();
          return reject(createError(ErrorCodes.DATA_CORRUPTED, `parent ${endpoint.ip}:${endpoint.port} announced ${res.headers['content-length']} bytes for piece ${number}, expected ${length}`));
        }
        resolve(res);
      },
    );
    req.on('error', (error) => reject(signal.aborted ? createError(ErrorCodes.TIMEOUT, `piece ${number} from ${endpoint.ip}:${endpoint.port} timed out`) : error));
    req.end();
  });
}
