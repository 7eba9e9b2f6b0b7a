import { readFileSync } from 'node:fs';

import type { PoolOptions, SslOptions } from 'mysql2/promise';
import { createError, ErrorCodes } from '@d7y/core/plugin-api';

import type { MysqlConfig } from './config.js';

/**
 * SQL run on every new connection before anything else: UTC session time, ANSI_QUOTES (so `"name"` quotes an
 * identifier as on PostgreSQL and SQLite) and strict mode (bad values fail instead of being truncated).
 */
export const SESSION_INIT =
  "SET SESSION time_zone = '+00:00', SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'ANSI_QUOTES', 'STRICT_TRANS_TABLES')";

/** mysql2's `ssl` option from Dragonfly's `tls` block or `tlsConfig` (files are read here). */
export function sslOption(config: MysqlConfig): SslOptions | undefined {
  const { tls, tlsConfig } = config;
  if (tls !== undefined) {
    const read = (file: string | undefined, what: string) => {
      if (file === undefined) return undefined;
      try {
        return readFileSync(file);
      } catch (err) {
        throw createError(ErrorCodes.INVALID_CONFIG, `cannot read database.mysql.tls.${what} ${file}: ${(err as Error).message}`);
      }
    };
    return { ca: read(tls.caCert, 'caCert'), cert: read(tls.cert, 'cert'), key: read(tls.key, 'key'), rejectUnauthorized: !tls.insecureSkipVerify };
  }
  if (tlsConfig === 'true') return { rejectUnauthorized: true };
  if (tlsConfig === 'skip-verify') return { rejectUnauthorized: false };
  return undefined;
}

/** Pool options: UTC dates, exact big integers, numbers for DECIMAL, JSON as text, one statement per call. */
export function poolOptions(config: MysqlConfig): PoolOptions {
  return {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.dbname,
    ssl: sslOption(config),
    connectionLimit: config.maxOpenConns,
    waitForConnections: true,
    connectTimeout: config.connectTimeoutMs,
    enableKeepAlive: true,
    charset: 'UTF8MB4_UNICODE_CI',
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    jsonStrings: true,
    multipleStatements: false,
    maxPreparedStatements: 512,
  };
}
