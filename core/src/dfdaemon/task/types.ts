import type { HdfsOptions, ObjectStorageOptions, PieceRecord } from '../../plugin-api/index.js';

/** Where a piece came from (common.v2.TrafficType). */
export type TrafficType = 'BACK_TO_SOURCE' | 'REMOTE_PEER' | 'LOCAL_PEER';

/** One download as asked for by dfget, the proxy or a scheduler trigger. */
export interface DownloadRequest {
  url: string;
  /** W3C trace context of the download's span, sent on to the scheduler (tracing); never used for the task id. */
  traceparent?: string;
  tag?: string;
  application?: string;
  /** Expected whole-content digest `algo:hex`; the output is refused unless it matches. */
  digest?: string;
  /** Fixed piece length; changes the task id. */
  pieceLength?: number;
  filteredQueryParams?: readonly string[];
  /** Headers for the origin (lower-case names). */
  requestHeader?: Record<string, string>;
  timeoutMs?: number;
  priority?: number;
  disableBackToSource?: boolean;
  needBackToSource?: boolean;
  /** Absolute local path to place the finished file at (local requests only). */
  outputPath?: string;
  overwrite?: boolean;
  forceHardLink?: boolean;
  contentForCalculatingTaskId?: string;
  enableTaskIdBasedBlobDigest?: boolean;
  /** Use the scheduler and parents even for small content (proxy rule `schedulingPolicy: always`). */
  alwaysP2P?: boolean;
  /**
   * A `Range` header value (`bytes=a-b`, `bytes=a-`, `bytes=-n`): only the pieces it covers are downloaded, by a
   * run of this request alone, and the task is finished only if that makes it complete. Ignored when the task is
   * complete locally or already downloading here (the request then follows that download).
   */
  rangeHeader?: string;
  objectStorage?: ObjectStorageOptions;
  hdfs?: HdfsOptions;
  /** Address of the client that asked, for logs. */
  remoteIp?: string;
  /**
   * Keep downloading when every requester has gone (scheduler-triggered seed downloads: the swarm needs the task
   * even if the scheduler that asked restarts). Local requests are cancelled when their requester leaves.
   */
  detach?: boolean;
  /**
   * A proxy range request with prefetch: the rest of the task downloads in the background, held to
   * `proxy.prefetchBandwidthLimit` once no requester follows it.
   */
  prefetch?: boolean;
}

/** A stored piece as reported to the requester. */
export interface FinishedPiece extends PieceRecord {
  trafficType: TrafficType;
}

/** What a download reports, in order: one `started`, then one `piece` per stored piece. */
export type TaskEvent =
  | {
      type: 'started';
      contentLength: number;
      pieceLength: number;
      pieceCount: number;
      responseHeader: Record<string, string>;
      /** True when the task was complete in local storage before this request. */
      isFinished: boolean;
    }
  | { type: 'piece'; piece: FinishedPiece };
