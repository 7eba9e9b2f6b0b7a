/**
 * Prepares the manager's auth on start: the JWT key (configured, checked, or generated and stored), the PAT
 * HMAC key, the built-in roles over every API group, the root account, and the `DRAGONFLY_PAT` token. Needs the auth migrations applied.
 */
import type { ManagerConfig } from '../../config/roles.js';
import type { SqlSession } from '../../plugin-api/database/DatabaseDriver.js';
import type { Logger } from '../../plugin-api/Logger.js';
import { AuditRepository } from './AuditRepository.js';
import { Authenticator } from './Authenticator.js';
import { resolveJwtKey } from './jwtKey.js';
import { JwtService } from './JwtService.js';
import { PersonalAccessTokenRepository } from './PersonalAccessTokenRepository.js';
import { ensureBuiltInRoles } from './rbac.js';
import { RoleRepository } from './RoleRepository.js';
import { ensureRootUser } from './rootUser.js';
import { loadOrCreateSecret } from './secrets.js';
import { seedProvisionedPat } from './seedPersonalAccessToken.js';
import { UserRepository } from './UserRepository.js';

/** Row of `auth_secrets` holding the PAT HMAC key. */
export const PAT_KEY_SECRET_NAME = 'pat_hmac_key';

/** Everything the REST layer needs for authentication and the auth resources. */
export interface AuthServices {
  readonly jwt: JwtService;
  readonly authenticator: Authenticator;
  readonly patKey: string;
  readonly users: UserRepository;
  readonly roles: RoleRepository;
  readonly pats: PersonalAccessTokenRepository;
  readonly audits: AuditRepository;
}

/** Inputs of {@link bootstrapAuth}. */
export interface BootstrapAuthOptions {
  readonly db: SqlSession;
  readonly config: ManagerConfig;
  readonly logger: Logger;
  /** API groups that RBAC knows (`clusters`, `users`, …), from the route table. */
  readonly groups: readonly string[];
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs the start-up steps and returns the auth services.
 * @throws `D7Y_ERR_INVALID_CONFIG` for a refused JWT key or a too-short initial root password;
 * `D7Y_ERR_UNAVAILABLE` when the database cannot be reached.
 */
export async function bootstrapAuth(options: BootstrapAuthOptions): Promise<AuthServices> {
  const { db, config, logger } = options;
  const env = options.env ?? process.env;
  const key = await resolveJwtKey({ configuredKey: config.auth.jwt.key, env, db, logger });
  const jwt = new JwtService(key, { timeoutMs: config.auth.jwt.timeout, maxRefreshMs: config.auth.jwt.maxRefresh });
  const { value: patKey } = await loadOrCreateSecret(db, PAT_KEY_SECRET_NAME);
  const users = new UserRepository(db);
  const roles = new RoleRepository(db);
  const pats = new PersonalAccessTokenRepository(db);
  await ensureBuiltInRoles(roles, options.groups);
  const rootUserId = await ensureRootUser({ users, roles, env, logger });
  await seedProvisionedPat({ pats, patKey, rootUserId, env, logger });
  const authenticator = new Authenticator({ jwt, patKey, users, roles, pats });
  return { jwt, authenticator, patKey, users, roles, pats, audits: new AuditRepository(db) };
}
