import { statfs } from 'node:fs/promises';

import type { Logger, StorageEngine, TaskUsage } from '../../plugin-api/index.js';

/** GC settings (`gc` in dfdaemon.yaml), durations in milliseconds, sizes in bytes. */
export interface GarbageCollectorOptions {
  storage: StorageEngine;
  logger: Logger;
  /** Directory whose filesystem is measured when `diskThreshold` is 0. */
  dir: string;
  intervalMs: number;
  /** Finished or failed tasks not used for this long are removed. */
  taskTtlMs: number;
  /** Unfinished tasks not updated for this long are abandoned and removed. */
  unfinishedTtlMs: number;
  /** Capacity that the percentages refer to; 0 means the whole filesystem. */
  diskThreshold: number;
  highThresholdPercent: number;
  lowThresholdPercent: number;
  /** True while a task is downloading or being uploaded: never collected. */
  isBusy(taskId: string): boolean;
  /** Called for every removed task (to tell the scheduler). */
  onEvicted?(taskId: string, reason: 'ttl' | 'disk'): void;
}

/** What one GC pass did. */
export interface GcReport {
  expired: string[];
  evicted: string[];
  usagePercentBefore: number;
  usagePercentAfter: number;
}

/**
 * Removes expired tasks, then, when disk use is at or above the high threshold, evicts the least recently used
 * idle tasks until use falls to the low threshold.
 */
export class GarbageCollector {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<GcReport> | undefined;

  constructor(private readonly options: GarbageCollectorOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      this.runOnce().catch((error: unknown) => this.options.logger.error({ err: error }, 'gc pass failed'));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs one pass (passes never overlap). */
  runOnce(now = Date.now()): Promise<GcReport> {
    this.running ??= this.pass(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(now: number): Promise<GcReport> {
    const { storage, logger } = this.options;
    let usage = await storage.usage();
    const expired: string[] = [];
    for (const task of usage) {
      if (this.options.isBusy(task.id)) continue;
      const ttl = task.finished || task.failed ? this.options.taskTtlMs : this.options.unfinishedTtlMs;
      if (now - task.updatedAt >= ttl) {
        await storage.deleteTask(task.id);
        expired.push(task.id);
        this.options.onEvicted?.(task.id, 'ttl');
      }
    }
    if (expired.length > 0) usage = await storage.usage();

    const disk = await this.measure(usage);
    const before = disk.percent;
    const evicted: string[] = [];
    if (disk.percent >= this.options.highThresholdPercent) {
      let toFree = disk.used - (disk.total * this.options.lowThresholdPercent) / 100;
      const candidates = usage
        .filter((task) => !this.options.isBusy(task.id) && (task.finished || task.failed || now - task.updatedAt >= this.options.unfinishedTtlMs))
        .sort((a, b) => a.updatedAt - b.updatedAt);
      for (const task of candidates) {
        if (toFree <= 0) break;
        await storage.deleteTask(task.id);
        evicted.push(task.id);
        toFree -= task.bytes;
        this.options.onEvicted?.(task.id, 'disk');
      }
    }
    const after = evicted.length > 0 ? (await this.measure(await storage.usage())).percent : before;
    if (expired.length > 0 || evicted.length > 0) {
      logger.info({ expired: expired.length, evicted: evicted.length, usagePercentBefore: before, usagePercentAfter: after }, 'gc pass removed tasks');
    }
    return { expired, evicted, usagePercentBefore: before, usagePercentAfter: after };
  }

  /** Used and total bytes as GC measures them (the disk of `dir`, or stored tasks against `diskThreshold`). */
  async diskUsage(): Promise<{ used: number; total: number }> {
    const { used, total } = await this.measure(await this.options.storage.usage());
    return { used, total };
  }

  private async measure(usage: TaskUsage[]): Promise<{ used: number; total: number; percent: number }> {
    if (this.options.diskThreshold > 0) {
      const used = usage.reduce((sum, task) => sum + task.bytes, 0);
      const total = this.options.diskThreshold;
      return { used, total, percent: (used / total) * 100 };
    }
    const fs = await statfs(this.options.dir);
    const total = fs.blocks * fs.bsize;
    const used = total - fs.bavail * fs.bsize;
    return { used, total, percent: total > 0 ? (used / total) * 100 : 0 };
  }
}
