/**
 * Keeps peers' scheduler lists fresh: an `onSend` hook that, after every successful mutating call on a route
 * group that decides which schedulers a peer is given (clusters and their scopes or default flag, scheduler
 * clusters, schedulers), invalidates the cached ListSchedulers answers of every manager replica. Without it a
 * changed scope would reach peers only when the cache expires (minutes). It runs before the answer is sent, so
 * a client that changes a cluster and then asks for scheduler lists sees the change.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

import { invalidateSchedulerLists } from '../rpc/SchedulerListCache.js';
import type { RouteAccess } from './access.js';
import type { RestContext } from './RestContext.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** API groups whose changes alter ListSchedulers answers. */
export const SCHEDULER_LIST_GROUPS: ReadonlySet<string> = new Set(['clusters', 'scheduler-clusters', 'schedulers']);

/** The API group a route's access rule names, if any. */
function groupOf(access: RouteAccess | undefined): string | undefined {
  if (access === undefined) return undefined;
  if (access.kind === 'jwt') return access.rbac;
  if (access.kind === 'pat') return access.group;
  return undefined;
}

/** True when a response to this request must invalidate cached scheduler lists. */
export function invalidatesSchedulerLists(method: string, statusCode: number, access: RouteAccess | undefined): boolean {
  const group = groupOf(access);
  return MUTATING.has(method) && statusCode < 400 && group !== undefined && SCHEDULER_LIST_GROUPS.has(group);
}

/** The hook. A failure is logged and does not change the answer: the cache then expires on its own. */
export function schedulerListHook(ctx: RestContext) {
  return async <T>(request: FastifyRequest, reply: FastifyReply, payload: T): Promise<T> => {
    const access = (request.routeOptions.config as { access?: RouteAccess } | undefined)?.access;
    if (!invalidatesSchedulerLists(request.method, reply.statusCode, access)) return payload;
    try {
      await invalidateSchedulerLists(ctx.sharedState);
    } catch (error) {
      ctx.logger.warn({ path: request.url.split('?', 1)[0], code: (error as { code?: string }).code }, 'could not invalidate cached scheduler lists');
    }
    return payload;
  };
}
