/**
 * Shared state (cache, fixed-window rate limiter, FIFO queues) for managers and schedulers: the embedded
 * in-process backend and the rule that picks it or the redis plugin's backend.
 * @packageDocumentation
 */
export { DEFAULT_MAX_ENTRIES, DEFAULT_MAX_QUEUE_LENGTH, InProcessSharedState, type InProcessSharedStateOptions } from './InProcessSharedState.js';
export { MAX_DURATION_MS, MAX_KEY_LENGTH, MAX_VALUE_LENGTH } from './arguments.js';
export { selectSharedState, type SharedStateChoice } from './selectSharedState.js';
