/**
 * dfdaemon's link to the manager (spec 9.4) when `manager.addr` is set: every `dynconfig.refreshInterval` it
 * asks ListSchedulers (as a peer or a seed peer, with its hostname, ip, idc, location and
 * `host.schedulerClusterID`) and swaps the scheduler pool's members without a restart. A failed refresh, or
 * an answer with no reachable scheduler, keeps the last good list. A seed peer also registers with
 * UpdateSeedPeer and keeps a KeepAlive stream (`seedPeer.clusterID`, `seedPeer.keepaliveInterval`).
 */
import type { ChannelCredentials } from '@grpc/grpc-js';

import { KeepAliveLoop } from '../../manager/client/KeepAliveLoop.js';
import { ManagerClient } from '../../manager/client/ManagerClient.js';
import type { Logger } from '../../plugin-api/Logger.js';
import type { SchedulerPool } from '../p2p/SchedulerPool.js';
import { type DownloadBlockList, parseDownloadBlockList } from './blockList.js';
import { chooseSchedulers, type Probe, tcpProbe } from './chooseSchedulers.js';
import { loadSchedulerList, saveSchedulerList } from './schedulerListFile.js';

/** Keep-alive interval of a seed peer when `seedPeer.keepaliveInterval` is unset (Dragonfly's 5 s). */
export const DEFAULT_SEED_PEER_KEEPALIVE_MS = 5000;

/** Who this daemon is, as the manager sees it. */
export interface DaemonIdentity {
  readonly hostname: string;
  readonly ip: string;
  readonly idc: string;
  readonly location: string;
  readonly version: string;
  /** `host.schedulerClusterID`: pin to that cluster instead of the searcher's choice. */
  readonly schedulerClusterId?: number;
  /** Set for seed peers. */
  readonly seedPeer?: {
    readonly type: string;
    readonly clusterId: number;
    readonly keepAliveIntervalMs: number;
    readonly port: number;
    readonly downloadPort: number;
  };
}

/** Settings of the link. */
export interface DfdaemonDynconfigOptions {
  readonly managerAddr: string;
  readonly credentials: ChannelCredentials;
  readonly refreshIntervalMs: number;
  /** Reachability check of listed schedulers (default: TCP connect). */
  readonly probe?: Probe;
  /** Where the last good list is kept across restarts (`<server.cacheDir>/dynconfig.json`); none when unset. */
  readonly cachePath?: string;
}

/** Scheduler discovery (and seed peer liveness) through the manager. */
export class DfdaemonDynconfig {
  readonly #client: ManagerClient;
  readonly #seedLoop: KeepAliveLoop | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #clusterId = 0;
  #lastRefresh: Date | undefined;
  #saved = false;
  #blockList: DownloadBlockList | undefined;
  #blockListText = '';

  constructor(
    private readonly identity: DaemonIdentity,
    private readonly pool: SchedulerPool,
    private readonly options: DfdaemonDynconfigOptions,
    private readonly logger: Logger,
  ) {
    this.#client = new ManagerClient(options.managerAddr, options.credentials);
    const seed = identity.seedPeer;
    if (seed) {
      const { hostname, ip, idc, location } = identity;
      this.#seedLoop = new KeepAliveLoop(
        this.#client,
        {
          register: () =>
            this.#client.updateSeedPeer({
              sourceType: 'SEED_PEER_SOURCE',
              hostname,
              ip,
              idc,
              location,
              type: seed.type,
              port: seed.port,
              downloadPort: seed.downloadPort,
              seedPeerClusterId: seed.clusterId,
            }),
          message: { sourceType: 'SEED_PEER_SOURCE', hostname, ip, clusterId: seed.clusterId },
          intervalMs: seed.keepAliveIntervalMs,
        },
        logger,
      );
    }
  }

  /** The scheduler cluster whose schedulers are in use (0 before the first good refresh). */
  get clusterId(): number {
    return this.#clusterId;
  }

  /**
   * The chosen cluster's download block list (`client_config.block_list`, `seed_client_config.block_list` on a
   * seed peer) from the last good refresh; undefined when it has none.
   */
  get blockList(): DownloadBlockList | undefined {
    return this.#blockList;
  }

  /** When the scheduler list was last refreshed successfully. */
  get lastRefresh(): Date | undefined {
    return this.#lastRefresh;
  }

  /**
   * Loads the scheduler list once (a failure is logged, not thrown; the list saved by an earlier run is used
   * then), then refreshes periodically.
   */
  async start(): Promise<void> {
    const [ok] = await Promise.all([this.refresh(), this.#seedLoop?.start()]);
    if (!ok && this.pool.addrs().length === 0 && this.options.cachePath) {
      const saved = await loadSchedulerList(this.options.cachePath);
      if (saved) {
        this.#clusterId = saved.clusterId;
        this.pool.setSchedulers(saved.schedulers);
        this.logger.warn({ schedulers: saved.schedulers, savedAt: saved.savedAt }, 'using the scheduler list saved before the manager became unreachable');
      }
    }
    this.#timer = setInterval(() => void this.refresh(), this.options.refreshIntervalMs);
    this.#timer.unref();
  }

  /** Stops refreshing and ends the seed peer's keep-alive stream. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#seedLoop?.stop();
    this.#client.close();
  }

  /** Asks the manager for schedulers and updates the pool; true when a usable list was applied. */
  async refresh(): Promise<boolean> {
    if (this.#stopped) return false;
    const { hostname, ip, idc, location, version, schedulerClusterId, seedPeer } = this.identity;
    try {
      const { schedulers } = await this.#client.listSchedulers({
        sourceType: seedPeer ? 'SEED_PEER_SOURCE' : 'PEER_SOURCE',
        hostname,
        ip,
        idc,
        location,
        version,
        commit: '',
        schedulerClusterId: schedulerClusterId ?? 0,
      });
      const chosen = await chooseSchedulers(schedulers, this.options.probe ?? tcpProbe);
      if (chosen.addrs.length === 0) {
        this.logger.warn({ listed: schedulers.length, kept: this.pool.addrs() }, 'the manager listed no reachable scheduler; keeping the last good list');
        return false;
      }
      if (this.#stopped) return false;
      this.#clusterId = chosen.clusterId;
      const cluster = schedulers.find((listed) => listed.schedulerClusterId === chosen.clusterId)?.schedulerCluster;
      this.#applyBlockList(seedPeer ? cluster?.seedClientConfig : cluster?.clientConfig);
      const changed = this.pool.setSchedulers(chosen.addrs);
      this.#lastRefresh = new Date();
      if (this.options.cachePath && (changed || !this.#saved)) {
        this.#saved = true;
        await saveSchedulerList(this.options.cachePath, chosen.clusterId, chosen.addrs).catch((error: unknown) =>
          this.logger.warn({ err: error, path: this.options.cachePath }, 'could not save the scheduler list'),
        );
      }
      return true;
    } catch (error) {
      this.logger.warn({ err: error, manager: this.options.managerAddr, kept: this.pool.addrs() }, 'listing schedulers failed; keeping the last good list');
      return false;
    }
  }

  /** Takes the block list of a cluster's client config (JSON bytes); logs when it changes. */
  #applyBlockList(configBytes: Buffer | Uint8Array | null | undefined): void {
    const text = configBytes && configBytes.length > 0 ? Buffer.from(configBytes).toString('utf8') : '';
    if (text === this.#blockListText) return;
    this.#blockListText = text;
    let config: unknown;
    try {
      config = text ? JSON.parse(text) : undefined;
    } catch {
      this.logger.warn({ clusterId: this.#clusterId }, 'the cluster client config is not JSON; no block list');
    }
    const skipped: string[] = [];
    this.#blockList = parseDownloadBlockList(config, skipped);
    if (skipped.length > 0) this.logger.warn({ skipped }, 'block list entries skipped');
    const list = this.#blockList;
    this.logger.info(
      list
        ? { applications: [...list.applications], urls: list.urls.map((rule) => rule.source), tags: [...list.tags], priorities: [...list.priorities] }
        : {},
      list ? 'download block list in force' : 'no download block list',
    );
  }
}
