/** The largest delay Node's `setTimeout`/`setInterval` take (~24.8 days); a longer one fires at once, with a warning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` cut to what a Node timer can wait, so that a long configured duration (say `3h`, or `30d`) waits, not fires. */
export function timerDelay(ms: number): number {
  return Math.min(Math.max(0, ms), MAX_TIMER_MS);
}
