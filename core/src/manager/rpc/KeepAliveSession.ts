/**
 * One KeepAlive client stream (spec 9.4). The first message names the sender (a scheduler or a seed peer)
 * and marks its row active; every later message refreshes `last_keep_alive_at` (at most once per
 * `MIN_BEAT_WRITE_INTERVAL_MS`); the end of the stream, an error, a cancel or `idleTimeoutMs` without a
 * message marks it inactive, unless another stream of the same sender is still open.
 */
import { Metadata, type sendUnaryData, type ServerReadableStream } from '@grpc/grpc-js';
import type { googleProtobuf, managerV2 } from '@d7y/proto';

import { createError, ErrorCodes, toServiceError } from '../../common/errors.js';
import type { LivenessState } from '../models/index.js';
import type { RpcContext } from './RpcContext.js';
import { clusterIdField, hostnameField, invalidField, ipField, sourceTypeField } from './validateRequest.js';

/** Liveness writes per stream are at most this frequent; extra messages only reset the idle timer. */
export const MIN_BEAT_WRITE_INTERVAL_MS = 1000;

/** Who a KeepAlive stream speaks for. */
interface Sender {
  readonly kind: 'SCHEDULER_SOURCE' | 'SEED_PEER_SOURCE';
  readonly hostname: string;
  readonly ip: string;
  readonly clusterId: number;
}

const idOf = (s: Sender) => `${s.kind}/${s.clusterId}/${s.hostname}/${s.ip}`;

/** Open streams per sender, so that only the last stream of a sender to end marks it inactive. */
export class KeepAliveStreams {
  readonly #open = new Map<string, number>();
  #total = 0;

  /** Number of open streams overall. */
  get total(): number {
    return this.#total;
  }

  /** Counts a stream opening for `id`. */
  open(id: string): void {
    this.#open.set(id, (this.#open.get(id) ?? 0) + 1);
    this.#total++;
  }

  /** Counts a stream of `id` closing; returns how many remain open for it. */
  close(id: string): number {
    const left = (this.#open.get(id) ?? 1) - 1;
    if (left <= 0) this.#open.delete(id);
    else this.#open.set(id, left);
    this.#total--;
    return Math.max(0, left);
  }
}

function senderOf(req: managerV2.KeepAliveRequest__Output): Sender {
  const kind = sourceTypeField(req.sourceType, ['SCHEDULER_SOURCE', 'SEED_PEER_SOURCE']) as Sender['kind'];
  return { kind, hostname: hostnameField(req.hostname), ip: ipField(req.ip), clusterId: clusterIdField(req.clusterId, 'cluster_id', false) };
}

async function setLiveness(ctx: RpcContext, sender: Sender, state: LivenessState): Promise<boolean> {
  if (sender.kind === 'SCHEDULER_SOURCE') {
    return ctx.repos.schedulers.setLiveness({ host_name: sender.hostname, ip: sender.ip, scheduler_cluster_id: sender.clusterId }, state);
  }
  return ctx.repos.seedPeers.setLiveness({ host_name: sender.hostname, ip: sender.ip, seed_peer_cluster_id: sender.clusterId }, state);
}

/** Serves one KeepAlive stream. */
export class KeepAliveSession {
  #sender: Sender | undefined;
  #registered = false;
  #done = false;
  #lastWrite = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  /** Database work of this stream, in arrival order. */
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: RpcContext,
    private readonly streams: KeepAliveStreams,
    private readonly call: ServerReadableStream<managerV2.KeepAliveRequest__Output, googleProtobuf.Empty>,
    private readonly callback: sendUnaryData<googleProtobuf.Empty>,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Starts listening to the stream. */
  start(): void {
    this.#armIdle();
    this.call.on('data', (message: managerV2.KeepAliveRequest__Output) => this.#enqueue(() => this.#onMessage(message)));
    this.call.on('end', () => this.#enqueue(() => this.#finish(undefined)));
    this.call.on('error', () => this.#enqueue(() => this.#finish(undefined, false)));
    this.call.on('cancelled', () => this.#enqueue(() => this.#finish(undefined, false)));
  }

  #enqueue(work: () => Promise<void>): void {
    this.#chain = this.#chain.then(work).catch((error: unknown) => this.#finish(error));
  }

  #armIdle(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#enqueue(() => this.#finish(createError(ErrorCodes.TIMEOUT, `no keep-alive message for ${this.idleTimeoutMs} ms`)));
    }, this.idleTimeoutMs);
    this.#idleTimer.unref();
  }

  async #onMessage(message: managerV2.KeepAliveRequest__Output): Promise<void> {
    if (this.#done) return;
    this.#armIdle();
    const sender = senderOf(message);
    if (!this.#sender) {
      this.#sender = sender;
      if (!(await setLiveness(this.ctx, sender, 'active'))) {
        const what = sender.kind === 'SCHEDULER_SOURCE' ? 'scheduler' : 'seed peer';
        throw createError(ErrorCodes.NOT_FOUND, `${what} ${sender.hostname} (${sender.ip}) in cluster ${sender.clusterId} is not registered; call Update first`);
      }
      this.streams.open(idOf(sender));
      this.ctx.metrics.keepAliveStreams.inc();
      this.#registered = true;
      this.#lastWrite = Date.now();
      await this.ctx.cache.invalidate();
      this.ctx.logger.info({ kind: sender.kind, hostname: sender.hostname, ip: sender.ip, clusterId: sender.clusterId }, 'keep-alive started: active');
      return;
    }
    if (idOf(sender) !== idOf(this.#sender)) invalidField('hostname', 'a KeepAlive stream must keep naming the same sender');
    if (Date.now() - this.#lastWrite < MIN_BEAT_WRITE_INTERVAL_MS) return;
    this.#lastWrite = Date.now();
    await setLiveness(this.ctx, sender, 'active');
  }

  /** Ends the stream once: marks the sender inactive (if it was the last stream) and answers when possible. */
  async #finish(error: unknown, canAnswer = true): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#idleTimer);
    const sender = this.#sender;
    if (sender && this.#registered) this.ctx.metrics.keepAliveStreams.dec();
    if (sender && this.#registered && this.streams.close(idOf(sender)) === 0 && !this.ctx.lifecycle.stopping) {
      try {
        await setLiveness(this.ctx, sender, 'inactive');
        await this.ctx.cache.invalidate();
        this.ctx.logger.info({ kind: sender.kind, hostname: sender.hostname, ip: sender.ip, clusterId: sender.clusterId }, 'keep-alive ended: inactive');
      } catch (markError) {
        this.ctx.logger.warn({ err: markError, hostname: sender.hostname }, 'could not mark sender inactive');
      }
    }
    if (!canAnswer) return;
    if (error === undefined) this.callback(null, {});
    else {
      this.ctx.logger.debug({ err: error }, 'keep-alive stream failed');
      this.callback(toServiceError(error, () => new Metadata()) as Parameters<sendUnaryData<googleProtobuf.Empty>>[0]);
    }
  }
}
