/**
 * Audit trail: an `onResponse` hook that appends one `audits` row for every mutating call (POST, PUT, PATCH,
 * DELETE) on a declared route, refused ones included, and for every open-API (`/oapi`) call; requests to
 * unknown paths are not recorded, so they cannot flood the table. Rows name the actor (user name, PAT
 * name, or the existing account named at sign-in), the method, the path without its query string, the status and
 * SUCCESS/FAILURE; request bodies, tokens and passwords are never stored. A failing write is logged and
 * does not affect the response, which has already been sent.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { AuditActorType } from '../auth/AuditRepository.js';
import type { RestContext } from './RestContext.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_PATH = 1024;
const MAX_ACTOR = 255;

/** True when a request is audited. */
export function isAudited(method: string, path: string): boolean {
  return MUTATING.has(method) || path.startsWith('/oapi/');
}

/** The hook. */
export function auditHook(ctx: RestContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const path = request.url.split('?', 1)[0].slice(0, MAX_PATH);
    if (request.is404 || !isAudited(request.method, path)) return;
    const principal = request.principal;
    const actorType: AuditActorType = principal?.type ?? 'UNKNOWN';
    const actorName = (principal?.name ?? request.auditActorName ?? '').slice(0, MAX_ACTOR);
    try {
      await ctx.auth.audits.insert({
        actor_type: actorType,
        actor_name: actorName,
        operation: request.method,
        state: reply.statusCode < 400 ? 'SUCCESS' : 'FAILURE',
        path,
        status_code: reply.statusCode,
        ip: request.ip.slice(0, 64),
      });
    } catch (error) {
      ctx.logger.warn({ path, method: request.method, code: (error as { code?: string }).code }, 'could not write the audit row');
    }
  };
}
