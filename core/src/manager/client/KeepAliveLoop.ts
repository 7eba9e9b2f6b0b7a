/**
 * Registration plus a KeepAlive stream to the manager, for schedulers and seed peers: `register()` (an
 * Update call) first, then one message right away and one every `intervalMs`. When the stream breaks or
 * registration fails, it retries with exponential back-off (re-registering first, since a restarted manager
 * may have lost the row); the caller keeps working meanwhile. `stop()` ends the stream, which the manager
 * takes as "inactive".
 */
import type { managerV2 } from '@d7y/proto';

import type { Logger } from '../../plugin-api/Logger.js';
import type { KeepAliveStream, ManagerClient } from './ManagerClient.js';

/** First pause between reconnect attempts. */
export const MIN_RECONNECT_DELAY_MS = 500;
/** Longest pause between reconnect attempts. */
export const MAX_RECONNECT_DELAY_MS = 10_000;

/** What to keep alive. */
export interface KeepAliveLoopOptions {
  /** The Update call that creates or refreshes the sender's row. */
  readonly register: () => Promise<unknown>;
  /** Called after each successful registration (e.g. to refresh config); its failure is only logged. */
  readonly onRegistered?: () => Promise<unknown>;
  readonly message: managerV2.KeepAliveRequest;
  readonly intervalMs: number;
}

/** Keeps a sender registered and alive at the manager. */
export class KeepAliveLoop {
  #stream: KeepAliveStream | undefined;
  #registered = false;
  #stopped = false;
  #beatTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #delay = MIN_RECONNECT_DELAY_MS;

  constructor(
    private readonly client: ManagerClient,
    private readonly options: KeepAliveLoopOptions,
    private readonly logger: Logger,
  ) {}

  /** Whether the sender is registered and its keep-alive stream is open. */
  get connected(): boolean {
    return this.#registered && this.#stream !== undefined;
  }

  /** Makes the first attempt (never throws; failures are retried in the background). */
  async start(): Promise<void> {
    await this.#connect();
  }

  /** Ends the stream (waiting briefly for the manager's answer) and stops retrying. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#beatTimer);
    clearTimeout(this.#reconnectTimer);
    const stream = this.#stream;
    this.#stream = undefined;
    if (!stream) return;
    stream.end();
    await Promise.race([stream.done.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.options.register();
    } catch (error) {
      this.logger.warn({ err: error, manager: this.client.addr }, 'registering with the manager failed; retrying');
      this.#retry();
      return;
    }
    if (this.#stopped) return;
    if (!this.#registered) this.logger.info({ manager: this.client.addr }, 'registered with the manager');
    this.#registered = true;
    this.#open();
    await this.options.onRegistered?.().catch((error: unknown) => this.logger.warn({ err: error }, 'post-registration step failed'));
  }

  #open(): void {
    const stream = this.client.keepAlive();
    this.#stream = stream;
    stream.send(this.options.message);
    clearInterval(this.#beatTimer);
    this.#beatTimer = setInterval(() => stream.send(this.options.message), this.options.intervalMs);
    this.#beatTimer.unref();
    this.#delay = MIN_RECONNECT_DELAY_MS;
    stream.done.then(
      () => this.#ended(stream, undefined),
      (error: unknown) => this.#ended(stream, error),
    );
  }

  #ended(stream: KeepAliveStream, error: unknown): void {
    if (this.#stopped || this.#stream !== stream) return;
    this.#stream = undefined;
    clearInterval(this.#beatTimer);
    this.logger.warn({ err: error, manager: this.client.addr }, 'keep-alive stream to the manager ended; reconnecting');
    this.#retry();
  }

  #retry(): void {
    if (this.#stopped) return;
    clearTimeout(this.#reconnectTimer);
    const delay = this.#delay;
    this.#delay = Math.min(MAX_RECONNECT_DELAY_MS, delay * 2);
    this.#reconnectTimer = setTimeout(() => void this.#connect(), delay);
    this.#reconnectTimer.unref();
  }
}
