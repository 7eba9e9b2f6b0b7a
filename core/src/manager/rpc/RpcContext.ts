/** What the manager's gRPC handlers share. */
import type { managerV2 } from '@d7y/proto';

import type { DatabaseDriver } from '../../plugin-api/database/DatabaseDriver.js';
import type { Logger } from '../../plugin-api/Logger.js';
import type { Repositories } from '../models/index.js';
import type { ManagerMetrics } from '../metrics/ManagerMetrics.js';
import type { Searcher } from '../searcher/Searcher.js';
import type { SchedulerListCache } from './SchedulerListCache.js';

/** Shared state of the gRPC service. */
export interface RpcContext {
  readonly db: DatabaseDriver;
  readonly repos: Repositories;
  readonly searcher: Searcher;
  readonly cache: SchedulerListCache<managerV2.ListSchedulersResponse>;
  readonly logger: Logger;
  readonly metrics: ManagerMetrics;
  /**
   * A scheduler whose last keep-alive is older than this is not handed to peers even if its row says
   * active (it died while no manager was watching its stream).
   */
  readonly staleAfterMs: number;
  /**
   * Set while the manager shuts down: streams cut by the shutdown do not mark their senders inactive (they
   * are alive and will reconnect; a crashed sender is expired by the liveness sweeper instead).
   */
  readonly lifecycle: { stopping: boolean };
}
