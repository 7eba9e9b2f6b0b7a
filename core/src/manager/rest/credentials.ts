/**
 * Where credentials are read from. Session JWTs: `Authorization: Bearer <token>`, else cookie `jwt` (as
 * gin-jwt in Dragonfly). PATs: `Authorization: Bearer <token>` only. Tokens in the query string
 * (`?token=`, `?access_token=`) are never read, because URLs end up in logs and browser history.
 */
import type { FastifyRequest } from 'fastify';
import './fastifyTypes.js';

import { createError, ErrorCodes } from '../../common/errors.js';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'jwt';

/**
 * The bearer token of the `Authorization` header; undefined when the header is absent.
 * @throws `D7Y_ERR_UNAUTHENTICATED` for a header that is present but not `Bearer <token>`.
 */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  if (!match) throw createError(ErrorCodes.UNAUTHENTICATED, 'Authorization header must be "Bearer <token>"');
  return match[1];
}

/** The session token from the header or the cookie; undefined when neither is present. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const fromHeader = bearerToken(request);
  if (fromHeader !== undefined) return fromHeader;
  const cookie = (request as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies?.[SESSION_COOKIE];
  return cookie === undefined || cookie === '' ? undefined : cookie;
}
