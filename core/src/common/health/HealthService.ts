/**
 * The standard gRPC health checking service (`grpc.health.v1.Health`, Check and Watch) for every d7y gRPC
 * server. The empty service name stands for the server as a whole; each role also registers its own
 * service names (`scheduler.v2.Scheduler`, ...). On shutdown every status turns NOT_SERVING first, so load
 * balancers and peers stop sending new work before the server stops accepting it.
 */
import { type Server, type ServerWritableStream, status as GrpcStatus } from '@grpc/grpc-js';
import { loadProtos, type healthV1 } from '@d7y/proto';

/** A status of one service, as the protocol names it. */
export type ServingStatus = 'SERVING' | 'NOT_SERVING';

type WatchCall = ServerWritableStream<healthV1.HealthCheckRequest__Output, healthV1.HealthCheckResponse>;

/** Health statuses of the services of one gRPC server. */
export class HealthService {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #watchers = new Map<string, Set<WatchCall>>();

  /** Starts with the whole server (`''`) and each of `services` SERVING. */
  constructor(services: readonly string[] = []) {
    for (const service of ['', ...services]) this.#statuses.set(service, 'SERVING');
  }

  /** The status of a service, or undefined when the name is not known. */
  status(service = ''): ServingStatus | undefined {
    return this.#statuses.get(service);
  }

  /** Sets the status of a service and tells its watchers when it changed. */
  setStatus(service: string, status: ServingStatus): void {
    if (this.#statuses.get(service) === status) return;
    this.#statuses.set(service, status);
    for (const call of this.#watchers.get(service) ?? []) call.write({ status });
  }

  /** Marks every service NOT_SERVING (the first step of a graceful shutdown). */
  setNotServing(): void {
    for (const service of [...this.#statuses.keys()]) this.setStatus(service, 'NOT_SERVING');
  }

  /** Ends every Watch stream (the last step, so `tryShutdown` does not wait for them). */
  endWatches(): void {
    for (const calls of this.#watchers.values()) for (const call of calls) call.end();
    this.#watchers.clear();
  }

  /** Adds `grpc.health.v1.Health` to a server. */
  addTo(server: Server): void {
    server.addService(loadProtos().grpc.health.v1.Health.service, this.handlers());
  }

  /** The service implementation. */
  handlers(): healthV1.HealthHandlers {
    return {
      Check: (call, callback) => {
        const status = this.status(call.request.service);
        if (status === undefined) callback({ code: GrpcStatus.NOT_FOUND, details: `unknown service ${JSON.stringify(call.request.service)}` });
        else callback(null, { status });
      },
      Watch: (call) => {
        const service = call.request.service;
        call.write({ status: this.status(service) ?? 'SERVICE_UNKNOWN' });
        let set = this.#watchers.get(service);
        if (!set) this.#watchers.set(service, (set = new Set()));
        set.add(call);
        call.on('cancelled', () => set.delete(call));
        call.on('close', () => set.delete(call));
      },
    };
  }
}
