import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import pino from 'pino';

import type { Logger } from '../plugin-api/Logger.js';

/** Log levels accepted in config (`log.level` / `verbose`). */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LoggerOptions {
  /** Component name, e.g. `dfdaemon`; the file name when logging to a directory. */
  name: string;
  level?: LogLevel;
  /** True: log to stdout (Dragonfly's `console: true`). False: log to `<logDir>/<name>.log`. */
  console?: boolean;
  logDir?: string;
}

/** Field paths whose values are replaced in every log line. Secrets never reach logs. */
export const REDACTED_LOG_PATHS = [
  'password', '*.password', '*.*.password',
  'accessKeySecret', '*.accessKeySecret', '*.*.accessKeySecret',
  'sessionToken', '*.sessionToken', 'securityToken', '*.securityToken',
  'token', '*.token', 'key', 'jwt.key', '*.jwt.key',
  'headers.authorization', '*.headers.authorization', 'headers.cookie', '*.headers.cookie',
  'authorization', '*.authorization',
];

/** Creates the process logger. */
export function createLogger(options: LoggerOptions): pino.Logger & Logger {
  const base = {
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.console !== false || !options.logDir) return pino(base, pino.destination({ fd: 1, sync: false })) as pino.Logger & Logger;
  mkdirSync(options.logDir, { recursive: true });
  return pino(base, pino.destination({ dest: join(options.logDir, `${options.name}.log`), mkdir: true, sync: false })) as pino.Logger &
    Logger;
}

/** A logger that drops everything (tests, tools). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' }) as unknown as Logger;
}
