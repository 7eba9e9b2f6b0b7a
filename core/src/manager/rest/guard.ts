/**
 * The access guard: an `onRequest` hook on the whole server that enforces each route's declared access
 * before the body is read. A route without a declared access rule is refused with 403 (default deny), so a
 * route registered outside the route table can never be reached. Unknown paths fall through to the 404
 * handler.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

import { createError, ErrorCodes } from '../../common/errors.js';
import { actionFor, isAllowed } from '../auth/rbac.js';
import type { RouteAccess } from './access.js';
import { bearerToken, sessionToken } from './credentials.js';
import type { RestContext } from './RestContext.js';

const missingCredentials = () => createError(ErrorCodes.UNAUTHENTICATED, 'authentication required');

/** Checks the caller against `access` and sets `request.principal`; throws a coded 401/403 error otherwise. */
export async function enforceAccess(ctx: RestContext, request: FastifyRequest, access: RouteAccess | undefined): Promise<void> {
  if (access === undefined) throw createError(ErrorCodes.PERMISSION_DENIED, 'route is not declared in the route table');
  switch (access.kind) {
    case 'public':
      return;
    case 'peer':
      throw createError(ErrorCodes.UNAUTHENTICATED, 'peer credentials are not accepted on the REST API');
    case 'pat': {
      const token = bearerToken(request);
      if (token === undefined) throw missingCredentials();
      const principal = await ctx.auth.authenticator.authenticatePat(token, access.scope);
      request.principal = principal;
      if (!isAllowed(principal.permissions, access.group, actionFor(request.method))) {
        throw createError(ErrorCodes.PERMISSION_DENIED, `the token's owner may not ${actionFor(request.method) === 'read' ? 'read' : 'change'} ${access.group}`);
      }
      return;
    }
    case 'jwt': {
      const token = sessionToken(request);
      if (token === undefined) throw missingCredentials();
      if (access.rbac === 'refresh') {
        const claims = await ctx.auth.jwt.verifyForRefresh(token);
        request.principal = await ctx.auth.authenticator.userPrincipal(claims.userId, claims.tokenVersion);
        return;
      }
      const principal = await ctx.auth.authenticator.authenticateSession(token);
      request.principal = principal;
      if (access.rbac === 'self') return;
      if (!isAllowed(principal.permissions, access.rbac, actionFor(request.method))) {
        throw createError(ErrorCodes.PERMISSION_DENIED, `your roles do not allow ${request.method} on ${access.rbac}`);
      }
      return;
    }
  }
}

/** The hook: enforces access for every matched route; sets `WWW-Authenticate` on 401s. */
export function accessGuard(ctx: RestContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.is404) return;
    try {
      await enforceAccess(ctx, request, request.routeOptions.config.access);
    } catch (error) {
      if ((error as { code?: string }).code === ErrorCodes.UNAUTHENTICATED) {
        reply.header('WWW-Authenticate', `Bearer realm="${ctx.config.auth.jwt.realm.replace(/["\\]/g, '')}"`);
      }
      throw error;
    }
  };
}
