/**
 * Error answers of the proxy, with `X-Dragonfly-Error-Type` (spec section 7): `backend` when the origin answered
 * an error (its status and headers are passed on), `proxy` for refusals by the proxy itself, `dfdaemon` for
 * failures of the download.
 */
import type { ServerResponse } from 'node:http';

import { ErrorCodes, isD7yError } from '../../common/errors.js';
import { toHttpStatus } from '../../common/errors.js';

/** Who failed. */
export type ErrorType = 'backend' | 'proxy' | 'dfdaemon';

/** Response headers never copied from an origin error onto our answer (they describe the origin's body). */
const ORIGIN_BODY_HEADERS = new Set(['content-length', 'transfer-encoding', 'content-encoding', 'connection', 'keep-alive', 'set-cookie', 'content-range']);

/** Sends a short text error unless headers went out already (then the connection is cut). */
export function sendError(res: ServerResponse, status: number, type: ErrorType, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${message}\n`;
  // setHeader (not writeHead's argument), so that the error type stays readable for metrics.
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', String(Buffer.byteLength(body)));
  res.setHeader('x-dragonfly-error-type', type);
  res.writeHead(status);
  res.end(body);
}

/**
 * Answers a failed download. An origin error status (with its headers, such as `WWW-Authenticate`) reaches the
 * client unchanged; egress and permission refusals are 403 `proxy`; everything else is `dfdaemon`.
 */
export function sendDownloadError(res: ServerResponse, error: unknown): void {
  if (isD7yError(error)) {
    const origin = error.details.statusCode;
    if (typeof origin === 'number' && origin >= 400 && origin < 600) {
      const headers: Record<string, string> = {};
      const given = error.details.headers;
      if (given && typeof given === 'object') {
        for (const [name, value] of Object.entries(given as Record<string, unknown>)) {
          if (typeof value === 'string' && !ORIGIN_BODY_HEADERS.has(name.toLowerCase())) headers[name] = value;
        }
      }
      delete headers['content-type'];
      sendError(res, origin, 'backend', error.message, headers);
      return;
    }
    if (error.code === ErrorCodes.EGRESS_DENIED || error.code === ErrorCodes.PERMISSION_DENIED) {
      sendError(res, 403, 'proxy', error.message);
      return;
    }
    if (error.code === ErrorCodes.INVALID_ARGUMENT) {
      sendError(res, 400, 'proxy', error.message);
      return;
    }
    const status = toHttpStatus(error);
    sendError(res, status >= 500 ? status : 500, 'dfdaemon', error.message);
    return;
  }
  sendError(res, 500, 'dfdaemon', 'internal error');
}
