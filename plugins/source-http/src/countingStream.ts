/**
 * The body stream handed to callers. The transport pushes the origin's chunks straight into it (no copies, no
 * intermediate stream), it counts them, applies backpressure to the connection, and turns every way a body
 * can go wrong into a stream error, so a short or long body is never mistaken for a whole one.
 */
import { Readable } from 'node:stream';

import { isD7yError, type D7yError } from '@d7y/core/plugin-api';

/** Flow control of the underlying response (an undici dispatch controller fits). */
export interface BodyFlow {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

/** Builds the coded errors of a body; `expected` is -1 when unknown. */
export interface BodyErrors {
  /** The origin ended the body (cleanly) before `expected` bytes. */
  truncated(received: number, expected: number): D7yError;
  /** The origin sent more than `expected` bytes. */
  tooLong(received: number, expected: number): D7yError;
  /** The response failed (socket closed, idle timeout, abort) after `received` bytes. */
  failed(error: unknown, received: number, expected: number): D7yError;
}

/** Default bytes buffered before the connection is paused. */
export const DEFAULT_HIGH_WATER_MARK = 256 * 1024;

/** Most bytes read and thrown away to keep a connection reusable after an unwanted answer. */
export const DISCARD_LIMIT = 128 * 1024;

/**
 * A readable fed by a producer (`write`, `end`, `fail`) that checks the byte count against `expected`.
 * Destroying it before the producer finished aborts the response, which closes its connection.
 */
export class CountingBody extends Readable {
  private received = 0;
  /** The response finished or failed: nothing more will be written. */
  private producerDone = false;
  /** The stream was failed with an error; later verdicts are ignored. */
  private failed = false;
  private discarding = false;

  constructor(
    private readonly flow: BodyFlow,
    private expected: number,
    private readonly errors: BodyErrors,
    highWaterMark = DEFAULT_HIGH_WATER_MARK,
  ) {
    super({ highWaterMark });
  }

  /** Bytes received from the origin so far. */
  get bytesReceived(): number {
    return this.received;
  }

  /** Bytes the body must have, or -1 when unknown. */
  get expectedLength(): number {
    return this.expected;
  }

  /**
   * Narrows the byte count the body must have (for example to a range length). Checked against what arrived
   * already, including a body that has completely arrived before this call.
   */
  expect(expected: number): this {
    this.expected = expected;
    if (expected >= 0 && this.received > expected) this.reject(this.errors.tooLong(this.received, expected));
    else if (expected >= 0 && this.producerDone && this.received < expected) this.reject(this.errors.truncated(this.received, expected));
    return this;
  }

  /** Producer: one chunk from the origin. */
  write(chunk: Buffer): void {
    if (this.producerDone || this.failed) return;
    this.received += chunk.length;
    if (this.discarding) {
      if (this.received > DISCARD_LIMIT) this.destroy();
      return;
    }
    if (this.expected >= 0 && this.received > this.expected) {
      this.reject(this.errors.tooLong(this.received, this.expected));
      return;
    }
    if (!this.push(chunk)) this.flow.pause();
  }

  /** Producer: the origin finished the body. */
  end(): void {
    if (this.producerDone) return;
    this.producerDone = true;
    if (this.failed) return;
    if (this.discarding) {
      this.destroy();
      return;
    }
    if (this.expected >= 0 && this.received < this.expected) {
      this.reject(this.errors.truncated(this.received, this.expected));
      return;
    }
    this.push(null);
  }

  /** Producer: the response failed. Coded errors pass through; others are mapped with `errors.failed`. */
  fail(error: unknown): void {
    if (this.producerDone) return;
    this.producerDone = true;
    this.reject(isD7yError(error) ? error : this.errors.failed(error, this.received, this.expected));
  }

  /**
   * Throws the body away: small remainders are read so the connection goes back to the pool, larger ones
   * abort the response.
   */
  discard(): void {
    if (this.destroyed) return;
    const remaining = this.expected >= 0 ? this.expected - this.received : Infinity;
    if (this.producerDone || this.failed || remaining > DISCARD_LIMIT) {
      this.destroy();
      return;
    }
    this.discarding = true;
    this.flow.resume();
  }

  override _read(): void {
    if (!this.producerDone) this.flow.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.producerDone) {
      this.producerDone = true;
      this.flow.abort(error ?? new Error('response body discarded'));
    }
    callback(error);
  }

  /** Fails the stream with a verdict; aborts the response if it is still running. */
  private reject(error: D7yError): void {
    if (this.failed || this.destroyed) return;
    this.failed = true;
    this.destroy(error);
  }
}
