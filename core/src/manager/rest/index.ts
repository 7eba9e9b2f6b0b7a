/**
 * The manager's REST server: `/api/v1` (console, session JWT + RBAC), `/oapi/v1` (personal access tokens
 * with scopes) and `/healthy`, on `server.rest.addr`. Every route is declared in `routeTable.ts` with its
 * access rule; anything undeclared is refused.
 * @packageDocumentation
 */
import type { FastifyInstance } from 'fastify';

import { InProcessSharedState } from '../../common/sharedState/index.js';
import type { ManagerConfig } from '../../config/roles.js';
import type { DatabaseDriver } from '../../plugin-api/database/DatabaseDriver.js';
import type { SharedStateBackend } from '../../plugin-api/database/SharedStateBackend.js';
import type { Logger } from '../../plugin-api/Logger.js';
import { bootstrapAuth } from '../auth/bootstrapAuth.js';
import type { ManagerMetrics } from '../metrics/ManagerMetrics.js';
import type { Tracing } from '../../common/tracing/Tracing.js';
import { buildRestApp } from './buildRestApp.js';
import { resolveConsoleDir } from './console/consoleDir.js';
import { parseListenAddress } from './listenAddress.js';
import { RATE_LIMITS, type RateLimits } from './rateLimits.js';
import { apiGroups } from './routeTable.js';

export { ROUTES, apiGroups, type RouteDeclaration, type RouteId } from './routeTable.js';
export type { RouteAccess } from './access.js';
export { RATE_LIMITS, type RateLimits } from './rateLimits.js';
export { INSECURE_DEV_JWT_KEY_ENV } from '../auth/jwtKey.js';

/** What {@link startRestServer} needs. The database must be connected and migrated (auth migrations included). */
export interface RestServerDeps {
  readonly db: DatabaseDriver;
  readonly config: ManagerConfig;
  readonly logger: Logger;
  /** Redis-backed shared state when configured; an in-process one is used otherwise. */
  readonly sharedState?: SharedStateBackend | undefined;
  /** Overrides of the attempt limits (tests); default `RATE_LIMITS`. */
  readonly rateLimits?: Partial<RateLimits>;
  /** Environment (JWT dev flag, initial root password); default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The built console to serve at `/`; default `@d7y/console`'s `dist/` when built, `null` for none. */
  readonly consoleDir?: string | null;
  /** The manager's metrics (job creation counters). */
  readonly metrics?: ManagerMetrics;
  /** The manager's tracing (`tracing.*`). */
  readonly tracing?: Tracing;
}

/** A running REST server. */
export interface RestServer {
  /** The bound port (useful with `:0`). */
  readonly port: number;
  /** Stops accepting requests and closes the server. */
  close(): Promise<void>;
}

/**
 * Prepares auth (JWT key, built-in roles, root user) and builds the app without listening. Tests use it
 * to `inject()` requests or to add an undeclared route and see it refused.
 */
export async function createRestApp(deps: RestServerDeps): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const logger = deps.logger.child({ component: 'rest' });
  const groups = apiGroups();
  const auth = await bootstrapAuth({ db: deps.db, config: deps.config, logger, groups, env: deps.env });
  const sharedState = deps.sharedState ?? new InProcessSharedState();
  const app = await buildRestApp({ db: deps.db, config: deps.config, logger, sharedState, auth, groups, rateLimits: { ...RATE_LIMITS, ...deps.rateLimits },
    tls: deps.config.server.rest.tls !== undefined,
    consoleDir: deps.consoleDir === null ? undefined : (deps.consoleDir ?? resolveConsoleDir()),
    metrics: deps.metrics,
    tracing: deps.tracing,
  });
  return {
    app,
    close: async () => {
      await app.close();
      if (deps.sharedState === undefined) await sharedState.close();
    },
  };
}

/**
 * Prepares auth (JWT key, built-in roles, root user) and starts listening on `server.rest.addr`.
 * @throws `D7Y_ERR_INVALID_CONFIG` for a refused JWT key or a bad address; `D7Y_ERR_UNAVAILABLE` when the
 * database cannot be reached; the listen error when the port is taken.
 */
export async function startRestServer(deps: RestServerDeps): Promise<RestServer> {
  const { host, port } = parseListenAddress(deps.config.server.rest.addr);
  const { app, close } = await createRestApp(deps);
  try {
    await app.listen({ host, port });
  } catch (error) {
    await close();
    throw error;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  deps.logger.info({ component: 'rest', host, port: boundPort, tls: deps.config.server.rest.tls !== undefined }, 'REST server listening');
  return { port: boundPort, close };
}
