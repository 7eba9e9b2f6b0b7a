/**
 * Dragonfly's `DRAGONFLY_PAT`: when the variable is set, the manager keeps a personal access token named
 * `default`, owned by root, with that value, scopes `job` and `cluster` and a 10-year expiry, so automation
 * can be provisioned with a known token. d7y stores only its HMAC like any other token, refuses values
 * shorter than 32 characters, and replaces the stored digest when the value changes.
 */
import { createError, ErrorCodes } from '../../common/errors.js';
import type { Logger } from '../../plugin-api/Logger.js';
import { patDigest } from './patToken.js';
import type { PersonalAccessTokenRepository } from './PersonalAccessTokenRepository.js';

/** Environment variable with the provisioned token (Dragonfly's name). */
export const PROVISIONED_PAT_ENV = 'DRAGONFLY_PAT';
/** Name of the provisioned token. */
export const PROVISIONED_PAT_NAME = 'default';
/** Shortest accepted provisioned token. */
export const MIN_PROVISIONED_PAT_LENGTH = 32;
const TEN_YEARS_MS = 10 * 365 * 24 * 3_600_000;

/** Creates or updates the provisioned token when `DRAGONFLY_PAT` is set. */
export async function seedProvisionedPat(deps: {
  pats: PersonalAccessTokenRepository;
  patKey: string;
  rootUserId: number;
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
}): Promise<void> {
  const value = deps.env[PROVISIONED_PAT_ENV];
  if (value === undefined || value === '') return;
  if (value.length < MIN_PROVISIONED_PAT_LENGTH || value.length > 256 || /\s/.test(value)) {
    throw createError(ErrorCodes.INVALID_CONFIG, `${PROVISIONED_PAT_ENV}: expected ${MIN_PROVISIONED_PAT_LENGTH}–256 characters without spaces`);
  }
  const digest = patDigest(deps.patKey, value);
  if ((await deps.pats.findByDigest(digest)) !== undefined) return;
  const existing = await deps.pats.findByName(deps.rootUserId, PROVISIONED_PAT_NAME);
  if (existing !== undefined) {
    await deps.pats.replaceDigest(existing.id, digest);
  } else {
    await deps.pats.create({
      name: PROVISIONED_PAT_NAME,
      bio: `provisioned from ${PROVISIONED_PAT_ENV}`,
      tokenHmac: digest,
      scopes: ['job', 'cluster'],
      state: 'active',
      expiredAt: new Date(Date.now() + TEN_YEARS_MS),
      userId: deps.rootUserId,
    });
  }
  deps.logger.info({ name: PROVISIONED_PAT_NAME }, `stored the personal access token from ${PROVISIONED_PAT_ENV}`);
}
