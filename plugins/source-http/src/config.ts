/**
 * Config of the http source plugin (`pluginConfig.source.http`), with defaults, validated by a hand-written
 * `safeParse` so the plugin needs no schema library.
 */
import { createRequire } from 'node:module';

import { createError, ErrorCodes, type PluginConfigSchema } from '@d7y/core/plugin-api';

/** TLS settings for `https://` origins. */
export interface HttpTlsConfig {
  /** Accept any certificate. Off by default; every origin reached this way is logged at WARN. */
  insecureSkipVerify: boolean;
  /** Path of a PEM file with extra CA certificates trusted in addition to the system roots. */
  caCert?: string;
}

/** The validated config, defaults applied. */
export interface HttpSourceConfig {
  /** Milliseconds allowed for TCP + TLS connection set-up. */
  connectTimeout: number;
  /**
   * Default for requests that carry no `timeoutMs`: milliseconds allowed until response headers (across
   * redirects) and, separately, between two body chunks. Absent: 300000.
   */
  requestTimeout?: number;
  /** Most concurrent connections to one origin (scheme, host, port). */
  maxConnectionsPerHost: number;
  /** Milliseconds an idle pooled connection is kept (lowered by the server's `Keep-Alive: timeout` hint). */
  keepAliveTimeout: number;
  /** `User-Agent` sent when the request does not carry one. */
  userAgent: string;
  tls: HttpTlsConfig;
}

/** What callers may pass: every field optional. */
export type HttpSourceConfigInput = Partial<Omit<HttpSourceConfig, 'tls'>> & { tls?: Partial<HttpTlsConfig> };

/** Version of this package, for the default user agent. */
export const PACKAGE_VERSION: string = (() => {
  try {
    return (createRequire(import.meta.url)('../package.json') as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

/** Defaults applied to absent fields. */
export const DEFAULT_CONFIG: Readonly<HttpSourceConfig> = Object.freeze({
  connectTimeout: 30_000,
  maxConnectionsPerHost: 64,
  keepAliveTimeout: 30_000,
  userAgent: `d7y/${PACKAGE_VERSION}`,
  tls: Object.freeze({ insecureSkipVerify: false }),
});

/** Default for `requestTimeout`: undici's own headers and body timeouts. */
export const DEFAULT_REQUEST_TIMEOUT = 300_000;

type Issue = { path: PropertyKey[]; message: string };

const TOP_KEYS = new Set(['connectTimeout', 'requestTimeout', 'maxConnectionsPerHost', 'keepAliveTimeout', 'userAgent', 'tls']);
const TLS_KEYS = new Set(['insecureSkipVerify', 'caCert']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function positiveInt(raw: Record<string, unknown>, key: string, issues: Issue[], path: PropertyKey[]): number | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    issues.push({ path: [...path, key], message: `expected a positive integer, received ${JSON.stringify(value)}` });
    return undefined;
  }
  return value;
}

function unknownKeys(raw: Record<string, unknown>, known: Set<string>, issues: Issue[], path: PropertyKey[]): void {
  for (const key of Object.keys(raw)) if (!known.has(key)) issues.push({ path: [...path, key], message: 'unknown option' });
}

/** The plugin's `configSchema`: rejects unknown options and wrong types, and fills in defaults. */
export const httpSourceConfigSchema: PluginConfigSchema<HttpSourceConfig> = {
  safeParse(input: unknown) {
    const issues: Issue[] = [];
    const raw = input ?? {};
    if (!isObject(raw)) return { success: false, error: { issues: [{ path: [], message: 'expected an object' }] } };
    unknownKeys(raw, TOP_KEYS, issues, []);
    const config: HttpSourceConfig = { ...DEFAULT_CONFIG, tls: { ...DEFAULT_CONFIG.tls } };
    config.connectTimeout = positiveInt(raw, 'connectTimeout', issues, []) ?? config.connectTimeout;
    config.maxConnectionsPerHost = positiveInt(raw, 'maxConnectionsPerHost', issues, []) ?? config.maxConnectionsPerHost;
    config.keepAliveTimeout = positiveInt(raw, 'keepAliveTimeout', issues, []) ?? config.keepAliveTimeout;
    const requestTimeout = positiveInt(raw, 'requestTimeout', issues, []);
    if (requestTimeout !== undefined) config.requestTimeout = requestTimeout;
    if (raw.userAgent !== undefined) {
      if (typeof raw.userAgent !== 'string' || raw.userAgent === '' || /[\r\n]/.test(raw.userAgent)) {
        issues.push({ path: ['userAgent'], message: 'expected a non-empty single-line string' });
      } else config.userAgent = raw.userAgent;
    }
    if (raw.tls !== undefined) {
      if (!isObject(raw.tls)) issues.push({ path: ['tls'], message: 'expected an object' });
      else {
        unknownKeys(raw.tls, TLS_KEYS, issues, ['tls']);
        const { insecureSkipVerify, caCert } = raw.tls;
        if (insecureSkipVerify !== undefined && typeof insecureSkipVerify !== 'boolean') {
          issues.push({ path: ['tls', 'insecureSkipVerify'], message: 'expected a boolean' });
        } else if (insecureSkipVerify !== undefined) config.tls.insecureSkipVerify = insecureSkipVerify;
        if (caCert !== undefined && (typeof caCert !== 'string' || caCert === '')) {
          issues.push({ path: ['tls', 'caCert'], message: 'expected the path of a PEM file' });
        } else if (caCert !== undefined) config.tls.caCert = caCert;
      }
    }
    return issues.length > 0 ? { success: false, error: { issues } } : { success: true, data: config };
  },
};

/** Validates and completes a config, throwing `D7Y_ERR_INVALID_CONFIG` listing every issue. */
export function resolveHttpSourceConfig(input: HttpSourceConfigInput | undefined): HttpSourceConfig {
  const result = httpSourceConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  throw createError(ErrorCodes.INVALID_CONFIG, `source/http config is invalid: ${issues.join('; ')}`, { details: { issues } });
}
