/** What the manager's REST server adds to Fastify's request and route config types. */
import type {} from '@fastify/cookie';

import type { TraceSpan } from '../../common/tracing/Tracing.js';
import type { Principal } from '../auth/Principal.js';
import type { RouteAccess } from './access.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the guard once the caller is authenticated. */
    principal: Principal | undefined;
    /** Name recorded in the audit row when no principal exists (e.g. the name in a sign-in attempt). */
    auditActorName: string | undefined;
    /** The request's span (`tracing.*`); a no-op span when tracing is off. */
    span: TraceSpan | undefined;
  }
  interface FastifyContextConfig {
    /** The route's access rule from the route table; routes without one are refused. */
    access?: RouteAccess;
    /** The route's id in the route table. */
    routeId?: string;
  }
}

export {};
