/** Structured logger given to plugins (a subset of pino's API). Fields go first, message second. */
export interface Logger {
  /** Logs at trace level. */
  trace(fields: object, message?: string): void;
  /** Logs at debug level. */
  debug(fields: object, message?: string): void;
  /** Logs at info level. */
  info(fields: object, message?: string): void;
  /** Logs at warn level. */
  warn(fields: object, message?: string): void;
  /** Logs at error level. */
  error(fields: object, message?: string): void;
  /** Returns a logger whose lines all carry `bindings`. */
  child(bindings: Record<string, unknown>): Logger;
}
