/**
 * A client of the manager's gRPC service for schedulers and dfdaemons: promise-returning unary calls with a
 * deadline, coded errors (`fromGrpcError`), and KeepAlive streams. The channel reconnects by itself.
 */
import type { ChannelCredentials, ClientWritableStream, ServiceError } from '@grpc/grpc-js';
import { grpcChannelOptions, loadProtos, type managerV2 } from '@d7y/proto';

import { createError, fromGrpcError } from '../../common/errors.js';

/** Deadline of one unary call. */
export const MANAGER_CALL_TIMEOUT_MS = 10_000;

type Callback<T> = (error: ServiceError | null, value?: T) => void;

/** A KeepAlive stream: write messages, end it, and learn how it ended. */
export interface KeepAliveStream {
  /** Sends one keep-alive message. */
  send(message: managerV2.KeepAliveRequest): void;
  /** Ends the stream from this side (the manager then marks the sender inactive). */
  end(): void;
  /** Cancels the stream abruptly, as a crashing process would. */
  cancel(): void;
  /** Settles when the manager answers or the stream breaks (rejects with a coded error). */
  readonly done: Promise<void>;
}

/** Calls the manager at `addr`. */
export class ManagerClient {
  readonly #client: managerV2.ManagerClient;

  constructor(
    readonly addr: string,
    credentials: ChannelCredentials,
    private readonly timeoutMs = MANAGER_CALL_TIMEOUT_MS,
  ) {
    const Manager = loadProtos().manager.v2.Manager;
    this.#client = new Manager(addr, credentials, grpcChannelOptions({ 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 5000 }));
  }

  #unary<Req, Res>(method: (req: Req, options: { deadline: number }, callback: Callback<Res>) => unknown, request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      method.call(this.#client, request, { deadline: Date.now() + this.timeoutMs }, (error, value) => {
        if (error) {
          const coded = fromGrpcError(error);
          reject(createError(coded.code, `manager ${this.addr}: ${coded.message}`, { details: coded.details }));
        } else resolve(value as Res);
      });
    });
  }

  /** Registers or refreshes a scheduler (on start). */
  updateScheduler(request: managerV2.UpdateSchedulerRequest): Promise<managerV2.Scheduler__Output> {
    return this.#unary(this.#client.UpdateScheduler as never, request);
  }

  /** A scheduler's row with its cluster config and seed peers (dynconfig refresh). */
  getScheduler(request: managerV2.GetSchedulerRequest): Promise<managerV2.Scheduler__Output> {
    return this.#unary(this.#client.GetScheduler as never, request);
  }

  /** The schedulers a peer should use. */
  listSchedulers(request: managerV2.ListSchedulersRequest): Promise<managerV2.ListSchedulersResponse__Output> {
    return this.#unary(this.#client.ListSchedulers as never, request);
  }

  /** Every application (priority rules). */
  listApplications(request: managerV2.ListApplicationsRequest): Promise<managerV2.ListApplicationsResponse__Output> {
    return this.#unary(this.#client.ListApplications as never, request);
  }

  /** Registers or refreshes a seed peer. */
  updateSeedPeer(request: managerV2.UpdateSeedPeerRequest): Promise<managerV2.SeedPeer__Output> {
    return this.#unary(this.#client.UpdateSeedPeer as never, request);
  }

  /** A seed peer's row with its cluster and schedulers. */
  getSeedPeer(request: managerV2.GetSeedPeerRequest): Promise<managerV2.SeedPeer__Output> {
    return this.#unary(this.#client.GetSeedPeer as never, request);
  }

  /** Active seed peers. */
  listSeedPeers(request: managerV2.ListSeedPeersRequest): Promise<managerV2.ListSeedPeersResponse__Output> {
    return this.#unary(this.#client.ListSeedPeers as never, request);
  }

  /** Removes a seed peer row. */
  deleteSeedPeer(request: managerV2.DeleteSeedPeerRequest): Promise<void> {
    return this.#unary<managerV2.DeleteSeedPeerRequest, unknown>(this.#client.DeleteSeedPeer as never, request).then(() => undefined);
  }

  /** Opens a KeepAlive stream. */
  keepAlive(): KeepAliveStream {
    let call!: ClientWritableStream<managerV2.KeepAliveRequest>;
    const done = new Promise<void>((resolve, reject) => {
      call = this.#client.KeepAlive((error: ServiceError | null) => {
        if (!error) return resolve();
        const coded = fromGrpcError(error);
        reject(createError(coded.code, `manager ${this.addr}: ${coded.message}`, { details: coded.details }));
      });
    });
    done.catch(() => undefined);
    return {
      send: (message) => {
        if (!call.writableEnded && !call.destroyed) call.write(message);
      },
      end: () => {
        if (!call.writableEnded) call.end();
      },
      cancel: () => call.cancel(),
      done,
    };
  }

  /** Closes the channel. */
  close(): void {
    this.#client.close();
  }
}
