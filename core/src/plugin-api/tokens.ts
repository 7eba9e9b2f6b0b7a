/**
 * Injection tokens. Registered in the global symbol registry so that a plugin holding another copy of this
 * package still names the same token.
 */
export const TOKENS = {
  /** A `SourceClient`, registered by plugins of kind `source`. */
  SourceClient: Symbol.for('d7y.plugin-api.v1.SourceClient'),
  /** An `Evaluator`, registered by plugins of kind `evaluator`. */
  Evaluator: Symbol.for('d7y.plugin-api.v1.Evaluator'),
  /** A `StorageEngine`, registered by plugins of kind `storage`. */
  StorageEngine: Symbol.for('d7y.plugin-api.v1.StorageEngine'),
  /** A `DatabaseDriver`, registered by SQL plugins of kind `database`. */
  DatabaseDriver: Symbol.for('d7y.plugin-api.v1.DatabaseDriver'),
  /** A `SharedStateBackend` (cache, queue, rate limiter), registered by the redis plugin of kind `database`. */
  SharedStateBackend: Symbol.for('d7y.plugin-api.v1.SharedStateBackend'),
  /** The host's `EgressPolicy`; provided by the kernel, used by source plugins for every outbound connection. */
  EgressPolicy: Symbol.for('d7y.plugin-api.v1.EgressPolicy'),
  /** The host's `Logger`; provided by the kernel. */
  Logger: Symbol.for('d7y.plugin-api.v1.Logger'),
} as const;

export type Token = (typeof TOKENS)[keyof typeof TOKENS] | string | symbol;
