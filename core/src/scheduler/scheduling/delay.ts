import { createError, ErrorCodes } from '../../common/errors.js';

/** A sleep that rejects with `D7Y_ERR_CANCELLED` when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The default `Sleep`: a timer, cancelled with the signal. */
export const abortableSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(createError(ErrorCodes.CANCELLED, 'cancelled'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(createError(ErrorCodes.CANCELLED, 'cancelled'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Dragonfly's `RandomDelayWithJitter`: a duration in [0.75·interval, 1.25·interval). */
export function jitteredInterval(intervalMs: number, random: () => number = Math.random): number {
  return intervalMs * (0.75 + 0.5 * random());
}

/**
 * Dragonfly's `ExponentialDelayWithJitter`: `d = min(base·2^attempt, max)`, then a duration in
 * `[d/2, 1.5·d)` (the code's behaviour, not its comment's).
 */
export function exponentialDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const d = Math.min(baseMs * 2 ** Math.max(0, Math.min(attempt, 30)), maxMs);
  return d / 2 + random() * d;
}
