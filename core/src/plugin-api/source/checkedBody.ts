/**
 * For source plugins. A body stream that must yield exactly `expected` bytes: a short body (the connection ended early) or a
 * long one fails the stream, so a truncated object is never mistaken for a whole one.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';

import type { D7yError } from '../errors.js';

/** Builds the error for a body of the wrong size (`received` bytes where `expected` were announced). */
export type SizeError = (received: number, expected: number) => D7yError;

/**
 * Pipes `body` through a counter that fails with `sizeError` when more or fewer than `expected` bytes arrive.
 * Errors of `body` itself are mapped with `mapError`. Destroying the result destroys `body`.
 */
export function checkedBody(body: Readable, expected: number, sizeError: SizeError, mapError: (error: unknown, received: number) => Error): Readable {
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      received += chunk.length;
      if (received > expected) return done(sizeError(received, expected));
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      done(received === expected ? null : sizeError(received, expected));
    },
  });
  body.on('error', (error) => counter.destroy(mapError(error, received)));
  counter.on('close', () => {
    if (!body.destroyed) body.destroy();
  });
  body.pipe(counter);
  return counter;
}
