/** Every route handler, keyed by route id; the compiler checks that each declared route has one. */
import type { RouteHandler } from '../RestContext.js';
import type { RouteId } from '../routeTable.js';
import { auditHandlers } from './audits.js';
import { clusterHandlers } from './clusters.js';
import { consoleHandlers } from './console.js';
import { controlPlaneHandlers } from './controlPlane.js';
import { healthHandlers } from './health.js';
import { harborHandlers } from './harbor.js';
import { jobHandlers } from './jobs.js';
import { personalAccessTokenHandlers } from './personalAccessTokens.js';
import { roleHandlers } from './roles.js';
import { sessionHandlers } from './session.js';
import { userHandlers } from './users.js';

/** The handler of each route in the route table. */
export const HANDLERS = {
  ...healthHandlers,
  ...sessionHandlers,
  ...userHandlers,
  ...roleHandlers,
  ...personalAccessTokenHandlers,
  ...auditHandlers,
  ...clusterHandlers,
  ...controlPlaneHandlers,
  ...jobHandlers,
  ...harborHandlers,
  ...consoleHandlers,
} satisfies Record<RouteId, RouteHandler>;
