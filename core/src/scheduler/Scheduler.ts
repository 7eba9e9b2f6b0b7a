import type { Server as HttpServer } from 'node:http';
import { join } from 'node:path';

import { Server } from '@grpc/grpc-js';
import { grpcServerOptions, loadProtos } from '@d7y/proto';

import type { SchedulerConfig } from '../config/index.js';
import { createEgressPolicy } from '../common/egress/EgressPolicyImpl.js';
import { createError, ErrorCodes } from '../common/errors.js';
import { HealthService } from '../common/health/HealthService.js';
import { Tracing } from '../common/tracing/Tracing.js';
import type { PluginRegistry } from '../kernel/index.js';
import type { EgressPolicy } from '../plugin-api/EgressPolicy.js';
import type { Logger } from '../plugin-api/Logger.js';
import type { Evaluator } from '../plugin-api/scheduling/Evaluator.js';
import { detectHostIp } from '../dfdaemon/hostAddress.js';
import { CANDIDATE_PARENT_LIMIT, FILTER_PARENT_LIMIT, REGISTER_TIMEOUT_MS } from './constants.js';
import { type ClusterLimits, DEFAULT_CLUSTER_LIMITS } from './dynconfig/clusterLimits.js';
import { SchedulerDynconfig } from './dynconfig/SchedulerDynconfig.js';
import { JobWorker } from './job/JobWorker.js';
import { GarbageCollector } from './gc/GarbageCollector.js';
import { serveMetrics } from './metrics/metricsServer.js';
import { DownloadRecorder } from './records/DownloadRecorder.js';
import { recordingObserver } from './records/schedulingObserver.js';
import { SchedulerMetrics } from './metrics/SchedulerMetrics.js';
import { Resource } from './resource/Resource.js';
import { abortableSleep, type Sleep } from './scheduling/delay.js';
import { Scheduling } from './scheduling/Scheduling.js';
import { SeedPeer } from './seedpeer/SeedPeer.js';
import { schedulerHandlers, type SessionSet } from './service/handlers.js';
import type { ServiceContext } from './service/ServiceContext.js';
import { TokenBucket } from '../common/TokenBucket.js';
import { channelCredentials, serverCredentials } from './tlsCredentials.js';
import { schedulerVersion } from './version.js';

/** Options for embedding and tests. */
export interface SchedulerOptions {
  /** The evaluator to use; otherwise `registry.evaluatorFor(config.scheduler.algorithm)`. */
  evaluator?: Evaluator;
  /** Address policy for dialling seed hosts; otherwise built from `config.egress`. */
  egress?: EgressPolicy;
  /** d7y: a host's peers and deletions must come from its announce address (default true). */
  bindHostToSourceAddress?: boolean;
  /** Delay registrations of normal hosts as Dragonfly does (default true). */
  registerDelay?: boolean;
  /** Sleep used by the scheduling loop (tests). */
  sleep?: Sleep;
  /** Register Node's default process metrics (default true). */
  defaultMetrics?: boolean;
}

/** Where a running scheduler listens. */
export interface SchedulerEndpoints {
  /** `ip:port` of the gRPC server. */
  address: string;
  port: number;
  /** Bound metrics port when `metrics.enable` is true. */
  metricsPort?: number;
}

/**
 * The scheduler role: in-memory hosts, tasks and peers (`resource/`), parent selection (`scheduling/`), the
 * `scheduler.v2.Scheduler` gRPC service (`service/`), seed-peer triggering (`seedpeer/`), GC (`gc/`) and
 * Prometheus metrics. With `manager.addr` it registers with the manager, keeps alive and applies the cluster
 * config live (`dynconfig/`); without, it runs on its own config.
 */
export class Scheduler {
  readonly resource = new Resource();
  /** Concurrent uploads per peer and per seed peer (the clusters' `load_limit`, live from the manager). */
  #uploadLimits = { peerLoadLimit: DEFAULT_CLUSTER_LIMITS.peerLoadLimit, seedLoadLimit: DEFAULT_CLUSTER_LIMITS.seedLoadLimit };
  readonly metrics: SchedulerMetrics;
  /** d7y: download records (`scheduler.records.enable`), served at `/records` on the metrics port. */
  readonly records: DownloadRecorder | undefined;
  readonly #evaluator: Evaluator;
  readonly #ctx: ServiceContext;
  readonly #gc: GarbageCollector;
  readonly #sessions: SessionSet = new Set();
  /** Scheduling limits, changed live by the manager's cluster config. */
  readonly #schedulingConfig: { retryLimit: number; retryBackToSourceLimit: number; retryIntervalMs: number } & Pick<ClusterLimits, 'candidateParentLimit' | 'filterParentLimit'>;
  readonly #settings: ServiceContext['settings'] & { filterParentLimit: number };
  #dynconfig: SchedulerDynconfig | undefined;
  /** Preheat / get_task / delete_task / sync_peers worker, with `manager.addr` and `job.enable`. */
  #jobWorker: JobWorker | undefined;
  readonly #egress: EgressPolicy;
  #server: Server | undefined;
  #metricsServer: HttpServer | undefined;
  /** grpc.health.v1 statuses; NOT_SERVING from the first moment of `stop()`. */
  readonly health = new HealthService(['scheduler.v2.Scheduler']);
  /** OpenTelemetry tracing (`tracing.*`; off unless protocol and endpoint are set). */
  readonly tracing: Tracing;
  #stopped = false;

  constructor(
    private readonly config: SchedulerConfig,
    private readonly registry: PluginRegistry | undefined,
    private readonly logger: Logger,
    options: SchedulerOptions = {},
  ) {
    const evaluator = options.evaluator ?? registry?.evaluatorFor(config.scheduler.algorithm);
    if (!evaluator) throw createError(ErrorCodes.INVALID_ARGUMENT, 'Scheduler needs an evaluator or a plugin registry');
    this.#evaluator = evaluator;
    this.metrics = new SchedulerMetrics(schedulerVersion(), { defaultMetrics: options.defaultMetrics });
    this.tracing = Tracing.create(config.tracing, 'dragonfly-scheduler');
    const { scheduler, seedPeer } = config;
    const sleep = options.sleep ?? abortableSleep;
    this.#schedulingConfig = {
      retryLimit: scheduler.retryLimit,
      retryBackToSourceLimit: scheduler.retryBackToSourceLimit,
      retryIntervalMs: scheduler.retryInterval,
      candidateParentLimit: CANDIDATE_PARENT_LIMIT,
      filterParentLimit: FILTER_PARENT_LIMIT,
    };
    const records = scheduler.records.enable
      ? new DownloadRecorder({ decisionCapacity: scheduler.records.decisionCapacity, pieceCapacity: scheduler.records.pieceCapacity })
      : undefined;
    this.records = records;
    const scheduling = new Scheduling(
      evaluator,
      this.#schedulingConfig,
      logger.child({ component: 'scheduling' }),
      sleep,
      Date.now,
      records && recordingObserver(records),
    );
    this.#egress = options.egress ?? createEgressPolicy(config.egress);
    const seed = seedPeer.enable
      ? new SeedPeer({
          hosts: this.resource.hosts,
          logger: logger.child({ component: 'seed-peer' }),
          egress: this.#egress,
          taskDownloadTimeoutMs: seedPeer.taskDownloadTimeout,
          credentials: channelCredentials(seedPeer.tls),
          hooks: { onFailed: () => this.metrics.triggerSeedPeerFailureTotal.inc() },
          tracing: this.tracing,
        })
      : undefined;
    this.#ctx = {
      resource: this.resource,
      scheduling,
      seedPeer: seed,
      metrics: this.metrics,
      logger: logger.child({ component: 'service' }),
      settings: (this.#settings = {
        backToSourceCount: scheduler.backToSourceCount,
        filterParentLimit: FILTER_PARENT_LIMIT,
        streamIdleTimeoutMs: scheduler.gc.pieceDownloadTimeout,
        registerTimeoutMs: REGISTER_TIMEOUT_MS,
        bindHostToSourceAddress: options.bindHostToSourceAddress ?? true,
        registerDelay: options.registerDelay ?? true,
      }),
      sleep,
      records,
      activeStreams: 0,
      tracing: this.tracing,
      applications: () => this.#dynconfig?.snapshot?.applications ?? [],
    };
    const gc = scheduler.gc;
    this.#gc = new GarbageCollector(
      this.resource,
      {
        pieceDownloadTimeoutMs: gc.pieceDownloadTimeout,
        peerGCIntervalMs: gc.peerGCInterval,
        peerTTLMs: gc.peerTTL,
        taskGCIntervalMs: gc.taskGCInterval,
        hostGCIntervalMs: gc.hostGCInterval,
        hostTTLMs: gc.hostTTL,
      },
      logger.child({ component: 'gc' }),
      (hostId) => seed?.forget(hostId),
    );
  }

  /** The parent limits in force (the manager's cluster config once dynconfig has loaded it). */
  get limits(): ClusterLimits {
    return {
      candidateParentLimit: this.#schedulingConfig.candidateParentLimit,
      filterParentLimit: this.#schedulingConfig.filterParentLimit,
      ...this.#uploadLimits,
    };
  }

  /** The link to the manager when `manager.addr` is set and the scheduler started. */
  get dynconfig(): SchedulerDynconfig | undefined {
    return this.#dynconfig;
  }

  /** The garbage collector (tests run its rounds directly). */
  get gc(): GarbageCollector {
    return this.#gc;
  }

  /**
   * Opens the evaluator (a model that fails to load aborts here), binds the gRPC server on
   * `server.listenIP:server.port`, starts GC and, if enabled, the metrics server.
   */
  async start(): Promise<SchedulerEndpoints> {
    const { server: serverConfig, metrics } = this.config;
    await this.#evaluator.open?.();
    const server = new Server(grpcServerOptions());
    server.addService(
      loadProtos().scheduler.v2.Scheduler.service,
      schedulerHandlers(this.#ctx, new TokenBucket(serverConfig.requestRateLimit), this.#sessions),
    );
    this.health.addTo(server);
    const host = serverConfig.listenIP.includes(':') ? `[${serverConfig.listenIP}]` : serverConfig.listenIP;
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${serverConfig.port}`, serverCredentials(serverConfig.tls), (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    this.#server = server;
    let metricsPort: number | undefined;
    if (metrics.enable) {
      const records = this.records;
      const served = await serveMetrics(metrics.addr, this.metrics.registry, records && { '/records': () => records.toNdjson() });
      this.#metricsServer = served.server;
      metricsPort = served.port;
    }
    this.#gc.start();
    const endpoints = { address: `${host}:${port}`, port, metricsPort };
    if (this.config.manager.addr) await this.#startDynconfig(this.config.manager.addr);
    if (this.config.manager.addr && this.config.job.enable) this.#startJobWorker(this.config.manager.addr);
    this.logger.info(
      { ...endpoints, algorithm: this.config.scheduler.algorithm, seedPeer: this.config.seedPeer.enable, manager: this.config.manager.addr ?? 'none' },
      'scheduler started',
    );
    return endpoints;
  }

  #startJobWorker(managerAddr: string): void {
    const { server, manager, seedPeer, job } = this.config;
    this.#jobWorker = new JobWorker({
      // d7y keeps one queue per scheduler (Dragonfly's local queue), so its worker count is the task concurrency.
      concurrency: job.localWorkerNum,
      managerAddr,
      credentials: channelCredentials(manager.tls),
      hostCredentials: channelCredentials(seedPeer.tls),
      identity: { hostname: server.host, ip: advertisedIp(this.config), scheduler_cluster_id: manager.schedulerClusterID },
      resource: this.resource,
      egress: this.#egress,
      logger: this.logger.child({ component: 'job' }),
      tracing: this.tracing,
    });
    this.#jobWorker.start();
  }

  async #startDynconfig(managerAddr: string): Promise<void> {
    const { server, manager, host, dynConfig } = this.config;
    this.#dynconfig = new SchedulerDynconfig(
      {
        hostname: server.host,
        ip: advertisedIp(this.config),
        port: server.advertisePort,
        clusterId: manager.schedulerClusterID,
        idc: host.idc,
        location: host.location,
      },
      {
        managerAddr,
        credentials: channelCredentials(manager.tls),
        keepAliveIntervalMs: manager.keepAlive.interval,
        refreshIntervalMs: dynConfig.refreshInterval,
        initial: this.limits,
        cachePath: server.cacheDir ? join(server.cacheDir, 'dynconfig.json') : undefined,
        apply: (limits) => {
          this.#schedulingConfig.candidateParentLimit = limits.candidateParentLimit;
          this.#schedulingConfig.filterParentLimit = limits.filterParentLimit;
          this.#settings.filterParentLimit = limits.filterParentLimit;
          this.#uploadLimits = { peerLoadLimit: limits.peerLoadLimit, seedLoadLimit: limits.seedLoadLimit };
          this.resource.hosts.setUploadLimits(limits.peerLoadLimit, limits.seedLoadLimit);
        },
      },
      this.logger.child({ component: 'dynconfig' }),
    );
    await this.#dynconfig.start();
  }

  /**
   * Stops: GC and seed downloads end, open AnnouncePeer streams end with UNAVAILABLE, in-flight unary calls
   * get up to `graceMs`, then the evaluator and plugins are closed.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.health.setNotServing();
    await this.#jobWorker?.stop(graceMs);
    await this.#dynconfig?.stop();
    this.#gc.stop();
    this.#ctx.seedPeer?.close();
    for (const session of [...this.#sessions]) session.abort();
    this.health.endWatches();
    await Promise.all([
      this.#server ? shutdown(this.#server, graceMs) : undefined,
      this.#metricsServer ? new Promise<void>((resolve) => this.#metricsServer!.close(() => resolve())) : undefined,
    ]);
    if (this.registry) await this.registry.close();
    else await this.#evaluator.close?.();
    await this.tracing.shutdown().catch((error: unknown) => this.logger.warn({ err: error }, 'flushing traces failed'));
    this.logger.info({}, 'scheduler stopped');
  }
}

/** The address peers dial: `server.advertiseIP`, else the listen IP unless it is a wildcard, else a detected one. */
function advertisedIp(config: SchedulerConfig): string {
  const { advertiseIP, listenIP } = config.server;
  if (advertiseIP) return advertiseIP;
  if (listenIP !== '0.0.0.0' && listenIP !== '::') return listenIP;
  return detectHostIp(config.network?.enableIPv6 ?? false);
}

function shutdown(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
