/** Who an authenticated request acts for. */
import type { PatScope } from './PersonalAccessTokenRepository.js';
import type { Permission } from './RoleRepository.js';

/** A console user signed in with a JWT. */
export interface UserPrincipal {
  readonly type: 'USER';
  readonly userId: number;
  /** The user's name (audit actor name). */
  readonly name: string;
  readonly roles: readonly string[];
  readonly permissions: readonly Permission[];
}

/** A personal access token; it acts with its owner's permissions, narrowed by its scopes. */
export interface PatPrincipal {
  readonly type: 'PAT';
  readonly userId: number;
  /** The token's name (audit actor name); never its value. */
  readonly name: string;
  readonly tokenId: number;
  readonly scopes: readonly PatScope[];
  readonly permissions: readonly Permission[];
}

export type Principal = UserPrincipal | PatPrincipal;
