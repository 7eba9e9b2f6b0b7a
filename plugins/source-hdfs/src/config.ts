/**
 * Config of the hdfs source plugin (`plugins.source.hdfs`), validated by a hand-written `safeParse`.
 */
import type { PluginConfigSchema } from '@d7y/core/plugin-api';

/** The validated config, defaults applied. */
export interface HdfsSourceConfig {
  /** `https` for clusters whose NameNode serves WebHDFS over TLS (swebhdfs). */
  scheme: 'http' | 'https';
  /** Sent as `user.name` on clusters without security, when the request has no delegation token. */
  user?: string;
  /** Most files one directory listing may return; a larger tree is an error, not a silent cut. */
  maxListEntries: number;
  /** Default per-request timeout (ms): until response headers, and between body chunks. */
  requestTimeout: number;
}

/** Defaults for absent fields. */
export const DEFAULT_HDFS_CONFIG: Readonly<HdfsSourceConfig> = Object.freeze({ scheme: 'http', maxListEntries: 100_000, requestTimeout: 300_000 });

const KEYS = new Set(['scheme', 'user', 'maxListEntries', 'requestTimeout']);

/** Rejects unknown options and wrong types, fills in defaults. */
export const hdfsSourceConfigSchema: PluginConfigSchema<HdfsSourceConfig> = {
  safeParse(input: unknown) {
    const raw = (input ?? {}) as Record<string, unknown>;
    if (typeof raw !== 'object' || Array.isArray(raw)) return { success: false, error: { issues: [{ path: [], message: 'expected an object' }] } };
    const issues: Array<{ path: PropertyKey[]; message: string }> = [];
    const config: HdfsSourceConfig = { ...DEFAULT_HDFS_CONFIG };
    for (const key of Object.keys(raw)) if (!KEYS.has(key)) issues.push({ path: [key], message: 'unknown option' });
    if (raw.scheme !== undefined) {
      if (raw.scheme !== 'http' && raw.scheme !== 'https') issues.push({ path: ['scheme'], message: 'expected http or https' });
      else config.scheme = raw.scheme;
    }
    if (raw.user !== undefined) {
      if (typeof raw.user !== 'string' || !/^[A-Za-z0-9._@-]+$/.test(raw.user)) issues.push({ path: ['user'], message: 'expected a user name' });
      else config.user = raw.user;
    }
    for (const key of ['maxListEntries', 'requestTimeout'] as const) {
      const value = raw[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) issues.push({ path: [key], message: `expected a positive integer, received ${JSON.stringify(value)}` });
      else config[key] = value;
    }
    return issues.length > 0 ? { success: false, error: { issues } } : { success: true, data: config };
  },
};
