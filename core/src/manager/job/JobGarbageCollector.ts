/**
 * Deletes finished jobs older than `job.gc.ttl`, every `job.gc.interval`, `job.gc.batchSize` jobs per batch
 * (Dragonfly's job GC), so the jobs table of a manager that Harbor calls all day does not grow without end.
 * Each batch is one transaction; a failed run is logged and retried at the next interval.
 */
import { timerDelay } from '../../common/timers.js';
import type { Logger } from '../../plugin-api/Logger.js';
import type { DatabaseDriver } from '../../plugin-api/index.js';
import { JobRepository } from './JobRepository.js';

/** `job.gc` of manager.yaml. */
export interface JobGcSettings {
  intervalMs: number;
  ttlMs: number;
  batchSize: number;
}

/** Periodic deletion of old finished jobs. */
export class JobGarbageCollector {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: DatabaseDriver,
    private readonly settings: JobGcSettings,
    private readonly logger: Logger,
  ) {}

  /** Collects every `intervalMs` (the first run one interval after start). */
  start(): void {
    this.#timer = setInterval(() => void this.collect(), timerDelay(this.settings.intervalMs));
    this.#timer.unref();
  }

  /** Stops collecting. */
  stop(): void {
    clearInterval(this.#timer);
  }

  /** One run: deletes finished jobs last updated more than `ttlMs` before `now`; returns how many (on a failure, those deleted before it). */
  async collect(now = Date.now()): Promise<number> {
    const before = new Date(now - this.settings.ttlMs);
    let deleted = 0;
    try {
      for (;;) {
        const n = await this.db.transaction((tx) => new JobRepository(tx).deleteFinishedBefore(before, this.settings.batchSize));
        deleted += n;
        if (n < this.settings.batchSize) break;
      }
      if (deleted > 0) this.logger.info({ jobs: deleted, ttlMs: this.settings.ttlMs }, 'deleted finished jobs past job.gc.ttl');
      return deleted;
    } catch (error) {
      this.logger.warn({ err: error, deleted }, 'job garbage collection failed; retrying at the next interval');
      return deleted;
    }
  }
}
