import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type { TrafficType } from './task/types.js';

/** A disk measurement is reused for this long, so one scrape measures once. */
const DISK_READING_TTL_MS = 1000;

/** Live values read when Prometheus scrapes (gauges that are cheaper to read than to track). */
export interface DfdaemonGaugeSources {
  /** Pieces being served to other peers now. */
  activeUploads(): number;
  /** Capacity GC measures against and bytes used by stored tasks. */
  disk(): Promise<{ total: number; used: number }>;
}

/** dfdaemon's Prometheus metrics, named as Dragonfly's client names them. */
export class DfdaemonMetrics {
  readonly registry = new Registry();
  #sources: DfdaemonGaugeSources | undefined;
  #diskReading: { at: number; value: Promise<{ total: number; used: number } | undefined> } | undefined;
  readonly downloadTaskTotal = new Counter({
    name: 'dragonfly_client_download_task_total',
    help: 'Download tasks started, by type and tag.',
    labelNames: ['type', 'tag', 'app', 'priority'],
    registers: [this.registry],
  });
  readonly downloadTaskFailureTotal = new Counter({
    name: 'dragonfly_client_download_task_failure_total',
    help: 'Download tasks that failed.',
    labelNames: ['type', 'tag', 'app', 'priority'],
    registers: [this.registry],
  });
  readonly downloadTaskBlockedTotal = new Counter({
    name: 'dragonfly_client_download_task_blocked_total',
    help: "Downloads refused by the cluster's block list.",
    labelNames: ['type', 'tag', 'app', 'priority'],
    registers: [this.registry],
  });
  readonly concurrentDownloadTask = new Gauge({
    name: 'dragonfly_client_concurrent_download_task_total',
    help: 'Download tasks in progress.',
    registers: [this.registry],
  });
  readonly concurrentUploadPiece = new Gauge({
    name: 'dragonfly_client_concurrent_upload_piece_total',
    help: 'Pieces being served to other peers now.',
    registers: [this.registry],
    collect: () => {
      if (this.#sources) this.concurrentUploadPiece.set(this.#sources.activeUploads());
    },
  });
  readonly downloadTraffic = new Counter({
    name: 'dragonfly_client_download_traffic',
    help: 'Bytes downloaded, by where they came from.',
    labelNames: ['type', 'task_type'],
    registers: [this.registry],
  });
  readonly uploadTraffic = new Counter({
    name: 'dragonfly_client_upload_traffic',
    help: 'Bytes served to other peers.',
    labelNames: ['task_type'],
    registers: [this.registry],
  });
  readonly downloadTaskDuration = new Histogram({
    name: 'dragonfly_client_download_task_duration_milliseconds',
    help: 'Duration of download tasks, by content size class.',
    labelNames: ['task_size_level'],
    buckets: [10, 50, 100, 500, 1000, 5000, 10_000, 30_000, 60_000, 300_000, 1_800_000],
    registers: [this.registry],
  });
  readonly downloadPieceDuration = new Histogram({
    name: 'dragonfly_client_download_piece_duration_milliseconds',
    help: 'd7y: time to download one piece, by where it came from.',
    labelNames: ['type'],
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000],
    registers: [this.registry],
  });
  readonly backendRequestTotal = new Counter({
    name: 'dragonfly_client_backend_request_total',
    help: 'Requests sent to back-to-source origins, by scheme and method.',
    labelNames: ['scheme', 'method'],
    registers: [this.registry],
  });
  readonly backendRequestFailureTotal = new Counter({
    name: 'dragonfly_client_backend_request_failure_total',
    help: 'Back-to-source requests that failed, by scheme and method.',
    labelNames: ['scheme', 'method'],
    registers: [this.registry],
  });
  readonly backendRequestDuration = new Histogram({
    name: 'dragonfly_client_backend_request_duration_milliseconds',
    help: 'Time until a back-to-source origin answered (headers), by scheme and method.',
    labelNames: ['scheme', 'method'],
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000],
    registers: [this.registry],
  });
  readonly proxyRequestTotal = new Counter({
    name: 'dragonfly_client_proxy_request_total',
    help: 'Requests received by the proxy (CONNECT tunnels and requests inside them included).',
    registers: [this.registry],
  });
  readonly proxyRequestFailureTotal = new Counter({
    name: 'dragonfly_client_proxy_request_failure_total',
    help: 'Proxy requests answered with an error by the proxy itself (refused, rate limited, unreachable).',
    registers: [this.registry],
  });
  readonly proxyRequestViaDfdaemonTotal = new Counter({
    name: 'dragonfly_client_proxy_request_via_dfdaemon_total',
    help: 'Proxy requests served through the task engine (P2P).',
    registers: [this.registry],
  });
  readonly proxyRequestViaDfdaemonFailureTotal = new Counter({
    name: 'dragonfly_client_proxy_request_via_dfdaemon_failure_total',
    help: 'Proxy requests through the task engine that failed.',
    registers: [this.registry],
  });
  readonly diskSpaceTotal = new Gauge({
    name: 'dragonfly_client_disk_space_total',
    help: 'Capacity GC measures against, in bytes.',
    registers: [this.registry],
    collect: async () => {
      const disk = await this.#disk();
      if (disk) this.diskSpaceTotal.set(disk.total);
    },
  });
  readonly diskUsageSpaceTotal = new Gauge({
    name: 'dragonfly_client_disk_usage_space_total',
    help: 'Bytes used of disk_space_total: on the storage disk, or by stored tasks when gc.policy.diskThreshold is set.',
    registers: [this.registry],
    collect: async () => {
      const disk = await this.#disk();
      if (disk) this.diskUsageSpaceTotal.set(disk.used);
    },
  });
  readonly version = new Gauge({
    name: 'dragonfly_client_version',
    help: 'Version of the running dfdaemon.',
    labelNames: ['git_version', 'platform'],
    registers: [this.registry],
  });

  constructor(version: string) {
    collectDefaultMetrics({ register: this.registry });
    this.version.labels(version, `${process.platform}-${process.arch}`).set(1);
  }

  /** One disk measurement shared by the gauges of one scrape (they are collected concurrently). */
  #disk(): Promise<{ total: number; used: number } | undefined> {
    const sources = this.#sources;
    if (!sources) return Promise.resolve(undefined);
    const now = Date.now();
    if (!this.#diskReading || now - this.#diskReading.at > DISK_READING_TTL_MS) {
      this.#diskReading = { at: now, value: sources.disk().catch(() => undefined) };
    }
    return this.#diskReading.value;
  }

  /** Connects the gauges that are read at scrape time (concurrent uploads, disk space). */
  attachSources(sources: DfdaemonGaugeSources): void {
    this.#sources = sources;
  }

  /** Counts downloaded bytes of one piece and, when known, how long it took. */
  recordPiece(trafficType: TrafficType, bytes: number, costMs?: number): void {
    const type = trafficType.toLowerCase();
    this.downloadTraffic.labels(type, 'standard').inc(bytes);
    if (costMs !== undefined && costMs >= 0) this.downloadPieceDuration.labels(type).observe(costMs);
  }
}

/** Dragonfly's size classes for task duration histograms. */
export function taskSizeLevel(contentLength: number): string {
  const MiB = 1024 * 1024;
  const levels = [1, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
  const index = levels.findIndex((limit) => contentLength <= limit * MiB);
  return String(index === -1 ? levels.length : index);
}
