import type { Logger } from '../../plugin-api/Logger.js';
import type { SchedulerMetrics } from '../metrics/SchedulerMetrics.js';
import type { DownloadRecorder } from '../records/DownloadRecorder.js';
import type { Resource } from '../resource/Resource.js';
import type { Scheduling } from '../scheduling/Scheduling.js';
import type { Sleep } from '../scheduling/delay.js';
import type { SeedPeer } from '../seedpeer/SeedPeer.js';
import type { Tracing } from '../../common/tracing/Tracing.js';
import type { Applications } from './applicationPriority.js';

/** Settings the service reads (from `scheduler.*`, `scheduler.gc.*` and d7y's own choices). */
export interface ServiceSettings {
  /** `scheduler.backToSourceCount`. */
  readonly backToSourceCount: number;
  /** Most candidate parents one reschedule may list (`filter_parent_limit`). */
  readonly filterParentLimit: number;
  /** An AnnouncePeer stream silent for this long is closed (`scheduler.gc.pieceDownloadTimeout`). */
  readonly streamIdleTimeoutMs: number;
  /** Time allowed for the first message. */
  readonly registerTimeoutMs: number;
  /**
   * d7y: peers and deletions of a host must come from the source address the host announced from
   * (security test plan C03/C06). Off only for tests behind address-rewriting proxies.
   */
  readonly bindHostToSourceAddress: boolean;
  /** Delay registrations of normal hosts (`ExponentialDelayWithJitter`). */
  readonly registerDelay: boolean;
}

/** Everything the gRPC handlers share. */
export interface ServiceContext {
  readonly resource: Resource;
  readonly scheduling: Scheduling;
  /** Undefined when `seedPeer.enable` is false. */
  readonly seedPeer: SeedPeer | undefined;
  readonly metrics: SchedulerMetrics;
  readonly logger: Logger;
  readonly settings: ServiceSettings;
  readonly sleep: Sleep;
  /** d7y: download records (`scheduler.records.enable`); undefined when disabled. */
  readonly records?: DownloadRecorder;
  /** Open AnnouncePeer streams. */
  activeStreams: number;
  /** OpenTelemetry tracing (`tracing.*`); absent or off: no spans. */
  readonly tracing?: Tracing;
  /** The manager's applications (their priorities apply to LEVEL0 downloads); absent without a manager. */
  readonly applications?: () => Applications;
}
