/**
 * `/api/v1/jobs` and `/oapi/v1/jobs` are declared (so that access rules, RBAC and audits already cover them)
 * but not implemented yet: they answer 501 after authentication and authorisation.
 */
import type { RouteHandler } from '../RestContext.js';

const notImplemented: RouteHandler = async (_ctx, _request, reply) =>
  reply.code(501).send({ code: 'D7Y_ERR_PLUGIN_UNAVAILABLE', message: 'jobs (preheat, sync peers, gc) are not implemented in this release' });

const ids = ['create', 'destroy', 'update', 'get', 'list'] as const;

/** Handlers of the job routes. */
export const jobHandlers = Object.fromEntries([...ids.map((id) => [`jobs.${id}`, notImplemented]), ...ids.map((id) => [`oapi.jobs.${id}`, notImplemented])]) as Record<
  `${'jobs' | 'oapi.jobs'}.${(typeof ids)[number]}`,
  RouteHandler
>;
