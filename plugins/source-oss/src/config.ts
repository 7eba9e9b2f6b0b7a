/**
 * Config of the oss source plugin (`plugins.source.oss`), validated by a hand-written `safeParse`.
 */
import type { PluginConfigSchema } from '@d7y/core/plugin-api';

/** The validated config, defaults applied. */
export interface OssSourceConfig {
  /** Most objects one directory listing may return; a larger directory is an error, not a silent cut. */
  maxListEntries: number;
  /** Default per-request timeout (ms) when the request carries no `timeoutMs`. */
  requestTimeout: number;
}

/** Defaults for absent fields. */
export const DEFAULT_OSS_CONFIG: Readonly<OssSourceConfig> = Object.freeze({ maxListEntries: 100_000, requestTimeout: 300_000 });

/** Rejects unknown options and wrong types, fills in defaults. */
export const ossSourceConfigSchema: PluginConfigSchema<OssSourceConfig> = {
  safeParse(input: unknown) {
    const raw = (input ?? {}) as Record<string, unknown>;
    if (typeof raw !== 'object' || Array.isArray(raw)) return { success: false, error: { issues: [{ path: [], message: 'expected an object' }] } };
    const issues: Array<{ path: PropertyKey[]; message: string }> = [];
    const config: OssSourceConfig = { ...DEFAULT_OSS_CONFIG };
    for (const [key, value] of Object.entries(raw)) {
      if (!(key in DEFAULT_OSS_CONFIG)) issues.push({ path: [key], message: 'unknown option' });
      else if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) issues.push({ path: [key], message: `expected a positive integer, received ${JSON.stringify(value)}` });
      else config[key as keyof OssSourceConfig] = value;
    }
    return issues.length > 0 ? { success: false, error: { issues } } : { success: true, data: config };
  },
};
