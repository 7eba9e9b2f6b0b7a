/**
 * The body stream handed to callers: passes the origin's chunks through untouched (no copies), counts them,
 * and turns every way a body can go wrong into a stream error, so a short or long body is never mistaken for
 * a whole one.
 */
import { Readable } from 'node:stream';

import type { D7yError } from '@d7y/core/plugin-api';

/** How the counting stream reports problems; each callback builds the coded error. */
export interface CountingOptions {
  /** Bytes the body must have, or -1 when unknown (then only transport failures are errors). */
  expected: number;
  /** The origin ended the body (cleanly) before `expected` bytes. */
  truncated(received: number): D7yError;
  /** The origin sent more than `expected` bytes. */
  tooLong(received: number): D7yError;
  /** The source stream failed (socket closed, idle timeout, abort) after `received` bytes. */
  failed(error: unknown, received: number): D7yError;
  /** Buffered bytes before the origin is paused. */
  highWaterMark?: number;
}

/** Default buffering between origin and consumer. */
export const DEFAULT_HIGH_WATER_MARK = 256 * 1024;

/**
 * Wraps `source` in a readable that yields exactly its bytes and errors when the byte count is wrong or the
 * source fails. Destroying the result destroys the source, which aborts the request.
 */
export function countingStream(source: Readable, options: CountingOptions): Readable {
  const { expected } = options;
  let received = 0;
  let finished = false;

  const out = new Readable({
    highWaterMark: options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
    read() {
      if (source.isPaused()) source.resume();
    },
    destroy(error, callback) {
      if (!source.destroyed) source.destroy();
      callback(error);
    },
  });

  const fail = (error: D7yError) => {
    if (finished) return;
    finished = true;
    out.destroy(error);
  };

  source.on('data', (chunk: Buffer) => {
    if (finished) return;
    received += chunk.length;
    if (expected >= 0 && received > expected) {
      fail(options.tooLong(received));
      return;
    }
    if (!out.push(chunk)) source.pause();
  });
  source.once('end', () => {
    if (finished) return;
    if (expected >= 0 && received < expected) return fail(options.truncated(received));
    finished = true;
    out.push(null);
  });
  // Kept attached for good: a source destroyed by us may still emit an error, which must not go unhandled.
  source.on('error', (error) => fail(options.failed(error, received)));
  source.once('close', () => {
    if (!finished) fail(options.truncated(received));
  });
  return out;
}
