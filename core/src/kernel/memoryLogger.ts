/**
 * A logger that records lines in memory, for tests that assert what the loader decided and at which level.
 */
import type { Logger } from '../plugin-api/Logger.js';

/** Log levels of the plugin `Logger` interface. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** One recorded line: the level, the child bindings merged with the fields, and the message. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

/** A `Logger` whose lines (and those of its children) land in `records`. */
export interface MemoryLogger extends Logger {
  readonly records: LogRecord[];
}

/** Creates a logger recording into one shared array; children add their bindings to every line. */
export function createMemoryLogger(bindings: Record<string, unknown> = {}, records: LogRecord[] = []): MemoryLogger {
  const line = (level: LogLevel) => (fields: object, message?: string) => {
    records.push({ level, fields: { ...bindings, ...fields }, ...(message === undefined ? {} : { message }) });
  };
  return {
    records,
    trace: line('trace'),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    child: (more) => createMemoryLogger({ ...bindings, ...more }, records),
  };
}
