import { readFile } from 'node:fs/promises';
import type { Server as HttpServer } from 'node:http';
import { join } from 'node:path';

import { credentials, Server, ServerCredentials } from '@grpc/grpc-js';
import { GRPC_LOCAL_MAX_MESSAGE_BYTES, grpcServerOptions, loadProtos } from '@d7y/proto';

import type { DfdaemonConfig } from '../config/index.js';
import { createEgressPolicy } from '../common/egress/EgressPolicyImpl.js';
import { createError, ErrorCodes } from '../common/errors.js';
import { HealthService } from '../common/health/HealthService.js';
import { Tracing } from '../common/tracing/Tracing.js';
import { hostId as makeHostId } from '../common/ids.js';
import { ByteRateLimiter } from '../common/rateLimit.js';
import { RequestGate } from '../common/RequestGate.js';
import type { PluginRegistry } from '../kernel/index.js';
import type { Logger, SourceClient, StorageEngine } from '../plugin-api/index.js';
import { GarbageCollector } from './gc/GarbageCollector.js';
import { detectHostIp, dialableIp } from './hostAddress.js';
import { healthResponder, metricsResponder, serveEndpoint } from './httpEndpoints.js';
import { DfdaemonMetrics } from './metrics.js';
import { meteredSource } from './meteredSource.js';
import { withDefaultHeaders } from './sourceHeaders.js';
import { coreVersion } from './version.js';
import { downloadServiceHandlers } from './rpc/downloadService.js';
import { gateService } from './rpc/grpcCalls.js';
import { uploadServiceHandlers } from './rpc/uploadService.js';
import { TaskEngine } from './task/TaskEngine.js';
import { prepareSocketPath, restrictSocket } from './unixSocket.js';
import { PieceServer } from './upload/PieceServer.js';
import { ProxyServer } from './proxy/ProxyServer.js';
import { DEFAULT_SEED_PEER_KEEPALIVE_MS, DfdaemonDynconfig } from './dynconfig/DfdaemonDynconfig.js';
import { SchedulerPool } from './p2p/SchedulerPool.js';
import { channelCredentials } from '../scheduler/tlsCredentials.js';
import { hostMessage } from './p2p/hostMessage.js';

/** After aborting the downloads left at the end of the grace period, how long their callers get to receive the error. */
const ERROR_DELIVERY_MS = 1000;

/** Unfinished tasks untouched this long are abandoned by GC (Dragonfly's download task timeout). */
const UNFINISHED_TASK_TTL_MS = 24 * 60 * 60 * 1000;

/** Where a running dfdaemon listens. */
export interface DfdaemonEndpoints {
  socketPath: string;
  uploadPort: number;
  piecePort: number;
  healthPort: number;
  metricsPort: number;
  proxyPort: number;
}

export { coreVersion } from './version.js';

/**
 * The peer daemon: local download API on a Unix socket, piece serving to other peers, storage, GC, health and
 * metrics. A seed peer is the same daemon with `seedPeer.enable: true`.
 */
export class Dfdaemon {
  readonly hostIp: string;
  readonly hostId: string;
  readonly metrics: DfdaemonMetrics;
  private readonly storage: StorageEngine;
  private engine!: TaskEngine;
  private pieceServer!: PieceServer;
  private gc!: GarbageCollector;
  private proxy: ProxyServer | undefined;
  private readonly grpcServers: Server[] = [];
  private readonly httpServers: HttpServer[] = [];
  private stopped = false;
  private pool: SchedulerPool | undefined;
  private dynconfig: DfdaemonDynconfig | undefined;
  private ports = { upload: 0, piece: 0 };
  /** grpc.health.v1 statuses of the upload and download servers; NOT_SERVING from the first moment of `stop()`. */
  readonly health = new HealthService(['dfdaemon.v2.DfdaemonUpload', 'dfdaemon.v2.DfdaemonDownload']);
  /** OpenTelemetry tracing (`tracing.*`; off unless protocol and endpoint are set). */
  readonly tracing: Tracing;

  constructor(
    private readonly config: DfdaemonConfig,
    private readonly registry: PluginRegistry,
    private readonly logger: Logger,
  ) {
    this.hostIp = config.host.ip ?? detectHostIp(config.network.enableIPv6);
    this.hostId = makeHostId(this.hostIp, config.host.hostname, config.seedPeer.enable);
    this.metrics = new DfdaemonMetrics(coreVersion());
    this.tracing = Tracing.create(config.tracing, config.seedPeer.enable ? 'dragonfly-seed-client' : 'dragonfly-client');
    this.storage = registry.storage('disk');
  }

  /** The task engine (for embedding and tests). */
  get tasks(): TaskEngine {
    return this.engine;
  }

  /** Opens storage and starts every server; resolves with the bound endpoints. */
  async start(): Promise<DfdaemonEndpoints> {
    const { config, logger } = this;
    await this.storage.open();
    const schedulers = config.scheduler.netAddrs ?? [];
    // With a manager the pool starts from scheduler.netAddrs (possibly empty) and dynconfig fills it.
    if (schedulers.length > 0 || config.manager.addr) {
      this.pool = new SchedulerPool(
        schedulers,
        () => {
          const host = hostMessage(config, { id: this.hostId, ip: this.hostIp, uploadPort: this.ports.upload, piecePort: this.ports.piece });
          // With a manager, announce the cluster whose schedulers this daemon was given.
          return this.dynconfig?.clusterId ? { ...host, schedulerClusterId: this.dynconfig.clusterId } : host;
        },
        config.scheduler.announceInterval,
        logger.child({ component: 'scheduler-pool' }),
      );
    }
    const downloadLimiter = new ByteRateLimiter(config.download.bandwidthLimit);
    this.engine = new TaskEngine({
      storage: this.storage,
      sourceFor: (url) => this.sourceFor(url),
      logger: logger.child({ component: 'task' }),
      downloadLimiter,
      backToSourceLimiter: new ByteRateLimiter(config.download.backToSourceBandwidthLimit, downloadLimiter),
      prefetchLimiter: new ByteRateLimiter(config.proxy.prefetchBandwidthLimit),
      concurrentPieceCount: config.download.concurrentPieceCount,
      hostIp: this.hostIp,
      hostname: config.host.hostname,
      seed: config.seedPeer.enable,
      maxSourceAttempts: config.backend.maxRetries + 1,
      sourceTimeoutMs: config.download.pieceTimeout,
      blockList: () => this.dynconfig?.blockList,
      onBlocked: (request) =>
        this.metrics.downloadTaskBlockedTotal.inc({ type: 'standard', tag: request.tag ?? '', app: request.application ?? '', priority: String(request.priority ?? 6) }),
      p2p: this.pool && {
        pool: this.pool,
        hostId: this.hostId,
        pieceTimeoutMs: config.download.pieceTimeout,
        scheduleTimeoutMs: config.scheduler.scheduleTimeout,
        collectedPieceTimeoutMs: config.download.collectedPieceTimeout,
        maxScheduleCount: config.scheduler.maxScheduleCount,
        enableBackToSource: config.scheduler.enableBackToSource,
      },
    });

    this.pieceServer = new PieceServer({
      storage: this.storage,
      logger: logger.child({ component: 'piece-server' }),
      ip: config.storage.server.ip,
      port: config.storage.server.tcpPort,
      rateLimit: config.upload.bandwidthLimit,
      concurrencyLimit: config.seedPeer.enable ? 2000 : 200,
      disableShared: config.upload.disableShared,
      onUploaded: (bytes) => this.metrics.uploadTraffic.labels('standard').inc(bytes),
    });
    const piecePort = await this.pieceServer.listen();

    const protos = loadProtos();
    const socketPath = config.download.server.socketPath;
    await prepareSocketPath(socketPath);
    // Piece content (need_piece_content) goes out on this socket only: up to one 64 MiB piece per message.
    const local = new Server(grpcServerOptions({ 'grpc.max_send_message_length': GRPC_LOCAL_MAX_MESSAGE_BYTES }));
    const { requestRateLimit: downloadRate, requestBufferSize: downloadBuffer } = config.download.server;
    local.addService(
      protos.dfdaemon.v2.DfdaemonDownload.service,
      gateService(
        'DfdaemonDownload',
        downloadServiceHandlers({ ...this.deps(), sourceFor: (url) => this.sourceFor(url) }),
        new RequestGate(downloadRate, downloadBuffer),
        logger,
      ),
    );
    this.health.addTo(local);
    await bind(local, `unix://${socketPath}`);
    await restrictSocket(socketPath);
    this.grpcServers.push(local);

    const upload = new Server(grpcServerOptions());
    upload.addService(
      protos.dfdaemon.v2.DfdaemonUpload.service,
      gateService(
        'DfdaemonUpload',
        uploadServiceHandlers({
          ...this.deps(),
          pieceServer: { ip: dialableIp(config.storage.server.ip, this.hostIp), port: piecePort },
          disableShared: config.upload.disableShared,
        }),
        new RequestGate(config.upload.server.requestRateLimit, config.upload.server.requestBufferSize),
        logger,
      ),
    );
    this.health.addTo(upload);
    const uploadPort = await bind(upload, `${hostPort(config.upload.server.ip, config.upload.server.port)}`);
    this.grpcServers.push(upload);

    // The proxy listens before /healthy answers, so that healthy means every server is up.
    const registryCa = config.proxy.registryMirror.cert;
    this.proxy = new ProxyServer(
      {
        config: config.proxy,
        engine: this.engine,
        storage: this.storage,
        egress: createEgressPolicy(config.egress),
        logger: logger.child({ component: 'proxy' }),
        hostIp: this.hostIp,
        caDir: join(config.server.cacheDir, 'proxy-ca'),
        metrics: this.metrics,
      },
      registryCa === undefined ? undefined : await readConfiguredFile(registryCa, 'proxy.registryMirror.cert'),
    );
    const proxyPort = await this.proxy.listen();

    const health = await serveEndpoint(config.health.server.ip, config.health.server.port, '/healthy', healthResponder(() => !this.stopped));
    const metrics = await serveEndpoint(config.metrics.server.ip, config.metrics.server.port, '/metrics', metricsResponder(this.metrics.registry));
    this.httpServers.push(health.server, metrics.server);

    this.gc = new GarbageCollector({
      storage: this.storage,
      logger: logger.child({ component: 'gc' }),
      dir: config.storage.dir,
      intervalMs: config.gc.interval,
      taskTtlMs: config.gc.policy.taskTTL,
      unfinishedTtlMs: UNFINISHED_TASK_TTL_MS,
      diskThreshold: config.gc.policy.diskThreshold,
      highThresholdPercent: config.gc.policy.diskHighThresholdPercent,
      lowThresholdPercent: config.gc.policy.diskLowThresholdPercent,
      isBusy: (taskId) => this.engine.isActive(taskId),
    });
    this.gc.start();
    const gc = this.gc;
    this.metrics.attachSources({ activeUploads: () => this.pieceServer.activeUploads, disk: () => gc.diskUsage() });
    this.ports = { upload: uploadPort, piece: piecePort };
    await this.pool?.start();
    if (config.manager.addr && this.pool) await this.startDynconfig(config.manager.addr, this.pool);

    const endpoints = { socketPath, uploadPort, piecePort, healthPort: health.port, metricsPort: metrics.port, proxyPort };
    logger.info({ hostId: this.hostId, ...endpoints, seedPeer: config.seedPeer.enable, schedulers }, 'dfdaemon started');
    return endpoints;
  }

  /**
   * Graceful stop: health turns NOT_SERVING, the gRPC servers stop accepting calls, downloads in flight get
   * up to `graceMs` to finish (meanwhile this host keeps serving pieces to its children), whatever still
   * runs then fails with UNAVAILABLE, the schedulers are told that the host leaves, and storage closes.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.health.setNotServing();
    this.health.endWatches();
    await this.dynconfig?.stop();
    this.gc?.stop();
    const calls = Promise.all(this.grpcServers.map((server) => new Promise<void>((resolve) => server.tryShutdown(() => resolve()))));
    const drained = (await bounded(calls.then(() => true), graceMs, false)) === true;
    // Whatever still runs (calls past the grace period, proxy and detached downloads) fails with UNAVAILABLE
    // "dfdaemon is stopping"; callers still connected get a moment to receive that status.
    await this.engine?.abortAll();
    if (!drained) {
      await bounded(calls, ERROR_DELIVERY_MS);
      for (const server of this.grpcServers) server.forceShutdown();
    }
    await this.pool?.leave();
    this.pool?.stop();
    await Promise.all([
      ...this.httpServers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      this.pieceServer && bounded(this.pieceServer.close(), graceMs),
      this.proxy?.close(),
    ]);
    await this.registry.close();
    await this.storage.close();
    await this.tracing.shutdown().catch((error: unknown) => this.logger.warn({ err: error }, 'flushing traces failed'));
    this.logger.info({ drained }, 'dfdaemon stopped');
  }

  /** The link to the manager when `manager.addr` is set and the daemon started. */
  get managerLink(): DfdaemonDynconfig | undefined {
    return this.dynconfig;
  }

  /** The schedulers in use. */
  schedulerAddrs(): string[] {
    return this.pool?.addrs() ?? [];
  }

  private async startDynconfig(managerAddr: string, pool: SchedulerPool): Promise<void> {
    const { config } = this;
    const tls = config.manager.caCert && config.manager.cert && config.manager.key ? { caCert: config.manager.caCert, cert: config.manager.cert, key: config.manager.key } : undefined;
    this.dynconfig = new DfdaemonDynconfig(
      {
        hostname: config.host.hostname,
        ip: this.hostIp,
        idc: config.host.idc ?? '',
        location: config.host.location ?? '',
        version: coreVersion(),
        schedulerClusterId: config.host.schedulerClusterID,
        seedPeer: config.seedPeer.enable
          ? {
              type: config.seedPeer.type === 'normal' ? 'super' : config.seedPeer.type,
              clusterId: config.seedPeer.clusterID ?? 1,
              keepAliveIntervalMs: config.seedPeer.keepaliveInterval ?? DEFAULT_SEED_PEER_KEEPALIVE_MS,
              port: this.ports.upload,
              downloadPort: this.ports.piece,
            }
          : undefined,
      },
      pool,
      {
        managerAddr,
        credentials: tls ? channelCredentials(tls) : credentials.createInsecure(),
        refreshIntervalMs: config.dynconfig.refreshInterval,
        cachePath: join(config.server.cacheDir, 'dynconfig.json'),
      },
      this.logger.child({ component: 'dynconfig' }),
    );
    await this.dynconfig.start();
  }

  /** The back-to-source client of a URL: with `backend.requestHeader` added, counted in the backend metrics. */
  private sourceFor(url: string): SourceClient {
    return meteredSource(withDefaultHeaders(this.registry.sourceFor(url), this.config.backend.requestHeader), this.metrics);
  }

  private deps() {
    return { engine: this.engine, storage: this.storage, logger: this.logger.child({ component: 'rpc' }), metrics: this.metrics, hostId: this.hostId, tracing: this.tracing };
  }
}

async function readConfiguredFile(path: string, key: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw createError(ErrorCodes.INVALID_CONFIG, `${key}: cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function bind(server: Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port)));
  });
}

/** `promise`, or `fallback` once `ms` have passed. */
function bounded<T>(promise: Promise<T>, ms: number, fallback?: T): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T | undefined>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
