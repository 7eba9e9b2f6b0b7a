/**
 * Follows a download's events for one proxy response: remembers which pieces are stored, and lets the writer
 * wait for the next piece it needs, for the end (content complete and verified), or for the failure.
 */
import { createError, ErrorCodes } from '../../common/errors.js';
import type { TaskEvent } from '../task/types.js';

/** What the `started` event says about the task. */
export type StartedInfo = Extract<TaskEvent, { type: 'started' }>;

/** Piece bookkeeping between the event pump and the response writer (one writer). */
export class PieceProgress {
  private readonly stored = new Set<number>();
  private ended = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;
  private resolveStarted!: (info: StartedInfo) => void;
  private rejectStarted!: (error: unknown) => void;
  /** Resolves with the first event, or rejects when the download fails before it. */
  readonly started: Promise<StartedInfo>;

  constructor() {
    this.started = new Promise<StartedInfo>((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    this.started.catch(() => undefined);
  }

  /** Pulls every event of `events` into this object; never throws. */
  async pump(events: AsyncIterable<TaskEvent>): Promise<void> {
    try {
      for await (const event of events) {
        if (event.type === 'started') this.resolveStarted(event);
        else this.stored.add(event.piece.number);
        this.notify();
      }
      this.ended = true;
      this.rejectStarted(createError(ErrorCodes.INTERNAL, 'download ended without a started event'));
    } catch (error) {
      this.failure = { error };
      this.rejectStarted(error);
    }
    this.notify();
  }

  /** Resolves once piece `number` is stored; throws the download's failure. */
  async piece(number: number): Promise<void> {
    for (;;) {
      if (this.stored.has(number)) return;
      if (this.failure) throw this.failure.error;
      if (this.ended) throw createError(ErrorCodes.INTERNAL, `download ended without piece ${number}`);
      await this.next();
    }
  }

  /** Resolves once the download has ended successfully (content complete and, with a digest, verified). */
  async end(): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure.error;
      if (this.ended) return;
      await this.next();
    }
  }

  private next(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
