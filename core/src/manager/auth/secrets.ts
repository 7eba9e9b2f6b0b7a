/**
 * The manager's generated secrets (JWT signing key when none is configured, PAT HMAC key), kept in the
 * `auth_secrets` table so that every manager replica sharing the database uses the same ones and they
 * survive restarts. Values never appear in logs or responses.
 */
import { randomBytes } from 'node:crypto';

import { ErrorCodes, isD7yError } from '../../common/errors.js';
import type { SqlSession } from '../../plugin-api/database/DatabaseDriver.js';

/** Bytes of entropy in a generated secret. */
export const GENERATED_SECRET_BYTES = 32;

/** A new random secret, base64url text. */
export function generateSecret(): string {
  return randomBytes(GENERATED_SECRET_BYTES).toString('base64url');
}

/**
 * The stored secret `name`, created with {@link generateSecret} when absent. `created` tells whether this
 * call made it. Two replicas racing both end up with the row that won the insert.
 */
export async function loadOrCreateSecret(db: SqlSession, name: string): Promise<{ value: string; created: boolean }> {
  const existing = await readSecret(db, name);
  if (existing !== undefined) return { value: existing, created: false };
  try {
    await db.execute('INSERT INTO auth_secrets (name, value) VALUES (?, ?)', [name, generateSecret()]);
  } catch (error) {
    if (!isD7yError(error) || error.code !== ErrorCodes.ALREADY_EXISTS) throw error;
    return { value: (await readSecret(db, name))!, created: false };
  }
  return { value: (await readSecret(db, name))!, created: true };
}

async function readSecret(db: SqlSession, name: string): Promise<string | undefined> {
  const rows = await db.query<{ value: string }>('SELECT value FROM auth_secrets WHERE name = ?', [name]);
  return rows[0]?.value;
}
