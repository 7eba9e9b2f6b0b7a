import type { schedulerV2 } from '@d7y/proto';

/** The ids an AnnouncePeer stream is bound to by its register message. */
export interface StreamIds {
  readonly hostId: string;
  readonly taskId: string;
  readonly peerId: string;
}

/** What event handlers see of an AnnouncePeer stream. */
export interface PeerStream {
  /** Aborts when the stream ends (client gone, error, scheduler stopping). */
  readonly signal: AbortSignal;
  /** Sends one response (dropped once the stream is closed). */
  send(response: schedulerV2.AnnouncePeerResponse): void;
  /** W3C trace context of this stream's span, handed on to seed peers it triggers (tracing). */
  readonly traceparent?: string;
}
