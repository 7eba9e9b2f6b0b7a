import { credentials, Metadata, status as GrpcStatus, type ChannelCredentials, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { grpcChannelOptions, loadProtos, type commonV2, type dfdaemonV2 } from '@d7y/proto';

import { Tracing, TRACEPARENT } from '../../common/tracing/Tracing.js';
import type { EgressPolicy } from '../../plugin-api/EgressPolicy.js';
import type { Logger } from '../../plugin-api/Logger.js';
import type { Host } from '../resource/Host.js';
import type { HostManager } from '../resource/HostManager.js';
import type { Task } from '../resource/Task.js';
import { HashRing } from './HashRing.js';
import { seedDownload } from './seedDownload.js';

/** A seed host that refused connections is skipped for this long. */
const UNHEALTHY_MS = 30_000;
/** Most seed downloads the scheduler keeps open at once; beyond it a trigger counts as failed. */
const MAX_IN_FLIGHT = 10_000;

/** Outcome hooks (metrics). */
export interface SeedPeerHooks {
  onTriggered?(host: Host): void;
  onFailed?(host: Host, error: ServiceError): void;
}

/** What the seed-peer client needs. */
export interface SeedPeerOptions {
  hosts: HostManager;
  logger: Logger;
  egress: EgressPolicy;
  /** `seedPeer.taskDownloadTimeout`, ms. */
  taskDownloadTimeoutMs: number;
  /** Channel credentials for seed hosts (insecure unless `seedPeer.tls` is set). */
  credentials?: ChannelCredentials;
  hooks?: SeedPeerHooks;
  /** OpenTelemetry tracing: one client span per trigger, its context sent to the seed in `traceparent`. */
  tracing?: Tracing;
}

/**
 * Triggers seed peers (Dragonfly's `standard.SeedPeer`): seeds are the announced hosts of type super; one is
 * chosen per task by a consistent hash ring of the task id and asked, over its DfdaemonUpload service, to
 * download the task back-to-source. The call runs in the background and its stream is drained; a failure is
 * remembered on the task so that later registrations fall back to peer back-to-source.
 */
export class SeedPeer {
  readonly #clients = new Map<string, { address: string; client: dfdaemonV2.DfdaemonUploadClient }>();
  readonly #inFlight = new Set<ClientReadableStream<dfdaemonV2.DownloadTaskResponse__Output>>();
  readonly #unhealthyUntil = new Map<string, number>();
  #ring: { key: string; ring: HashRing } | undefined;
  #closed = false;

  constructor(private readonly options: SeedPeerOptions) {}

  /** Downloads in flight (for tests and metrics). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** The seed host that owns `taskId` on the ring, skipping hosts that recently refused connections. */
  select(taskId: string, now = Date.now()): Host | undefined {
    const seeds = this.options.hosts.seeds().filter((host) => this.options.egress.isAddressAllowed(host.info.ip));
    if (seeds.length === 0) return undefined;
    const ids = seeds.map((host) => host.id).sort();
    const key = ids.join('\n');
    if (this.#ring?.key !== key) this.#ring = { key, ring: new HashRing(ids) };
    const healthy = this.#ring.ring.lookup(taskId).filter((id) => (this.#unhealthyUntil.get(id) ?? 0) <= now);
    const id = healthy[0] ?? this.#ring.ring.lookup(taskId)[0];
    return id === undefined ? undefined : this.options.hosts.get(id);
  }

  /**
   * Asks the seed host chosen for `task` to download it back-to-source. Returns false (nothing started) when
   * there is no usable seed host; otherwise the download runs in the background.
   */
  trigger(task: Task, download: commonV2.Download__Output, traceparent?: string): boolean {
    if (this.#closed) return false;
    const host = this.select(task.id);
    if (!host) return false;
    const { logger, hooks } = this.options;
    if (this.#inFlight.size >= MAX_IN_FLIGHT) {
      task.seedPeerFailedAt = Date.now();
      logger.warn({ taskId: task.id }, 'too many seed downloads in flight; not triggering a seed peer');
      return false;
    }
    const span = (this.options.tracing ?? Tracing.off()).startSpan('scheduler.TriggerSeedPeer', traceparent, { 'd7y.task_id': task.id, 'd7y.seed_host_id': host.id }, 'client');
    const metadata = new Metadata();
    if (span.traceparent) metadata.set(TRACEPARENT, span.traceparent);
    const call = this.#client(host).DownloadTask(
      { download: seedDownload(download) },
      metadata,
      { deadline: Date.now() + this.options.taskDownloadTimeoutMs },
    );
    call.on('end', () => span.end());
    call.on('error', (error: ServiceError) => span.end(error));
    this.#inFlight.add(call);
    task.seedPeerTriggeredAt = Date.now();
    hooks?.onTriggered?.(host);
    logger.info({ taskId: task.id, seedHostId: host.id }, 'seed peer triggered');
    call.on('data', () => {
      host.touch();
    });
    call.on('end', () => this.#inFlight.delete(call));
    call.on('error', (error: ServiceError) => {
      this.#inFlight.delete(call);
      if (this.#closed && error.code === GrpcStatus.CANCELLED) return;
      task.seedPeerFailedAt = Date.now();
      if (error.code === GrpcStatus.UNAVAILABLE) this.#unhealthyUntil.set(host.id, Date.now() + UNHEALTHY_MS);
      hooks?.onFailed?.(host, error);
      logger.warn({ taskId: task.id, seedHostId: host.id, code: error.code, details: error.details }, 'seed peer download failed');
    });
    return true;
  }

  /** Closes the client of a host that went away. */
  forget(hostId: string): void {
    this.#clients.get(hostId)?.client.close();
    this.#clients.delete(hostId);
    this.#unhealthyUntil.delete(hostId);
  }

  /** Cancels every download in flight and closes all clients. */
  close(): void {
    this.#closed = true;
    for (const call of this.#inFlight) call.cancel();
    this.#inFlight.clear();
    for (const { client } of this.#clients.values()) client.close();
    this.#clients.clear();
  }

  #client(host: Host): dfdaemonV2.DfdaemonUploadClient {
    const address = hostPort(host.info.ip, host.info.port);
    const known = this.#clients.get(host.id);
    if (known?.address === address) return known.client;
    known?.client.close();
    const Client = loadProtos().dfdaemon.v2.DfdaemonUpload;
    const client = new Client(address, this.options.credentials ?? credentials.createInsecure(), grpcChannelOptions());
    this.#clients.set(host.id, { address, client });
    return client;
  }
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
