/**
 * Config of the s3 source plugin (`plugins.source.s3`), validated by a hand-written `safeParse`.
 */
import type { PluginConfigSchema } from '@d7y/core/plugin-api';

/** The validated config, defaults applied. */
export interface S3SourceConfig {
  /** Most objects one directory listing may return; a larger directory is an error, not a silent cut. */
  maxListEntries: number;
  /** Milliseconds allowed for a TCP (+TLS) connection to the endpoint. */
  connectTimeout: number;
  /** Default per-request deadline when the request carries no `timeoutMs`. */
  requestTimeout: number;
  /** Region used when the request names none. */
  defaultRegion: string;
}

/** Defaults for absent fields. */
export const DEFAULT_S3_CONFIG: Readonly<S3SourceConfig> = Object.freeze({
  maxListEntries: 100_000,
  connectTimeout: 30_000,
  requestTimeout: 300_000,
  defaultRegion: 'us-east-1',
});

const NUMBER_KEYS = ['maxListEntries', 'connectTimeout', 'requestTimeout'] as const;

/** Rejects unknown options and wrong types, fills in defaults. */
export const s3SourceConfigSchema: PluginConfigSchema<S3SourceConfig> = {
  safeParse(input: unknown) {
    const raw = (input ?? {}) as Record<string, unknown>;
    if (typeof raw !== 'object' || Array.isArray(raw)) return { success: false, error: { issues: [{ path: [], message: 'expected an object' }] } };
    const issues: Array<{ path: PropertyKey[]; message: string }> = [];
    const config: S3SourceConfig = { ...DEFAULT_S3_CONFIG };
    for (const key of Object.keys(raw)) {
      if (!(key in DEFAULT_S3_CONFIG)) issues.push({ path: [key], message: 'unknown option' });
    }
    for (const key of NUMBER_KEYS) {
      const value = raw[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) issues.push({ path: [key], message: `expected a positive integer, received ${JSON.stringify(value)}` });
      else config[key] = value;
    }
    if (raw.defaultRegion !== undefined) {
      if (typeof raw.defaultRegion !== 'string' || !/^[a-z0-9-]+$/.test(raw.defaultRegion)) issues.push({ path: ['defaultRegion'], message: 'expected a region name like us-east-1' });
      else config.defaultRegion = raw.defaultRegion;
    }
    return issues.length > 0 ? { success: false, error: { issues } } : { success: true, data: config };
  },
};
