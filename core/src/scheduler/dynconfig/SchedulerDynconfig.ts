/**
 * The scheduler's link to the manager (spec 9.4) when `manager.addr` is set: UpdateScheduler on start, a
 * KeepAlive stream beating every `manager.keepAlive.interval`, and GetScheduler + ListApplications every
 * `dynConfig.refreshInterval`, whose cluster limits are applied live and saved to `cachePath`. When the
 * manager is unreachable the scheduler keeps serving on its last good config (also across a restart, from
 * `cachePath`) and reconnects with back-off (re-registering first).
 */
import type { ChannelCredentials } from '@grpc/grpc-js';
import type { managerV2 } from '@d7y/proto';

import type { Logger } from '../../plugin-api/Logger.js';
import { KeepAliveLoop } from '../../manager/client/KeepAliveLoop.js';
import { ManagerClient } from '../../manager/client/ManagerClient.js';
import { type ClusterLimits, parseClusterLimits } from './clusterLimits.js';
import { loadLimits, saveLimits } from './limitsFile.js';

/** Who this scheduler is, as the manager knows it. */
export interface SchedulerIdentity {
  readonly hostname: string;
  readonly ip: string;
  readonly port: number;
  readonly clusterId: number;
  readonly idc: string;
  readonly location: string;
  readonly features?: readonly string[];
}

/** Settings of the link. */
export interface SchedulerDynconfigOptions {
  readonly managerAddr: string;
  readonly credentials: ChannelCredentials;
  readonly keepAliveIntervalMs: number;
  readonly refreshIntervalMs: number;
  /** Called with the cluster limits after every successful refresh. */
  readonly apply: (limits: ClusterLimits) => void;
  /** The limits in force before the first refresh. */
  readonly initial: ClusterLimits;
  /** Where the last good limits are kept across restarts (`<server.cacheDir>/dynconfig.json`); none when unset. */
  readonly cachePath?: string;
}

/** What the last successful refresh returned. */
export interface DynconfigSnapshot {
  readonly limits: ClusterLimits;
  readonly scheduler: managerV2.Scheduler__Output;
  readonly applications: managerV2.Application__Output[];
  readonly refreshedAt: Date;
}

/** Registration, keep-alive and config refresh against the manager. */
export class SchedulerDynconfig {
  readonly #client: ManagerClient;
  readonly #loop: KeepAliveLoop;
  #stopped = false;
  #refreshTimer: NodeJS.Timeout | undefined;
  #limits: ClusterLimits;
  #snapshot: DynconfigSnapshot | undefined;

  constructor(
    private readonly identity: SchedulerIdentity,
    private readonly options: SchedulerDynconfigOptions,
    private readonly logger: Logger,
  ) {
    this.#client = new ManagerClient(options.managerAddr, options.credentials);
    this.#limits = { ...options.initial };
    const { hostname, ip, port, clusterId, idc, location, features } = identity;
    this.#loop = new KeepAliveLoop(
      this.#client,
      {
        register: () =>
          this.#client.updateScheduler({ sourceType: 'SCHEDULER_SOURCE', hostname, ip, port, schedulerClusterId: clusterId, idc, location, features: [...(features ?? [])] }),
        onRegistered: () => this.refresh(),
        message: { sourceType: 'SCHEDULER_SOURCE', hostname, ip, clusterId },
        intervalMs: options.keepAliveIntervalMs,
      },
      logger,
    );
  }

  /** The last good config from the manager, if any. */
  get snapshot(): DynconfigSnapshot | undefined {
    return this.#snapshot;
  }

  /** Whether the manager accepted the registration and the keep-alive stream is open. */
  get connected(): boolean {
    return this.#loop.connected;
  }

  /**
   * Registers, opens the keep-alive stream and loads the config once; if the manager is down, logs it and
   * keeps trying in the background (start never fails because of the manager).
   */
  async start(): Promise<void> {
    if (this.options.cachePath) {
      const saved = await loadLimits(this.options.cachePath, this.#limits);
      if (saved) {
        this.#limits = saved;
        this.options.apply({ ...saved });
      }
    }
    await this.#loop.start();
    this.#refreshTimer = setInterval(() => void this.refresh(), this.options.refreshIntervalMs);
    this.#refreshTimer.unref();
  }

  /** Ends the keep-alive stream (the manager marks this scheduler inactive) and stops every timer. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#refreshTimer);
    await this.#loop.stop();
    this.#client.close();
  }

  /** Loads GetScheduler + ListApplications and applies the cluster limits; keeps the last good config on failure. */
  async refresh(): Promise<boolean> {
    if (this.#stopped) return false;
    const { hostname, ip, clusterId } = this.identity;
    try {
      const scheduler = await this.#client.getScheduler({ sourceType: 'SCHEDULER_SOURCE', hostname, ip, schedulerClusterId: clusterId });
      const { applications } = await this.#client.listApplications({ sourceType: 'SCHEDULER_SOURCE', hostname, ip });
      const documents = {
        config: scheduler.schedulerCluster?.config,
        clientConfig: scheduler.schedulerCluster?.clientConfig,
        seedPeerClusterConfig: scheduler.seedPeers?.find((peer) => peer.seedPeerCluster)?.seedPeerCluster?.config,
      };
      this.#limits = parseClusterLimits(documents, this.#limits);
      this.options.apply({ ...this.#limits });
      this.#snapshot = { limits: { ...this.#limits }, scheduler, applications, refreshedAt: new Date() };
      if (this.options.cachePath) {
        await saveLimits(this.options.cachePath, this.#limits).catch((error: unknown) =>
          this.logger.warn({ err: error, path: this.options.cachePath }, 'could not save the dynamic config'),
        );
      }
      this.logger.debug({ limits: this.#limits, applications: applications.length }, 'dynconfig refreshed');
      return true;
    } catch (error) {
      this.logger.warn({ err: error, manager: this.options.managerAddr }, 'dynconfig refresh failed; keeping the last good config');
      return false;
    }
  }
}
