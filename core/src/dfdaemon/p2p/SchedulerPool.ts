import { credentials, type ServiceError } from '@grpc/grpc-js';
import { type commonV2, grpcChannelOptions, loadProtos, type schedulerV2 } from '@d7y/proto';

import { createError, ErrorCodes } from '../../common/errors.js';
import type { Logger } from '../../plugin-api/index.js';
import { HashRing } from './hashRing.js';

/** How long a scheduler that failed is skipped before it is tried again. */
const UNHEALTHY_BACKOFF_MS = 5_000;
/** A scheduler dropped from the pool keeps its channel this long, so downloads running on it can finish. */
const RETIRED_CLIENT_GRACE_MS = 10 * 60_000;

/**
 * The schedulers a dfdaemon talks to: announces its host to each of them periodically, and routes every task to
 * one scheduler chosen by consistent hash of the task id, skipping schedulers that recently failed.
 */
export class SchedulerPool {
  private readonly clients = new Map<string, schedulerV2.SchedulerClient>();
  private ring: HashRing<string>;
  private readonly retired = new Set<schedulerV2.SchedulerClient>();
  private readonly unhealthyUntil = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    addrs: readonly string[],
    private readonly host: () => commonV2.Host,
    private readonly announceIntervalMs: number,
    private readonly logger: Logger,
  ) {
    for (const addr of addrs) this.clients.set(addr, newClient(addr));
    this.ring = new HashRing([...this.clients.keys()]);
  }

  /** The scheduler addresses in use. */
  addrs(): string[] {
    return [...this.clients.keys()];
  }

  /**
   * Replaces the scheduler set without a restart (dynconfig from the manager): new schedulers are announced
   * to at once; dropped ones leave the hash ring now and close their channel after a grace period. Returns
   * whether anything changed.
   */
  setSchedulers(addrs: readonly string[]): boolean {
    const next = new Set(addrs);
    const added = [...next].filter((addr) => !this.clients.has(addr));
    const removed = [...this.clients.keys()].filter((addr) => !next.has(addr));
    if (added.length === 0 && removed.length === 0) return false;
    for (const addr of removed) {
      const client = this.clients.get(addr)!;
      this.clients.delete(addr);
      this.unhealthyUntil.delete(addr);
      this.retired.add(client);
      setTimeout(() => {
        this.retired.delete(client);
        client.close();
      }, RETIRED_CLIENT_GRACE_MS).unref();
    }
    for (const addr of added) this.clients.set(addr, newClient(addr));
    this.ring = new HashRing([...this.clients.keys()]);
    this.logger.info({ added, removed, schedulers: this.addrs() }, 'scheduler set changed');
    for (const addr of added) {
      void this.announce(addr).catch((error: unknown) => this.logger.warn({ scheduler: addr, err: error }, 'announcing the host failed'));
    }
    return true;
  }

  get size(): number {
    return this.clients.size;
  }

  /** Announces the host to every scheduler now and then every announce interval. */
  async start(): Promise<void> {
    await this.announceAll();
    this.timer = setInterval(() => void this.announceAll(), this.announceIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const client of this.clients.values()) client.close();
    for (const client of this.retired) client.close();
    this.retired.clear();
  }

  /** Schedulers for a task: the hash owner first, healthy ones before recently failed ones. */
  schedulersFor(taskId: string): Array<{ addr: string; client: schedulerV2.SchedulerClient }> {
    const now = Date.now();
    const ordered = this.ring.lookup(taskId);
    const healthy = ordered.filter((addr) => (this.unhealthyUntil.get(addr) ?? 0) <= now);
    const rest = ordered.filter((addr) => !healthy.includes(addr));
    return [...healthy, ...rest].map((addr) => ({ addr, client: this.clients.get(addr)! }));
  }

  /** Remembers that a scheduler failed, so other tasks avoid it for a while. */
  markUnhealthy(addr: string): void {
    this.unhealthyUntil.set(addr, Date.now() + UNHEALTHY_BACKOFF_MS);
  }

  /** Announces the host to one scheduler (also used to re-register after a scheduler restart). */
  announce(addr: string): Promise<void> {
    const client = this.clients.get(addr);
    if (!client) return Promise.reject(createError(ErrorCodes.NOT_FOUND, `unknown scheduler ${addr}`));
    return new Promise((resolve, reject) => {
      client.AnnounceHost(
        { host: this.host(), interval: { seconds: Math.floor(this.announceIntervalMs / 1000), nanos: 0 } },
        { deadline: Date.now() + 5000 },
        (error: ServiceError | null) => {
          if (!error) {
            this.unhealthyUntil.delete(addr);
            return resolve();
          }
          this.markUnhealthy(addr);
          reject(error);
        },
      );
    });
  }

  /**
   * Tells every scheduler that this host leaves (DeleteHost), so that it stops handing this host to other
   * peers as a parent; each call is bounded by `timeoutMs`. Failures are logged, never thrown.
   */
  async leave(timeoutMs = 2000): Promise<void> {
    const hostId = this.host().id ?? '';
    await Promise.all(
      [...this.clients.entries()].map(
        ([addr, client]) =>
          new Promise<void>((resolve) => {
            client.DeleteHost({ hostId }, { deadline: Date.now() + timeoutMs }, (error: ServiceError | null) => {
              if (error) this.logger.warn({ scheduler: addr, err: error }, 'leaving the scheduler failed');
              resolve();
            });
          }),
      ),
    );
  }

  private async announceAll(): Promise<void> {
    await Promise.all(
      [...this.clients.keys()].map((addr) =>
        this.announce(addr).catch((error: unknown) => this.logger.warn({ scheduler: addr, err: error }, 'announcing the host failed')),
      ),
    );
  }
}

function newClient(addr: string): schedulerV2.SchedulerClient {
  const { scheduler } = loadProtos();
  return new scheduler.v2.Scheduler(addr, credentials.createInsecure(), grpcChannelOptions({ 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 2000 }));
}
