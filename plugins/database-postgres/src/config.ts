/**
 * Config of the postgres database plugin (`plugins.database.postgres`; the manager fills it from
 * `database.postgres`, whose keys follow Dragonfly's manager.yaml). Validated by a hand-written `safeParse`.
 * Every manager loads all database plugins, so `{}` is valid here; `connect()` reports a missing `host`/`user`.
 */
import { createError, ErrorCodes, type PluginConfigSchema } from '@d7y/core/plugin-api';

/** libpq `sslmode` values (Dragonfly `sslMode`). */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** The validated config, defaults applied. */
export interface PostgresConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly dbname: string;
  /** `disable`, `allow` and `prefer` connect in plain text (node-pg has no fallback); `require` encrypts without
   * verifying; `verify-ca` checks the chain; `verify-full` also the host name. */
  readonly sslMode: SslMode;
  /** Session `TimeZone`; the driver reads and writes timestamps as UTC instants whatever it is. */
  readonly timezone: string;
  /** Accepted for Dragonfly compatibility; node-pg never uses named prepared statements here, so it changes nothing. */
  readonly preferSimpleProtocol: boolean;
  /** Dragonfly's `migrate`: read by the manager to decide whether to call `migrate()` at start. */
  readonly migrate: boolean;
  /** d7y addition: pool size. */
  readonly maxOpenConns: number;
  /** d7y addition: connections older than this are closed when released; 0 keeps them. */
  readonly connMaxLifetimeMs: number;
  /** d7y addition: how long opening one connection may take. */
  readonly connectTimeoutMs: number;
}

/** What callers may pass. */
export type PostgresConfigInput = Partial<PostgresConfig>;

/** Defaults (Dragonfly's where it has one). */
export const POSTGRES_DEFAULTS: PostgresConfig = Object.freeze({
  host: '',
  port: 5432,
  user: '',
  password: '',
  dbname: 'manager',
  sslMode: 'disable',
  timezone: 'UTC',
  preferSimpleProtocol: false,
  migrate: true,
  maxOpenConns: 10,
  connMaxLifetimeMs: 0,
  connectTimeoutMs: 10_000,
});

type Issue = { path: PropertyKey[]; message: string };
type Check = (value: unknown) => string | undefined;

const text: Check = (v) => (typeof v === 'string' ? undefined : 'expected a string');
const nonEmpty: Check = (v) => (typeof v === 'string' && v !== '' ? undefined : 'expected a non-empty string');
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'expected a boolean');
const int = (min: number, max: number): Check => (v) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? undefined : `expected an integer in [${min}, ${max}]`;
// The zone goes into the startup `options` string, so only characters of zone names and offsets are allowed.
const zone: Check = (v) => (typeof v === 'string' && /^[A-Za-z0-9_+\-/:.]{1,64}$/.test(v) ? undefined : 'expected a time zone name such as UTC or Asia/Shanghai');
const sslMode: Check = (v) => (SSL_MODES.includes(v as SslMode) ? undefined : `expected one of ${SSL_MODES.join(', ')}`);

const CHECKS: Record<keyof PostgresConfig, Check> = {
  host: text,
  port: int(1, 65535),
  user: text,
  password: text,
  dbname: nonEmpty,
  sslMode,
  timezone: zone,
  preferSimpleProtocol: bool,
  migrate: bool,
  maxOpenConns: int(1, 1000),
  connMaxLifetimeMs: int(0, 7 * 24 * 3_600_000),
  connectTimeoutMs: int(1, 600_000),
};

/** The plugin's `configSchema`: rejects unknown options and wrong types, fills defaults. */
export const postgresConfigSchema: PluginConfigSchema<PostgresConfig> = {
  safeParse(input: unknown) {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return { success: false, error: { issues: [{ path: [], message: 'expected an object' }] } };
    }
    const issues: Issue[] = [];
    const data: Record<string, unknown> = { ...POSTGRES_DEFAULTS };
    for (const [key, value] of Object.entries(input)) {
      const check = CHECKS[key as keyof PostgresConfig];
      if (check === undefined) {
        issues.push({ path: [key], message: 'unknown option' });
        continue;
      }
      if (value === undefined) continue;
      const problem = check(value);
      // Never echo the password back, even when it is the wrong type.
      if (problem) issues.push({ path: [key], message: key === 'password' ? problem : `${problem}, received ${JSON.stringify(value)}` });
      else data[key] = value;
    }
    if (issues.length > 0) return { success: false, error: { issues } };
    return { success: true, data: data as unknown as PostgresConfig };
  },
};

/** Validates and completes a config, throwing `D7Y_ERR_INVALID_CONFIG` listing every issue. */
export function resolvePostgresConfig(input: PostgresConfigInput): PostgresConfig {
  const result = postgresConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  throw createError(ErrorCodes.INVALID_CONFIG, `database/postgres config is invalid: ${issues.join('; ')}`, { details: { issues } });
}
