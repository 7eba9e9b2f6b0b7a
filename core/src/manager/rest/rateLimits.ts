/**
 * Rate limits on credential guessing, counted in the shared state (Redis when configured, so every manager
 * replica counts together). Over the limit is 429; Redis down is 503 like any backend outage.
 */
import { createHash } from 'node:crypto';

import { createError, ErrorCodes } from '../../common/errors.js';
import type { SharedStateBackend } from '../../plugin-api/database/SharedStateBackend.js';

const MINUTE = 60_000;

/** Limits per window: sign-in attempts per IP and per account, sign-ups per IP, password resets per account. */
export const RATE_LIMITS = Object.freeze({
  signinPerIp: { limit: 30, windowMs: MINUTE },
  signinPerName: { limit: 10, windowMs: MINUTE },
  signupPerIp: { limit: 10, windowMs: 10 * MINUTE },
  resetPasswordPerUser: { limit: 5, windowMs: 10 * MINUTE },
});

/** The limits a server uses. */
export type RateLimits = { readonly [K in keyof typeof RATE_LIMITS]: { readonly limit: number; readonly windowMs: number } };

/** Counts one attempt under `key`; throws `D7Y_ERR_RESOURCE_EXHAUSTED` (429) when over `limit` in the window. */
export async function takeAttempt(state: SharedStateBackend, key: string, rule: { limit: number; windowMs: number }): Promise<void> {
  // Hashing keeps user-chosen text (names) out of Redis key space and bounds the key length.
  const hashed = `manager:ratelimit:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
  if (!(await state.allow(hashed, rule.limit, rule.windowMs))) {
    throw createError(ErrorCodes.RESOURCE_EXHAUSTED, 'too many attempts; try again later');
  }
}
