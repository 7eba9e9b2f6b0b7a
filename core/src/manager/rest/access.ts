/**
 * How a route is reached. Every route of the REST server declares exactly one of these in the route table;
 * a request to anything undeclared is refused (DESIGN section 6: default deny).
 */
import type { PatScope } from '../auth/PersonalAccessTokenRepository.js';

/** Anyone, no credentials. */
export interface PublicAccess {
  readonly kind: 'public';
}

/**
 * A console user with a session JWT (`Authorization: Bearer` or cookie `jwt`).
 * - `rbac: <group>`: the user's roles must allow the method on that API group (`read` for GET, `*` otherwise).
 * - `rbac: 'self'`: any signed-in user; the handler allows only the user's own resource (or an admin).
 * - `rbac: 'refresh'`: like `self`, but an expired token is accepted within `auth.jwt.maxRefresh`.
 */
export interface JwtAccess {
  readonly kind: 'jwt';
  readonly rbac: string;
}

/** A personal access token (`Authorization: Bearer`) with `scope`; its owner's roles must also allow the method on `group`. */
export interface PatAccess {
  readonly kind: 'pat';
  readonly scope: PatScope;
  readonly group: string;
}

/** A peer or scheduler calling the manager. No REST route uses it yet; the guard refuses it (fail closed). */
export interface PeerAccess {
  readonly kind: 'peer';
}

export type RouteAccess = PublicAccess | JwtAccess | PatAccess | PeerAccess;

/** RBAC values of {@link JwtAccess} that are not API groups. */
export const SPECIAL_RBAC: readonly string[] = Object.freeze(['self', 'refresh']);

/** Shorthands for the route table. */
export const access = {
  public: (): PublicAccess => ({ kind: 'public' }),
  jwt: (group: string): JwtAccess => ({ kind: 'jwt', rbac: group }),
  self: (): JwtAccess => ({ kind: 'jwt', rbac: 'self' }),
  refresh: (): JwtAccess => ({ kind: 'jwt', rbac: 'refresh' }),
  pat: (scope: PatScope, group: string): PatAccess => ({ kind: 'pat', scope, group }),
};
