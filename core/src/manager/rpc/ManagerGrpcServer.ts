/** Binds the `manager.v2.Manager` gRPC service on the first free port of `server.grpc.port`. */
import { Server, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { grpcServerOptions, loadProtos } from '@d7y/proto';

import { createError, ErrorCodes } from '../../common/errors.js';
import { HealthService } from '../../common/health/HealthService.js';
import { serverCredentials } from '../../scheduler/tlsCredentials.js';
import { managerHandlers, type ManagerHandlerOptions } from './handlers.js';
import type { RpcContext } from './RpcContext.js';

/** Where to bind. */
export interface GrpcBindOptions extends ManagerHandlerOptions {
  readonly listenIP: string;
  readonly portRange: { readonly start: number; readonly end: number };
  readonly tls?: { readonly caCert: string; readonly cert: string; readonly key: string };
  /** grpc.health.v1 statuses served beside the Manager service (a fresh one when omitted). */
  readonly health?: HealthService;
  /** More services on the same port (the jobs service). */
  readonly extraServices?: ReadonlyArray<{ readonly definition: ServiceDefinition; readonly handlers: UntypedServiceImplementation }>;
}

/** A bound gRPC server. */
export interface BoundGrpcServer {
  readonly port: number;
  /** Stops accepting calls and waits up to `graceMs` for running ones. */
  close(graceMs?: number): Promise<void>;
}

function bind(server: Server, address: string, options: GrpcBindOptions): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(address, serverCredentials(options.tls), (error, port) => (error ? reject(error) : resolve(port))));
}

/** Starts the manager gRPC server; `D7Y_ERR_UNAVAILABLE` when no port of the range is free. */
export async function startManagerGrpcServer(ctx: RpcContext, options: GrpcBindOptions): Promise<BoundGrpcServer> {
  const server = new Server(grpcServerOptions());
  server.addService(loadProtos().manager.v2.Manager.service, managerHandlers(ctx, options));
  for (const extra of options.extraServices ?? []) server.addService(extra.definition, extra.handlers);
  const health = options.health ?? new HealthService(['manager.v2.Manager']);
  health.addTo(server);
  const host = options.listenIP.includes(':') ? `[${options.listenIP}]` : options.listenIP;
  const { start, end } = options.portRange;
  let lastError: unknown;
  for (let port = start; port <= Math.max(start, end); port++) {
    try {
      const bound = await bind(server, `${host}:${port}`, options);
      return {
        port: bound,
        close: (graceMs = 5000) =>
          new Promise<void>((resolve) => {
            health.setNotServing();
            health.endWatches();
            const timer = setTimeout(() => {
              server.forceShutdown();
              resolve();
            }, graceMs);
            timer.unref();
            server.tryShutdown(() => {
              clearTimeout(timer);
              resolve();
            });
          }),
      };
    } catch (error) {
      lastError = error;
    }
  }
  server.forceShutdown();
  throw createError(ErrorCodes.UNAVAILABLE, `manager gRPC: no free port in ${start}-${end} on ${options.listenIP}`, { cause: lastError });
}
