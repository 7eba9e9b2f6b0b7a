/** What route handlers work with. */
import type { FastifyReply, FastifyRequest } from 'fastify';

import type {} from './fastifyTypes.js';

import type { ManagerConfig } from '../../config/roles.js';
import type { DatabaseDriver } from '../../plugin-api/database/DatabaseDriver.js';
import type { SharedStateBackend } from '../../plugin-api/database/SharedStateBackend.js';
import type { Logger } from '../../plugin-api/Logger.js';
import type { AuthServices } from '../auth/bootstrapAuth.js';
import type { Tracing } from '../../common/tracing/Tracing.js';
import type { ManagerMetrics } from '../metrics/ManagerMetrics.js';
import type { RateLimits } from './rateLimits.js';

/** Shared services of the REST server. */
export interface RestContext {
  readonly db: DatabaseDriver;
  readonly config: ManagerConfig;
  readonly logger: Logger;
  readonly sharedState: SharedStateBackend;
  readonly auth: AuthServices;
  /** API groups RBAC knows (from the route table). */
  readonly groups: readonly string[];
  /** Limits on sign-in, sign-up and password reset attempts. */
  readonly rateLimits: RateLimits;
  /** True when the server runs HTTPS (cookies get `Secure`). */
  readonly tls: boolean;
  /** The built web console served at `/` (`@d7y/console`'s `dist/`); undefined when it is not built. */
  readonly consoleDir?: string | undefined;
  /** The manager's metrics (job creation counters); absent in tests that build the app alone. */
  readonly metrics?: ManagerMetrics;
  /** The manager's tracing (`tracing.*`); off when absent. */
  readonly tracing?: Tracing;
}

/** A route handler: returns the JSON body (or sends the reply itself). */
export type RouteHandler = (ctx: RestContext, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
