/**
 * The manager role: loads the database plugin named by `database.type` through the kernel, applies the
 * migrations when `database.<type>.migrate` is true, seeds the default clusters, and serves the
 * `manager.v2.Manager` gRPC service (`server.grpc.port`) and the REST API (`server.rest.addr`). Scheduler
 * lists are cached in-process and in the shared state (Redis when `database.redis.addrs` is set).
 */
import type { ManagerConfig } from '../config/index.js';
import { selectSharedState } from '../common/sharedState/index.js';
import { Tracing } from '../common/tracing/Tracing.js';
import type { PluginRegistry } from '../kernel/index.js';
import type { DatabaseDriver } from '../plugin-api/database/DatabaseDriver.js';
import type { SharedStateBackend } from '../plugin-api/database/SharedStateBackend.js';
import type { Logger } from '../plugin-api/Logger.js';
import { databasePluginName, shouldMigrate } from './databaseConfig.js';
import { managerMigrations } from './database/migrations.js';
import { LivenessSweeper } from './LivenessSweeper.js';
import { JobGarbageCollector } from './job/JobGarbageCollector.js';
import { ManagerMetrics } from './metrics/ManagerMetrics.js';
import { coreVersion } from '../dfdaemon/version.js';
import { serveMetrics } from '../scheduler/metrics/metricsServer.js';
import { seedDefaults } from './database/seed.js';
import { createRepositories } from './models/index.js';
import { startRestServer } from './rest/index.js';
import { type BoundGrpcServer, startManagerGrpcServer } from './rpc/ManagerGrpcServer.js';
import type { RpcContext } from './rpc/RpcContext.js';
import { SchedulerListCache } from './rpc/SchedulerListCache.js';
import { defaultSearcher, type Searcher } from './searcher/Searcher.js';
import { JOBS_SERVICE } from '../common/jobs/jobsService.js';
import { createJobService, jobsRpcHandlers, PeerSyncTimer } from './job/index.js';

/** A scheduler silent for longer than this is not handed to peers (default). */
export const DEFAULT_STALE_AFTER_MS = 2 * 60_000;
/** How often stale schedulers and seed peers are marked inactive. */
export const LIVENESS_SWEEP_INTERVAL_MS = 60_000;
/** A KeepAlive stream silent for longer than this is ended (default). */
export const DEFAULT_KEEPALIVE_IDLE_TIMEOUT_MS = 2 * 60_000;
/** The first periodic peer sync runs this long after start-up (schedulers have registered by then). */
export const PEER_SYNC_FIRST_DELAY_MS = 60_000;

/** Options for embedding and tests. */
export interface ManagerOptions {
  /** A database driver to use instead of the plugin's (tests); it is connected by `start()` and closed by `stop()`. */
  readonly db?: DatabaseDriver;
  /** A searcher replacing Dragonfly's default. */
  readonly searcher?: Searcher;
  readonly staleAfterMs?: number;
  readonly keepAliveIdleTimeoutMs?: number;
  /** A shared-state backend to use instead of the one `database.redis` selects (tests); not closed by `stop()`. */
  readonly sharedState?: SharedStateBackend;
  /** Whether to start the REST server (default true). */
  readonly rest?: boolean;
}

/** Where a running manager listens. */
export interface ManagerEndpoints {
  readonly grpcPort: number;
  readonly restPort?: number;
  readonly metricsPort?: number;
}

/** The manager role. */
export class Manager {
  #db: DatabaseDriver | undefined;
  #shared: { kind: string; backend: SharedStateBackend } | undefined;
  #grpc: BoundGrpcServer | undefined;
  #rest: { port: number; close(): Promise<void> } | undefined;
  #sweeper: LivenessSweeper | undefined;
  #jobGc: JobGarbageCollector | undefined;
  #peerSync: PeerSyncTimer | undefined;
  readonly #lifecycle = { stopping: false };
  #metricsServer: { close(callback: () => void): unknown } | undefined;
  /** Prometheus metrics (served on `metrics.addr` when `metrics.enable` is true). */
  readonly metrics = new ManagerMetrics(coreVersion());
  /** OpenTelemetry tracing (`tracing.*`; off unless protocol and endpoint are set): REST requests and the jobs they create. */
  readonly tracing: Tracing;
  #stopped = false;

  constructor(
    private readonly config: ManagerConfig,
    private readonly registry: PluginRegistry | undefined,
    private readonly logger: Logger,
    private readonly options: ManagerOptions = {},
  ) {
    this.tracing = Tracing.create(config.tracing, 'dragonfly-manager');
  }

  /** The database driver, once started. */
  get db(): DatabaseDriver | undefined {
    return this.#db;
  }

  /** Connects, migrates, seeds, and starts the gRPC and REST servers. */
  async start(): Promise<ManagerEndpoints> {
    const { config, logger } = this;
    const pluginName = databasePluginName(config.database.type);
    const db = this.options.db ?? this.registry!.database(pluginName);
    this.#db = db;
    await db.connect();
    if (shouldMigrate(config)) {
      const applied = await db.migrate(managerMigrations);
      if (applied.length > 0) logger.info({ versions: applied, database: config.database.type }, 'migrations applied');
    }
    if (await seedDefaults(db)) logger.info({}, 'seeded the default scheduler cluster and seed peer cluster');

    this.#shared = this.options.sharedState
      ? { kind: 'given', backend: this.options.sharedState }
      : selectSharedState({ redisAddrs: config.database.redis.addrs, resolveRedis: () => this.registry!.sharedState('redis') });
    const repos = createRepositories(db);
    const staleAfterMs = this.options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    const ctx: RpcContext = {
      db,
      repos,
      searcher: this.options.searcher ?? defaultSearcher,
      cache: new SchedulerListCache(
        this.#shared.backend,
        { localSize: config.cache.local.size, localTtlMs: config.cache.local.ttl, sharedTtlMs: config.cache.redis.ttl },
        logger.child({ component: 'scheduler-list-cache' }),
      ),
      logger: logger.child({ component: 'grpc' }),
      metrics: this.metrics,
      staleAfterMs,
      lifecycle: this.#lifecycle,
    };
    const jobs = createJobService({ db, sharedState: this.#shared.backend, config, logger, staleAfterMs, metrics: this.metrics });
    this.#grpc = await startManagerGrpcServer(ctx, {
      listenIP: config.server.grpc.listenIP,
      portRange: config.server.grpc.port,
      tls: config.server.grpc.tls,
      requestRateLimit: config.server.grpc.requestRateLimit,
      keepAliveIdleTimeoutMs: this.options.keepAliveIdleTimeoutMs ?? DEFAULT_KEEPALIVE_IDLE_TIMEOUT_MS,
      extraServices: [{ definition: JOBS_SERVICE, handlers: jobsRpcHandlers(jobs, logger) }],
    });
    this.#sweeper = new LivenessSweeper(repos, staleAfterMs, logger.child({ component: 'liveness' }), () => ctx.cache.invalidate());
    this.#sweeper.start(LIVENESS_SWEEP_INTERVAL_MS);
    this.#jobGc = new JobGarbageCollector(db, { intervalMs: config.job.gc.interval, ttlMs: config.job.gc.ttl, batchSize: config.job.gc.batchSize }, logger.child({ component: 'job-gc' }));
    this.#jobGc.start();
    const { syncPeers } = config.job;
    this.#peerSync = new PeerSyncTimer(
      () => jobs.create({ type: 'sync_peers', bio: 'periodic peer sync (job.syncPeers.interval)', schedulerClusterIds: null, seedPeerClusterIds: [], args: { kind: 'sync_peers', timeout: syncPeers.timeout * 1e6 } }, 0),
      { firstDelayMs: Math.min(PEER_SYNC_FIRST_DELAY_MS, syncPeers.interval), intervalMs: syncPeers.interval },
      logger.child({ component: 'peer-sync' }),
    );
    this.#peerSync.start();
    if (this.options.rest !== false) {
      this.#rest = await startRestServer({ db, config, logger, sharedState: this.#shared.backend, metrics: this.metrics, tracing: this.tracing });
    }
    let metricsPort: number | undefined;
    if (config.metrics.enable) {
      const served = await serveMetrics(config.metrics.addr, this.metrics.registry);
      this.#metricsServer = served.server;
      metricsPort = served.port;
    }
    const endpoints = { grpcPort: this.#grpc.port, restPort: this.#rest?.port, metricsPort };
    logger.info({ ...endpoints, database: config.database.type, sharedState: this.#shared.kind }, 'manager started');
    return endpoints;
  }

  /** Stops the servers (running calls get up to `graceMs`), then closes the shared state, database and plugins. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#lifecycle.stopping = true;
    this.#sweeper?.stop();
    this.#jobGc?.stop();
    this.#peerSync?.stop();
    await Promise.all([
      this.#rest?.close(),
      this.#grpc?.close(graceMs),
      this.#metricsServer && new Promise<void>((resolve) => this.#metricsServer!.close(() => resolve())),
    ]);
    if (this.#shared?.kind === 'in-process') await this.#shared.backend.close();
    if (this.options.db) await this.options.db.close();
    if (this.registry) await this.registry.close();
    await this.tracing.shutdown().catch((error: unknown) => this.logger.warn({ err: error }, 'flushing traces failed'));
    this.logger.info({}, 'manager stopped');
  }
}
