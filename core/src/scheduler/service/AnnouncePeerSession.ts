import { Metadata, type ServerDuplexStream } from '@grpc/grpc-js';
import type { schedulerV2 } from '@d7y/proto';

import { createError, ErrorCodes, toServiceError } from '../../common/errors.js';
import { Tracing, traceparentOf, type TraceSpan } from '../../common/tracing/Tracing.js';
import { BASE_MESSAGES_PER_STREAM, MAX_RESCHEDULES_PER_STREAM, MESSAGES_PER_PIECE } from '../constants.js';
import type { Peer } from '../resource/Peer.js';
import { dispatchPeerEvent } from './dispatch.js';
import type { EventOutcome } from './peerEvents.js';
import type { PeerStream, StreamIds } from './PeerStream.js';
import { handleRegisterPeer } from './registerPeer.js';
import type { ServiceContext } from './ServiceContext.js';
import { observedIp } from './sourceAddress.js';
import { assertId, invalid } from './validateCommon.js';

type Call = ServerDuplexStream<schedulerV2.AnnouncePeerRequest__Output, schedulerV2.AnnouncePeerResponse>;

/**
 * One AnnouncePeer stream. Messages are handled strictly one at a time (the stream is paused while a handler
 * runs, as Dragonfly's Recv loop does). The first message must be `register_peer_request`; it binds the stream
 * to its (host_id, task_id, peer_id) and every later message must carry the same ids. Bounded: one register,
 * `MAX_RESCHEDULES_PER_STREAM` reschedules, a message budget from the task's piece count, a register timeout
 * and an idle timeout. When the stream ends before the peer finished, the peer leaves.
 */
export class AnnouncePeerSession implements PeerStream {
  readonly #controller = new AbortController();
  readonly #sourceIp: string;
  #ids: StreamIds | undefined;
  #peer: Peer | undefined;
  #messages = 0;
  #reschedules = 0;
  #closed = false;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  readonly #span: TraceSpan;

  constructor(
    private readonly call: Call,
    private readonly ctx: ServiceContext,
  ) {
    this.#sourceIp = observedIp(call.getPeer());
    this.#span = (ctx.tracing ?? Tracing.off()).startSpan('scheduler.AnnouncePeer', traceparentOf(call.metadata), {}, 'server');
  }

  get traceparent(): string | undefined {
    return this.#span.traceparent;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Starts reading the stream. */
  start(): void {
    const { call } = this;
    this.#arm(this.ctx.settings.registerTimeoutMs, 'no register_peer_request received in time');
    call.on('data', (message: schedulerV2.AnnouncePeerRequest__Output) => {
      if (this.#closed) return;
      call.pause();
      this.#chain = this.#chain
        .then(() => this.#handle(message))
        .then(
          (outcome) => (outcome === 'close' ? this.#close() : undefined),
          (error: unknown) => this.#fail(error),
        )
        .finally(() => {
          if (!this.#closed) {
            this.#arm(this.ctx.settings.streamIdleTimeoutMs, 'stream idle for too long');
            call.resume();
          }
        });
    });
    call.on('end', () => {
      void this.#chain.then(() => this.#close());
    });
    call.on('cancelled', () => this.#cleanup());
    call.on('error', () => this.#cleanup());
  }

  /** Sends a response unless the stream is closed. */
  send(response: schedulerV2.AnnouncePeerResponse): void {
    if (!this.#closed) this.call.write(response);
  }

  /** Ends the stream with UNAVAILABLE (the scheduler is stopping). */
  abort(): void {
    this.#fail(createError(ErrorCodes.UNAVAILABLE, 'scheduler is stopping'));
  }

  async #handle(message: schedulerV2.AnnouncePeerRequest__Output): Promise<EventOutcome> {
    if (this.#closed) return 'continue';
    this.#messages++;
    const ids = {
      hostId: assertId(message.hostId, 'host_id'),
      taskId: assertId(message.taskId, 'task_id'),
      peerId: assertId(message.peerId, 'peer_id'),
    };
    if (!this.#ids) {
      if (message.request !== 'registerPeerRequest') invalid('the first message of AnnouncePeer must be register_peer_request');
      this.#ids = ids;
      this.#span.set({ 'd7y.host_id': ids.hostId, 'd7y.task_id': ids.taskId, 'd7y.peer_id': ids.peerId });
      this.#clearTimer();
      await handleRegisterPeer(this.ctx, this, ids, message.registerPeerRequest, this.#sourceIp, (peer) => {
        this.#peer = peer;
      });
      return 'continue';
    }
    const bound = this.#ids;
    if (ids.hostId !== bound.hostId || ids.taskId !== bound.taskId || ids.peerId !== bound.peerId) {
      invalid('host_id, task_id and peer_id must match the register_peer_request of this stream');
    }
    if (message.request === 'registerPeerRequest') invalid('register_peer_request may be sent only once per stream');
    const peer = this.#peer;
    if (!peer || this.ctx.resource.peers.get(peer.id) !== peer || peer.state === 'Leave') {
      throw createError(ErrorCodes.NOT_FOUND, `peer ${bound.peerId} not found (it left)`);
    }
    const budget = BASE_MESSAGES_PER_STREAM + MESSAGES_PER_PIECE * Math.max(0, peer.task.pieceCount);
    if (this.#messages > budget) throw createError(ErrorCodes.RESOURCE_EXHAUSTED, `more than ${budget} messages on one AnnouncePeer stream`);
    if (message.request === 'reschedulePeerRequest' && ++this.#reschedules > MAX_RESCHEDULES_PER_STREAM) {
      throw createError(ErrorCodes.RESOURCE_EXHAUSTED, `more than ${MAX_RESCHEDULES_PER_STREAM} reschedules on one stream`);
    }
    return dispatchPeerEvent(this.ctx, this, peer, message);
  }

  #arm(ms: number, reason: string): void {
    this.#clearTimer();
    this.#timer = setTimeout(() => this.#fail(createError(ErrorCodes.TIMEOUT, reason)), ms);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #close(): void {
    if (this.#closed) return;
    this.#cleanup();
    this.call.end();
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    this.#span.end(error);
    this.#cleanup();
    this.ctx.metrics.announcePeerFailureTotal.inc();
    this.ctx.logger.debug({ err: error, ...this.#ids }, 'AnnouncePeer stream failed');
    this.call.emit('error', toServiceError(error, () => new Metadata()));
  }

  #cleanup(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#span.end();
    this.#clearTimer();
    this.#controller.abort();
    this.ctx.activeStreams--;
    const peer = this.#peer;
    if (peer && !peer.fsm.is('Succeeded', 'Leave') && this.ctx.resource.peers.get(peer.id) === peer) {
      this.ctx.resource.peers.leave(peer);
      this.ctx.logger.debug({ peerId: peer.id, taskId: peer.task.id }, 'peer left with its stream');
    }
  }
}
