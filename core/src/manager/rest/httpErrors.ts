/**
 * Errors at the HTTP edge. Every error answer is JSON `{code, message}` (plus `field` for 422); coded errors
 * map to a status, validation errors are 422, Fastify's own client errors keep their 4xx, and anything
 * unexpected is a 500 "internal error". No stack trace, SQL, host name or secret ever reaches a response:
 * an unavailable database or Redis becomes a generic 503 with `Retry-After`, and details go to the log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { ErrorCodes, isD7yError, toHttpStatus, type ErrorCode } from '../../common/errors.js';
import type { Logger } from '../../plugin-api/Logger.js';

/** Body of every error response. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly field?: string;
}

/** Message of a 503; the real cause is only logged. */
export const UNAVAILABLE_MESSAGE = 'a backend service (database or cache) is unavailable; try again later';

/** Status and body for an error. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (isD7yError(error)) {
    if (error.code === ErrorCodes.INVALID_ARGUMENT) {
      const field = typeof error.details.field === 'string' ? error.details.field : undefined;
      return { status: 422, body: { code: error.code, message: error.message, ...(field === undefined ? {} : { field }) } };
    }
    const status = toHttpStatus(error);
    if (status === 503) return { status, body: { code: ErrorCodes.UNAVAILABLE, message: UNAVAILABLE_MESSAGE } };
    if (status >= 500) return { status: 500, body: { code: ErrorCodes.INTERNAL, message: 'internal error' } };
    return { status, body: { code: error.code, message: error.message } };
  }
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && typeof fastifyError.code === 'string' && fastifyError.code.startsWith('FST_')) {
    const code: ErrorCode = status === 413 ? ErrorCodes.RESOURCE_EXHAUSTED : ErrorCodes.INVALID_ARGUMENT;
    return { status, body: { code, message: fastifyError.message ?? 'bad request' } };
  }
  return { status: 500, body: { code: ErrorCodes.INTERNAL, message: 'internal error' } };
}

/** Sends the JSON error answer for `error`, logging server-side failures. */
export function sendError(logger: Logger, request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const { status, body } = errorResponse(error);
  if (status >= 500) {
    const cause = isD7yError(error) ? { code: error.code, message: error.message } : { message: (error as Error)?.message, stack: (error as Error)?.stack };
    logger.error({ method: request.method, route: request.routeOptions.url, status, ...cause }, 'request failed');
  }
  if (status === 503) reply.header('Retry-After', '5');
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
