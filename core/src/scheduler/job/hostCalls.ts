/**
 * The calls a job makes on a host's `DfdaemonUpload` service: a download that must run to its end (preheat)
 * and an eviction (delete_task). One client per address, closed with the worker.
 */
import { credentials as grpcCredentials, type ChannelCredentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { grpcChannelOptions, loadProtos, type commonV2, type dfdaemonV2 } from '@d7y/proto';

import { createError, ErrorCodes } from '../../common/errors.js';
import { TRACEPARENT } from '../../common/tracing/Tracing.js';

/** Where to reach a host. */
export interface HostAddress {
  readonly ip: string;
  readonly port: number;
}

/** Clients of hosts' upload services. */
export class HostCalls {
  readonly #clients = new Map<string, dfdaemonV2.DfdaemonUploadClient>();

  constructor(private readonly credentials: ChannelCredentials = grpcCredentials.createInsecure()) {}

  /**
   * Asks the host to download `download` and resolves when its stream ends; rejects on error, after `timeoutMs`,
   * or when `signal` aborts (the call is cancelled). `traceparent` continues the job's trace on the host.
   */
  download(host: HostAddress, download: commonV2.Download, timeoutMs: number, signal?: AbortSignal, traceparent?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(createError(ErrorCodes.CANCELLED, 'cancelled before it started: the scheduler is stopping'));
      const metadata = new Metadata();
      if (traceparent) metadata.set(TRACEPARENT, traceparent);
      const call = this.#client(host).DownloadTask({ download }, metadata, { deadline: Date.now() + timeoutMs });
      const cancel = () => call.cancel();
      signal?.addEventListener('abort', cancel, { once: true });
      call.on('close', () => signal?.removeEventListener('abort', cancel));
      let answered = false;
      call.on('data', () => {
        answered = true;
      });
      call.on('error', (error: ServiceError) =>
        reject(
          signal?.aborted
            ? createError(ErrorCodes.CANCELLED, 'cancelled: the scheduler stopped before the host finished')
            : createError(ErrorCodes.SOURCE_ERROR, error.details || error.message),
        ),
      );
      call.on('end', () => (answered ? resolve() : reject(createError(ErrorCodes.INTERNAL, 'the host closed the download without a response'))));
    });
  }

  /** Asks the host to evict `taskId`. */
  deleteTask(host: HostAddress, taskId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#client(host).DeleteTask({ taskId }, { deadline: Date.now() + timeoutMs }, (error) =>
        error ? reject(createError(ErrorCodes.SOURCE_ERROR, error.details || error.message)) : resolve(),
      );
    });
  }

  /** Closes every client. */
  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }

  #client(host: HostAddress): dfdaemonV2.DfdaemonUploadClient {
    const address = host.ip.includes(':') ? `[${host.ip}]:${host.port}` : `${host.ip}:${host.port}`;
    let client = this.#clients.get(address);
    if (!client) {
      const Client = loadProtos().dfdaemon.v2.DfdaemonUpload;
      client = new Client(address, this.credentials, grpcChannelOptions());
      this.#clients.set(address, client);
    }
    return client;
  }
}
