/**
 * Where the JWT signing key comes from. DESIGN section 6: no fixed or documented key. A configured
 * `auth.jwt.key` is refused when Dragonfly's docs publish it or when it is shorter than 32 bytes, unless the
 * operator sets the insecure-dev flag; with no key configured the manager generates one on first start and
 * stores it in the database (table `auth_secrets`, row `jwt_key`), so restarts and replicas keep sessions.
 */
import { createError, ErrorCodes } from '../../common/errors.js';
import { DOCUMENTED_JWT_KEYS } from '../../config/schema/manager.js';
import type { SqlSession } from '../../plugin-api/database/DatabaseDriver.js';
import type { Logger } from '../../plugin-api/Logger.js';
import { loadOrCreateSecret } from './secrets.js';

/** Environment variable that, set to `1`, lets a documented or short `auth.jwt.key` through (local development only). */
export const INSECURE_DEV_JWT_KEY_ENV = 'D7Y_INSECURE_DEV_JWT_KEY';
/** Shortest accepted configured key, in UTF-8 bytes (HS256 wants at least 256 bits). */
export const MIN_JWT_KEY_BYTES = 32;
/** Row of `auth_secrets` holding the generated key. */
export const JWT_KEY_SECRET_NAME = 'jwt_key';

/** What {@link resolveJwtKey} needs. */
export interface JwtKeySource {
  /** `auth.jwt.key` from manager.yaml, if set. */
  readonly configuredKey: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly db: SqlSession;
  readonly logger: Logger;
}

/**
 * The HMAC key that signs and verifies JWTs, as bytes (the key text's UTF-8, as gin-jwt uses it).
 * @throws `D7Y_ERR_INVALID_CONFIG` for a documented or too-short configured key without the dev flag.
 */
export async function resolveJwtKey(source: JwtKeySource): Promise<Uint8Array> {
  const { configuredKey, env, logger } = source;
  if (configuredKey !== undefined) {
    const problem = weakKeyProblem(configuredKey);
    if (problem !== undefined) {
      if (env[INSECURE_DEV_JWT_KEY_ENV] !== '1') {
        throw createError(
          ErrorCodes.INVALID_CONFIG,
          `auth.jwt.key: ${problem}; remove the key to let the manager generate one, set a random key of at least ${MIN_JWT_KEY_BYTES} bytes, ` +
            `or (local development only) set ${INSECURE_DEV_JWT_KEY_ENV}=1`,
          { details: { field: 'auth.jwt.key' } },
        );
      }
      logger.warn({ field: 'auth.jwt.key', flag: INSECURE_DEV_JWT_KEY_ENV }, `INSECURE: accepting a weak JWT key (${problem}) because ${INSECURE_DEV_JWT_KEY_ENV}=1; anyone can forge sessions`);
    }
    return new TextEncoder().encode(configuredKey);
  }
  const { value, created } = await loadOrCreateSecret(source.db, JWT_KEY_SECRET_NAME);
  logger.info({ table: 'auth_secrets', name: JWT_KEY_SECRET_NAME }, created ? 'generated a JWT signing key and stored it in the database' : 'using the JWT signing key stored in the database');
  return new TextEncoder().encode(value);
}

/** Why a configured key is weak, or undefined when it is acceptable. */
export function weakKeyProblem(key: string): string | undefined {
  if (DOCUMENTED_JWT_KEYS.includes(key.trim())) return 'the key is published in Dragonfly documentation';
  if (new TextEncoder().encode(key).length < MIN_JWT_KEY_BYTES) return `the key is shorter than ${MIN_JWT_KEY_BYTES} bytes`;
  return undefined;
}
