/**
 * Config of the mysql database plugin (`plugins.database.mysql`; the manager fills it from `database.mysql`,
 * whose keys follow Dragonfly's manager.yaml; `database.type: mariadb` selects this plugin too). Validated by a
 * hand-written `safeParse`. Every manager loads all database plugins, so `{}` is valid here; `connect()`
 * reports a missing `host`/`user`.
 */
import { createError, ErrorCodes, type PluginConfigSchema } from '@d7y/core/plugin-api';

/** Dragonfly's `tlsConfig` values (go-sql-driver `tls=`). */
export const TLS_CONFIG_VALUES = ['true', 'false', 'skip-verify', 'preferred'] as const;
export type TlsConfigValue = (typeof TLS_CONFIG_VALUES)[number];

/** Dragonfly's custom `tls` block: files are read when the driver connects. */
export interface MysqlTlsConfig {
  readonly caCert?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly insecureSkipVerify: boolean;
}

/** The validated config, defaults applied. */
export interface MysqlConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly dbname: string;
  /** `true` verifies the server certificate, `skip-verify` encrypts without verifying; `false` and `preferred`
   * connect in plain text (mysql2 cannot fall back). Ignored when `tls` is set. */
  readonly tlsConfig?: TlsConfigValue;
  /** Custom TLS; takes precedence over `tlsConfig`. */
  readonly tls?: MysqlTlsConfig;
  /** Dragonfly's `migrate`: read by the manager to decide whether to call `migrate()` at start. */
  readonly migrate: boolean;
  /** d7y addition: pool size. */
  readonly maxOpenConns: number;
  /** d7y addition: how long opening one connection may take. */
  readonly connectTimeoutMs: number;
}

/** What callers may pass. */
export type MysqlConfigInput = Partial<Omit<MysqlConfig, 'tls'>> & { readonly tls?: Partial<MysqlTlsConfig> };

/** Defaults (Dragonfly's where it has one). */
export const MYSQL_DEFAULTS: MysqlConfig = Object.freeze({
  host: '',
  port: 3306,
  user: '',
  password: '',
  dbname: 'manager',
  migrate: true,
  maxOpenConns: 10,
  connectTimeoutMs: 10_000,
});

type Issue = { path: PropertyKey[]; message: string };
type Check = (value: unknown, path: string[], issues: Issue[]) => unknown;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function simple(test: (v: unknown) => boolean, expected: string, secret = false): Check {
  return (value, path, issues) => {
    if (test(value)) return value;
    issues.push({ path, message: secret ? expected : `${expected}, received ${JSON.stringify(value)}` });
    return undefined;
  };
}

const text = simple((v) => typeof v === 'string', 'expected a string');
const file = simple((v) => typeof v === 'string' && v !== '' && !v.includes('\0'), 'expected a file path');
const bool = simple((v) => typeof v === 'boolean', 'expected a boolean');
const int = (min: number, max: number) => simple((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max, `expected an integer in [${min}, ${max}]`);

const TLS_CHECKS: Record<keyof MysqlTlsConfig, Check> = { caCert: file, cert: file, key: file, insecureSkipVerify: bool };

const tls: Check = (value, path, issues) => {
  if (!isObject(value)) return simple(() => false, 'expected an object with caCert, cert, key, insecureSkipVerify')(value, path, issues);
  return { insecureSkipVerify: false, ...object(value, TLS_CHECKS, path, issues) };
};

const CHECKS: Record<keyof MysqlConfig, Check> = {
  host: text,
  port: int(1, 65535),
  user: text,
  password: simple((v) => typeof v === 'string', 'expected a string', true),
  dbname: simple((v) => typeof v === 'string' && /^[A-Za-z0-9_$-]{1,64}$/.test(v), 'expected a database name (letters, digits, _ $ -)'),
  tlsConfig: simple((v) => TLS_CONFIG_VALUES.includes(v as TlsConfigValue), `expected one of ${TLS_CONFIG_VALUES.join(', ')}`),
  tls,
  migrate: bool,
  maxOpenConns: int(1, 1000),
  connectTimeoutMs: int(1, 600_000),
};

function object(input: Record<string, unknown>, checks: Record<string, Check>, path: string[], issues: Issue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const check = checks[key];
    if (check === undefined) issues.push({ path: [...path, key], message: 'unknown option' });
    else if (value !== undefined) out[key] = check(value, [...path, key], issues);
  }
  return out;
}

/** The plugin's `configSchema`: rejects unknown options and wrong types, fills defaults. */
export const mysqlConfigSchema: PluginConfigSchema<MysqlConfig> = {
  safeParse(input: unknown) {
    if (!isObject(input)) return { success: false, error: { issues: [{ path: [], message: 'expected an object' }] } };
    const issues: Issue[] = [];
    const data = { ...MYSQL_DEFAULTS, ...object(input, CHECKS, [], issues) };
    if (issues.length > 0) return { success: false, error: { issues } };
    return { success: true, data: data as MysqlConfig };
  },
};

/** Validates and completes a config, throwing `D7Y_ERR_INVALID_CONFIG` listing every issue. */
export function resolveMysqlConfig(input: MysqlConfigInput): MysqlConfig {
  const result = mysqlConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  throw createError(ErrorCodes.INVALID_CONFIG, `database/mysql config is invalid: ${issues.join('; ')}`, { details: { issues } });
}
