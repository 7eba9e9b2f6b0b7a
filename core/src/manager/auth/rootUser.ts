/**
 * The `root` account. Created on first start with the password in `DRAGONFLY_INITIAL_ROOT_PASSWORD` (as
 * Dragonfly), or else a generated one that is written to the log once, at creation. Unlike Dragonfly there
 * is no fixed default password. The account is given the `root` role on every start.
 */
import { randomBytes } from 'node:crypto';

import { createError, ErrorCodes, isD7yError } from '../../common/errors.js';
import type { Logger } from '../../plugin-api/Logger.js';
import { hashPassword } from './password.js';
import { ROOT_ROLE } from './rbac.js';
import type { RoleRepository } from './RoleRepository.js';
import type { UserRepository } from './UserRepository.js';

/** Name of the administrator account. */
export const ROOT_USER_NAME = 'root';
/** Environment variable with the initial root password (Dragonfly's name). */
export const INITIAL_ROOT_PASSWORD_ENV = 'DRAGONFLY_INITIAL_ROOT_PASSWORD';
/** Shortest accepted password (Dragonfly's sign-up rule). */
export const MIN_PASSWORD_LENGTH = 8;

/** Creates the root account when it is missing and makes sure it has the root role; returns its id. */
export async function ensureRootUser(deps: { users: UserRepository; roles: RoleRepository; env: Readonly<Record<string, string | undefined>>; logger: Logger }): Promise<number> {
  const { users, roles, env, logger } = deps;
  let root = await users.findByName(ROOT_USER_NAME);
  if (root === undefined) {
    const given = env[INITIAL_ROOT_PASSWORD_ENV];
    if (given !== undefined && given.length < MIN_PASSWORD_LENGTH) {
      throw createError(ErrorCodes.INVALID_CONFIG, `${INITIAL_ROOT_PASSWORD_ENV}: must be at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    const password = given ?? randomBytes(18).toString('base64url');
    try {
      await users.create({ name: ROOT_USER_NAME, email: null, encryptedPassword: await hashPassword(password) });
      if (given === undefined) {
        logger.warn({ user: ROOT_USER_NAME }, `created user "root" with the generated password ${password} (shown only this once; change it after signing in)`);
      } else {
        logger.info({ user: ROOT_USER_NAME }, `created user "root" with the password from ${INITIAL_ROOT_PASSWORD_ENV}`);
      }
    } catch (error) {
      // Another replica created it first; its log shows the password.
      if (!isD7yError(error) || error.code !== ErrorCodes.ALREADY_EXISTS) throw error;
    }
    root = await users.findByName(ROOT_USER_NAME);
  }
  await roles.addUserRole(root!.id, ROOT_ROLE);
  return root!.id;
}
