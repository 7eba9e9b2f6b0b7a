/**
 * Turns credentials into a {@link Principal}: a session JWT for the console API, or a personal access token
 * for the open API. Every failure is `D7Y_ERR_UNAUTHENTICATED` (401) with a message that does not reveal
 * whether a user or token exists; a valid credential without the needed scope is `D7Y_ERR_PERMISSION_DENIED`.
 */
import { createError, ErrorCodes } from '../../common/errors.js';
import type { JwtService } from './JwtService.js';
import { digestsEqual, MAX_PAT_LENGTH, patDigest } from './patToken.js';
import type { PatScope, PersonalAccessTokenRepository } from './PersonalAccessTokenRepository.js';
import type { PatPrincipal, UserPrincipal } from './Principal.js';
import type { RoleRepository } from './RoleRepository.js';
import type { UserRepository } from './UserRepository.js';

/** What an {@link Authenticator} reads. */
export interface AuthenticatorDeps {
  readonly jwt: JwtService;
  /** The server's PAT HMAC key. */
  readonly patKey: string;
  readonly users: UserRepository;
  readonly roles: RoleRepository;
  readonly pats: PersonalAccessTokenRepository;
  /** Clock, ms (tests). */
  readonly now?: () => number;
}

const unauthenticated = (message: string) => createError(ErrorCodes.UNAUTHENTICATED, message);

/** Verifies session tokens and personal access tokens. */
export class Authenticator {
  constructor(private readonly deps: AuthenticatorDeps) {}

  /** The user a session token belongs to, if the token is valid and the account is enabled. */
  async authenticateSession(token: string): Promise<UserPrincipal> {
    const claims = await this.deps.jwt.verify(token);
    return this.userPrincipal(claims.userId, claims.tokenVersion);
  }

  /** The principal of an enabled user whose current token version is `tokenVersion`. */
  async userPrincipal(userId: number, tokenVersion: number): Promise<UserPrincipal> {
    const user = await this.deps.users.findById(userId);
    if (user === undefined || user.state !== 'enable' || user.token_version !== tokenVersion) throw unauthenticated('token is invalid');
    const roles = await this.deps.roles.rolesOf(user.id);
    return { type: 'USER', userId: user.id, name: user.name, roles, permissions: await this.deps.roles.permissionsOf(roles) };
  }

  /**
   * The principal of a personal access token that is active, unexpired, owned by an enabled user, and
   * carries `scope`. Empty scopes grant nothing (d7y fails closed where Dragonfly allowed everything).
   */
  async authenticatePat(token: string, scope: PatScope): Promise<PatPrincipal> {
    if (token.length === 0 || token.length > MAX_PAT_LENGTH) throw unauthenticated('invalid personal access token');
    const digest = patDigest(this.deps.patKey, token);
    const record = await this.deps.pats.findByDigest(digest);
    if (record === undefined || !digestsEqual(record.token_hmac, digest)) throw unauthenticated('invalid personal access token');
    if (record.state !== 'active') throw unauthenticated('personal access token is inactive');
    if (record.expired_at.getTime() <= (this.deps.now ?? Date.now)()) throw unauthenticated('personal access token is expired');
    const owner = await this.deps.users.findById(record.user_id);
    if (owner === undefined || owner.state !== 'enable') throw unauthenticated('invalid personal access token');
    if (record.scopes.length === 0) throw createError(ErrorCodes.PERMISSION_DENIED, 'personal access token has no scopes; empty scopes grant nothing');
    if (!record.scopes.includes(scope)) throw createError(ErrorCodes.PERMISSION_DENIED, `personal access token lacks scope "${scope}"`);
    const permissions = await this.deps.roles.permissionsOf(await this.deps.roles.rolesOf(owner.id));
    await this.deps.pats.touch(record.id);
    return { type: 'PAT', userId: owner.id, name: record.name, tokenId: record.id, scopes: record.scopes, permissions };
  }
}
