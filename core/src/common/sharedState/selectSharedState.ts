import type { SharedStateBackend } from '../../plugin-api/database/SharedStateBackend.js';
import { InProcessSharedState, type InProcessSharedStateOptions } from './InProcessSharedState.js';

/** What a role knows when it picks its shared state. */
export interface SharedStateChoice {
  /** `database.redis.addrs` after config conversion (the deprecated host/port folded in). */
  readonly redisAddrs: readonly string[];
  /** Resolves the redis plugin's backend, e.g. `() => registry.sharedState('redis')`; called only when addrs are set. */
  readonly resolveRedis: () => SharedStateBackend;
  /** Limits of the in-process backend. */
  readonly inProcess?: InProcessSharedStateOptions;
}

/**
 * DESIGN section 4: Redis when `database.redis.addrs` is configured, the in-process backend otherwise. Never
 * falls back silently: when Redis is configured, a failure to build its backend is thrown to the caller.
 */
export function selectSharedState(choice: SharedStateChoice): { kind: 'redis' | 'in-process'; backend: SharedStateBackend } {
  if (choice.redisAddrs.length > 0) return { kind: 'redis', backend: choice.resolveRedis() };
  return { kind: 'in-process', backend: new InProcessSharedState(choice.inProcess) };
}
