/**
 * Config of the sqlite database plugin (`plugins.database.sqlite`; the manager fills it from `database.sqlite`).
 * Validated by a hand-written `safeParse`, so the plugin needs no schema library. Every manager loads all
 * database plugins, so `{}` is valid here; `connect()` reports a missing `path`.
 */
import { resolve } from 'node:path';

import { createError, ErrorCodes, type PluginConfigSchema } from '@d7y/core/plugin-api';

/** The validated config, defaults applied. */
export interface SqliteConfig {
  /** Database file (absolute after validation), or `:memory:` for a private in-memory database (tests). */
  readonly path?: string;
  /** How long a statement waits for another process's write lock before failing with `D7Y_ERR_TIMEOUT`. */
  readonly busyTimeoutMs: number;
}

/** What callers may pass. */
export type SqliteConfigInput = Partial<SqliteConfig>;

/** Default `busyTimeoutMs`. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
const MAX_BUSY_TIMEOUT_MS = 10 * 60_000;

type Issue = { path: PropertyKey[]; message: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The plugin's `configSchema`: rejects unknown options and wrong types, fills defaults, makes `path` absolute. */
export const sqliteConfigSchema: PluginConfigSchema<SqliteConfig> = {
  safeParse(input: unknown) {
    if (!isObject(input)) return { success: false, error: { issues: [{ path: [], message: 'expected an object' }] } };
    const issues: Issue[] = [];
    for (const key of Object.keys(input)) if (key !== 'path' && key !== 'busyTimeoutMs') issues.push({ path: [key], message: 'unknown option' });
    const { path, busyTimeoutMs } = input;
    if (path !== undefined && (typeof path !== 'string' || path === '' || path.includes('\0'))) {
      issues.push({ path: ['path'], message: `expected a file path or ':memory:', received ${JSON.stringify(path)}` });
    }
    if (busyTimeoutMs !== undefined && (typeof busyTimeoutMs !== 'number' || !Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0 || busyTimeoutMs > MAX_BUSY_TIMEOUT_MS)) {
      issues.push({ path: ['busyTimeoutMs'], message: `expected an integer number of milliseconds in [0, ${MAX_BUSY_TIMEOUT_MS}], received ${JSON.stringify(busyTimeoutMs)}` });
    }
    if (issues.length > 0) return { success: false, error: { issues } };
    const data: SqliteConfig = { busyTimeoutMs: (busyTimeoutMs as number | undefined) ?? DEFAULT_BUSY_TIMEOUT_MS };
    if (typeof path === 'string') return { success: true, data: { ...data, path: path === ':memory:' ? path : resolve(path) } };
    return { success: true, data };
  },
};

/** Validates and completes a config, throwing `D7Y_ERR_INVALID_CONFIG` listing every issue. */
export function resolveSqliteConfig(input: SqliteConfigInput): SqliteConfig {
  const result = sqliteConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  throw createError(ErrorCodes.INVALID_CONFIG, `database/sqlite config is invalid: ${issues.join('; ')}`, { details: { issues } });
}
