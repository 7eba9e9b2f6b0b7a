/**
 * Translation of origin answers and transport failures into coded d7y errors, at the plugin edge.
 * Messages name the method and the redacted URL; `details` never carries cookies or credentials.
 */
import { STATUS_CODES } from 'node:http';

import { createError, ErrorCodes, isD7yError, type D7yError, type ErrorCode } from '@d7y/core/plugin-api';

import { redactUrl } from './redact.js';

/** Raw response headers as undici returns them. */
export type RawHeaders = Record<string, string | string[] | undefined>;

/** Response headers that are never copied into results or error details. */
const PRIVATE_RESPONSE_HEADERS = new Set(['set-cookie', 'set-cookie2']);

/** Lower-case, single-valued copy of response headers without `set-cookie`. */
export function publicHeaders(headers: RawHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (value === undefined || PRIVATE_RESPONSE_HEADERS.has(key)) continue;
    out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The request being made, for messages. */
export interface Attempt {
  method: string;
  url: URL;
}

const describe = (attempt: Attempt) => `${attempt.method} ${redactUrl(attempt.url)}`;

function codeForStatus(status: number): ErrorCode {
  if (status === 404 || status === 410) return ErrorCodes.NOT_FOUND;
  if (status === 401) return ErrorCodes.UNAUTHENTICATED;
  if (status === 403) return ErrorCodes.PERMISSION_DENIED;
  return ErrorCodes.SOURCE_ERROR;
}

/**
 * The error for an origin error status: `D7Y_ERR_NOT_FOUND` (404, 410), `D7Y_ERR_UNAUTHENTICATED` (401),
 * `D7Y_ERR_PERMISSION_DENIED` (403), otherwise `D7Y_ERR_SOURCE_ERROR`; details carry the status and headers.
 */
export function statusError(attempt: Attempt, statusCode: number, statusText: string | undefined, headers: RawHeaders): D7yError {
  const text = statusText || STATUS_CODES[statusCode] || '';
  return createError(codeForStatus(statusCode), `origin answered ${statusCode}${text ? ` ${text}` : ''} for ${describe(attempt)}`, {
    details: { statusCode, headers: publicHeaders(headers), url: redactUrl(attempt.url) },
  });
}

/**
 * A protocol violation by the origin (ignored range, bad redirect, body of the wrong size). Transient unless a
 * status code is given: core retries `D7Y_ERR_SOURCE_ERROR` without `statusCode`, or with a 5xx one.
 */
export function protocolError(attempt: Attempt, problem: string, extra: { statusCode?: number; headers?: RawHeaders; cause?: unknown } = {}): D7yError {
  const details: Record<string, unknown> = { url: redactUrl(attempt.url) };
  if (extra.statusCode !== undefined) details.statusCode = extra.statusCode;
  if (extra.headers !== undefined) details.headers = publicHeaders(extra.headers);
  return createError(ErrorCodes.SOURCE_ERROR, `${problem} for ${describe(attempt)}`, { details, cause: extra.cause });
}

/** A redirect refused by policy (unsupported scheme, https to http downgrade). */
export function redirectDenied(attempt: Attempt, problem: string, statusCode: number): D7yError {
  return createError(ErrorCodes.EGRESS_DENIED, `${problem} (redirect from ${describe(attempt)})`, {
    details: { statusCode, url: redactUrl(attempt.url) },
  });
}

const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** Node TLS verification failure codes (`tls.TLSSocket` authorizationError values). */
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/;

/** Connection-level failures worth a retry on another connection. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED',
]);

/** True for a dropped or reset connection, the case of a stale pooled keep-alive socket. */
export function isConnectionReset(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

/** Where in the exchange a transport failure happened, for the message and the code. */
export interface FailureContext {
  attempt: Attempt;
  /** Milliseconds the timeout allowed, for timeout messages. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Body bytes received so far, when the failure happened while streaming the body. */
  received?: number;
  /** Body bytes expected, or -1. */
  expected?: number;
}

/**
 * Maps a failure from undici or a socket to a coded error: d7y errors (egress denials from the lookup hook)
 * pass through; aborts are `D7Y_ERR_CANCELLED`; header, body and connect timeouts are `D7Y_ERR_TIMEOUT`; TLS
 * verification failures and broken bodies are `D7Y_ERR_SOURCE_ERROR`; refused or reset connections are
 * `D7Y_ERR_UNAVAILABLE`.
 */
export function transportError(error: unknown, ctx: FailureContext): D7yError {
  const where = describe(ctx.attempt);
  const inBody = ctx.received !== undefined;
  const progress = inBody ? ` (got ${ctx.received}${ctx.expected !== undefined && ctx.expected >= 0 ? ` of ${ctx.expected}` : ''} bytes)` : '';
  if (ctx.signal?.aborted) {
    return createError(ErrorCodes.CANCELLED, `request cancelled${progress} for ${where}`, { cause: ctx.signal.reason ?? error });
  }
  if (isD7yError(error)) return error;
  const code = errorCode(error);
  const message = (error as Error | null)?.message ?? String(error);
  const details: Record<string, unknown> = { url: redactUrl(ctx.attempt.url) };
  if (code !== undefined) details.cause = code;
  if (inBody) details.received = ctx.received;
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
      return createError(ErrorCodes.TIMEOUT, `origin did not answer within ${ctx.timeoutMs}ms for ${where}`, { details, cause: error });
    case 'UND_ERR_BODY_TIMEOUT':
      return createError(ErrorCodes.TIMEOUT, `origin sent no data for ${ctx.timeoutMs}ms${progress} for ${where}`, { details, cause: error });
    case 'UND_ERR_CONNECT_TIMEOUT':
      return createError(ErrorCodes.TIMEOUT, `connecting timed out for ${where}`, { details, cause: error });
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return createError(ErrorCodes.CANCELLED, `request cancelled${progress} for ${where}`, { details, cause: error });
    case 'UND_ERR_INVALID_ARG':
      return createError(ErrorCodes.INVALID_ARGUMENT, `invalid request for ${where}: ${message}`, { details, cause: error });
    case 'UND_ERR_HEADERS_OVERFLOW':
      return createError(ErrorCodes.SOURCE_ERROR, `origin sent oversized response headers for ${where}`, { details, cause: error });
  }
  if (code !== undefined && TLS_CODES.test(code)) {
    return createError(ErrorCodes.SOURCE_ERROR, `TLS verification failed for ${where}: ${message} (${code}); trust the origin's CA with tls.caCert`, {
      details,
      cause: error,
    });
  }
  if (inBody) {
    const expected = ctx.expected !== undefined && ctx.expected >= 0 ? ` of ${ctx.expected}` : '';
    return createError(ErrorCodes.SOURCE_ERROR, `body truncated: got ${ctx.received}${expected} bytes for ${where}: ${message}`, { details, cause: error });
  }
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
    return createError(ErrorCodes.UNAVAILABLE, `cannot reach origin for ${where}: ${message}`, { details, cause: error });
  }
  return createError(ErrorCodes.SOURCE_ERROR, `request failed for ${where}: ${message}`, { details, cause: error });
}
