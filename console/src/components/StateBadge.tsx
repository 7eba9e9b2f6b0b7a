/** A coloured badge for liveness (`active`/`inactive`), job states and token states. */
const TONES: Record<string, string> = {
  active: 'ok',
  enable: 'ok',
  SUCCESS: 'ok',
  success: 'ok',
  cached: 'ok',
  inactive: 'muted',
  disable: 'muted',
  FAILURE: 'bad',
  failure: 'bad',
  PENDING: 'wait',
  RECEIVED: 'wait',
  STARTED: 'wait',
  RETRY: 'wait',
};

/** The badge for `state`. */
export function StateBadge({ state }: { state: string }) {
  return <span className={`badge badge-${TONES[state] ?? 'muted'}`} data-state={state}>{state}</span>;
}
