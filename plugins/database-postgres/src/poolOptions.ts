import type pg from 'pg';

import type { PostgresConfig, SslMode } from './config.js';
import { typeParsers } from './values.js';

/** node-pg's `ssl` option for a libpq `sslmode` (node-pg cannot fall back, so allow/prefer mean plain text). */
export function sslOption(mode: SslMode): pg.PoolConfig['ssl'] {
  switch (mode) {
    case 'disable':
    case 'allow':
    case 'prefer':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true };
  }
}

/** Pool options for a config: session time zone set at connection start-up, our type parsers, no global state. */
export function poolOptions(config: PostgresConfig): pg.PoolConfig {
  return {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.dbname,
    ssl: sslOption(config.sslMode),
    max: config.maxOpenConns,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: config.connectTimeoutMs,
    maxLifetimeSeconds: Math.ceil(config.connMaxLifetimeMs / 1000),
    application_name: 'd7y-manager',
    options: `-c TimeZone=${config.timezone}`,
    types: typeParsers,
  };
}
