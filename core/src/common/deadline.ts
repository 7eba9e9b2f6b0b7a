/** An abort signal with a deadline, and the means to release its timer and listeners. */
export interface Deadline {
  /** Aborts when any of the given signals aborts, or with a `TimeoutError` once the deadline passes. */
  readonly signal: AbortSignal;
  /** True once the deadline itself (not one of the given signals) aborted the signal. */
  readonly timedOut: boolean;
  /** Clears the timer and detaches from the given signals; call it when the guarded work settles. */
  clear(): void;
}

/**
 * Combines `signals` with a deadline of `ms` milliseconds (none when `ms` is undefined).
 *
 * Unlike `AbortSignal.any([..., AbortSignal.timeout(ms)])`, the timer here is held strongly: on Node 20 the
 * composite signal references its sources weakly and the timeout signal can be garbage-collected before it
 * fires, which silently turns a stall timeout into a hang.
 */
export function deadline(signals: ReadonlyArray<AbortSignal | undefined>, ms?: number): Deadline {
  const controller = new AbortController();
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  let timedOut = false;
  const detach: Array<() => void> = [];
  const abort = (reason: unknown): void => {
    if (controller.signal.aborted) return;
    controller.abort(reason);
    clear();
  };
  let timer: NodeJS.Timeout | undefined;
  const clear = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    for (const off of detach.splice(0)) off();
  };
  for (const signal of present) {
    if (signal.aborted) {
      abort(signal.reason);
      break;
    }
    const listener = (): void => abort(signal.reason);
    signal.addEventListener('abort', listener, { once: true });
    detach.push(() => signal.removeEventListener('abort', listener));
  }
  if (ms !== undefined && !controller.signal.aborted) {
    timer = setTimeout(() => {
      timedOut = true;
      abort(new DOMException(`deadline of ${ms} ms passed`, 'TimeoutError'));
    }, ms);
  }
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    clear,
  };
}
