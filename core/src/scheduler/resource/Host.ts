import type { HostType } from '../../plugin-api/scheduling/Evaluator.js';
import { NORMAL_HOST_UPLOAD_LIMIT, SEED_HOST_UPLOAD_LIMIT } from '../constants.js';

/** Weight of the newest piece in a host's `uploadPieceRate` moving average. */
export const UPLOAD_RATE_WEIGHT = 0.3;

/** What a host announced about itself (validated; see service/validateHost.ts). */
export interface HostInfo {
  readonly id: string;
  readonly type: HostType;
  readonly hostname: string;
  readonly ip: string;
  /** Port of the host's DfdaemonUpload gRPC server. */
  readonly port: number;
  /** Port of the host's piece-data server. */
  readonly downloadPort: number;
  readonly proxyPort: number;
  readonly name: string;
  readonly os: string;
  readonly platform: string;
  readonly platformFamily: string;
  readonly platformVersion: string;
  readonly kernelVersion: string;
  readonly idc: string;
  readonly location: string;
  /** Announced upload capacity, bits per second (0 = unknown). */
  readonly maxTxBandwidth: number;
  readonly maxRxBandwidth: number;
  readonly disableShared: boolean;
  readonly schedulerClusterId: number;
  readonly gitVersion: string;
  /** Announce interval the host uses, ms (0 = unknown). */
  readonly announceIntervalMs: number;
}

/**
 * A machine running dfdaemon (Dragonfly's `standard.Host`). No state machine; it carries the announced facts
 * and the scheduler's load counters, which edges and piece reports move.
 */
export class Host {
  info: HostInfo;
  /** Source IP the host announced from; peers of this host must connect from it too ('' = not checked). */
  observedIp: string;
  readonly createdAt: number;
  updatedAt: number;
  /** Ids of this host's peers. */
  readonly peerIds = new Set<string>();

  /** Concurrent uploads allowed (load limit): 200 normal, 2000 seed. */
  concurrentUploadLimit: number;
  /** Children currently attached to this host's peers (DAG out-edges). */
  concurrentUploadCount = 0;
  /** Pieces children reported as fetched from this host. */
  uploadCount = 0;
  /** Piece fetches from this host that children reported as failed. */
  uploadFailedCount = 0;
  /** Scheduler estimate of upload bandwidth in use (bps), from its edges. */
  txBandwidth = 0;
  /** Bytes this host is scheduled to upload, from its edges. */
  uploadContentLength = 0;
  /** Scheduler estimate of pieces being uploaded in parallel, from its edges. */
  concurrentUploadPieceCount = 0;
  /** Registrations being handled for this host right now. */
  concurrentRegisterCount = 0;
  /** d7y: observed upload rate (bytes/s), a moving average over pieces children fetched from this host; 0 = none yet. */
  uploadPieceRate = 0;

  constructor(info: HostInfo, observedIp: string, now = Date.now()) {
    this.info = info;
    this.observedIp = observedIp;
    this.createdAt = now;
    this.updatedAt = now;
    this.concurrentUploadLimit = info.type === 'super' ? SEED_HOST_UPLOAD_LIMIT : NORMAL_HOST_UPLOAD_LIMIT;
  }

  get id(): string {
    return this.info.id;
  }

  get type(): HostType {
    return this.info.type;
  }

  /** True for seed peers (host type super). */
  get isSeed(): boolean {
    return this.info.type === 'super';
  }

  /** Replaces the announced facts (re-announce), keeping counters; refreshes the TTL. */
  update(info: HostInfo, now = Date.now()): void {
    this.info = info;
    this.concurrentUploadLimit = info.type === 'super' ? SEED_HOST_UPLOAD_LIMIT : NORMAL_HOST_UPLOAD_LIMIT;
    this.updatedAt = now;
  }

  /**
   * d7y: folds one piece a child fetched from this host (`bytes` in `costMs`) into `uploadPieceRate`, an
   * exponential moving average with weight `UPLOAD_RATE_WEIGHT` for the newest piece. Zero costs are ignored.
   */
  observeUpload(bytes: number, costMs: number): void {
    if (!(bytes > 0) || !(costMs > 0)) return;
    const rate = (bytes * 1000) / costMs;
    this.uploadPieceRate = this.uploadPieceRate > 0 ? this.uploadPieceRate + UPLOAD_RATE_WEIGHT * (rate - this.uploadPieceRate) : rate;
  }

  /** Marks the host as active now (keeps it from GC). */
  touch(now = Date.now()): void {
    this.updatedAt = now;
  }
}
