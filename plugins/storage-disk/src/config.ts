/**
 * Config of the disk storage plugin (`plugins.storage.disk`; the dfdaemon fills `dir` and `keep` from
 * `storage.dir` / `storage.keep`). Validated by a hand-written `safeParse`, so the plugin needs no schema library.
 */
import { resolve } from 'node:path';

import { createError, ErrorCodes, type PluginConfigSchema } from '@d7y/core/plugin-api';

/** The validated config, defaults applied. */
export interface DiskStorageConfig {
  /** Storage root (absolute after validation). */
  readonly dir: string;
  /** Keep tasks across restarts (recover them in `open()`); when false, `open()` wipes content and metadata. */
  readonly keep: boolean;
  /** Bytes gathered from a piece stream before one positional write. */
  readonly writeBufferSize: number;
  /** High-water mark of piece read streams. */
  readonly readBufferSize: number;
}

/** What callers may pass: only `dir` is required. */
export type DiskStorageConfigInput = Pick<DiskStorageConfig, 'dir'> & Partial<Omit<DiskStorageConfig, 'dir'>>;

/** Dragonfly's default for both buffers. */
export const DEFAULT_BUFFER_SIZE = 512 * 1024;
/** Smallest and largest accepted buffer sizes. */
export const MIN_BUFFER_SIZE = 4 * 1024;
export const MAX_BUFFER_SIZE = 64 * 1024 * 1024;

type Issue = { path: PropertyKey[]; message: string };

const KEYS = new Set(['dir', 'keep', 'writeBufferSize', 'readBufferSize']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function bufferSize(raw: Record<string, unknown>, key: string, issues: Issue[]): number {
  const value = raw[key];
  if (value === undefined) return DEFAULT_BUFFER_SIZE;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < MIN_BUFFER_SIZE || value > MAX_BUFFER_SIZE) {
    issues.push({ path: [key], message: `expected an integer number of bytes in [${MIN_BUFFER_SIZE}, ${MAX_BUFFER_SIZE}], received ${JSON.stringify(value)}` });
    return DEFAULT_BUFFER_SIZE;
  }
  return value;
}

/** The plugin's `configSchema`: rejects unknown options and wrong types, fills defaults, makes `dir` absolute. */
export const diskStorageConfigSchema: PluginConfigSchema<DiskStorageConfig> = {
  safeParse(input: unknown) {
    if (!isObject(input)) return { success: false, error: { issues: [{ path: [], message: 'expected an object with at least `dir`' }] } };
    const issues: Issue[] = [];
    for (const key of Object.keys(input)) if (!KEYS.has(key)) issues.push({ path: [key], message: 'unknown option' });
    const { dir, keep } = input;
    if (typeof dir !== 'string' || dir === '' || dir.includes('\0')) {
      issues.push({ path: ['dir'], message: 'required: the storage directory (storage.dir)' });
    }
    if (keep !== undefined && typeof keep !== 'boolean') issues.push({ path: ['keep'], message: `expected a boolean, received ${JSON.stringify(keep)}` });
    const writeBufferSize = bufferSize(input, 'writeBufferSize', issues);
    const readBufferSize = bufferSize(input, 'readBufferSize', issues);
    if (issues.length > 0) return { success: false, error: { issues } };
    return {
      success: true,
      data: {
        dir: resolve(dir as string),
        keep: (keep as boolean | undefined) ?? false,
        writeBufferSize,
        readBufferSize,
      },
    };
  },
};

/** Validates and completes a config, throwing `D7Y_ERR_INVALID_CONFIG` listing every issue. */
export function resolveDiskStorageConfig(input: DiskStorageConfigInput): DiskStorageConfig {
  const result = diskStorageConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  throw createError(ErrorCodes.INVALID_CONFIG, `storage/disk config is invalid: ${issues.join('; ')}`, { details: { issues } });
}
