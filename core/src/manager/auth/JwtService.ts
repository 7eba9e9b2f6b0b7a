/**
 * Console sessions as JWTs (HS256 only), in the shape gin-jwt gives Dragonfly's console: claims `id`
 * (user id), `orig_iat` (first sign-in, bounds refreshes), `iat`, `exp`; plus d7y's `tv` (the user's token
 * version: a password reset or a disabled account invalidates every token issued before it).
 */
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';

import { createError, ErrorCodes } from '../../common/errors.js';

/** The one accepted algorithm; `alg: none`, RS*, ES* and every other HS variant are refused. */
export const JWT_ALGORITHM = 'HS256';
/** Longest token looked at; longer ones are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;
/** Allowed clock difference for `exp` and `iat`, in seconds. */
export const CLOCK_SKEW_SECONDS = 30;

/** What a verified session token says. */
export interface SessionClaims {
  readonly userId: number;
  readonly tokenVersion: number;
  /** Seconds since the epoch of the sign-in this token descends from. */
  readonly origIat: number;
}

/** Settings of a {@link JwtService}. */
export interface JwtServiceOptions {
  /** `auth.jwt.timeout`: how long a token is valid, ms. */
  readonly timeoutMs: number;
  /** `auth.jwt.maxRefresh`: how long after the original sign-in a token may be refreshed, ms. */
  readonly maxRefreshMs: number;
  /** Clock, ms since the epoch (tests). */
  readonly now?: () => number;
}

const unauthenticated = (message: string) => createError(ErrorCodes.UNAUTHENTICATED, message);

/** Issues and verifies session tokens with one HMAC key. */
export class JwtService {
  private readonly now: () => number;

  constructor(
    private readonly key: Uint8Array,
    private readonly options: JwtServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** A new token for a user; `origIat` carries over the original sign-in on refresh. */
  async issue(subject: { userId: number; tokenVersion: number; origIat?: number }): Promise<{ token: string; expire: Date }> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const exp = nowSeconds + Math.floor(this.options.timeoutMs / 1000);
    const token = await new SignJWT({ id: subject.userId, tv: subject.tokenVersion, orig_iat: subject.origIat ?? nowSeconds })
      .setProtectedHeader({ alg: JWT_ALGORITHM, typ: 'JWT' })
      .setIssuedAt(nowSeconds)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expire: new Date(exp * 1000) };
  }

  /**
   * The claims of a valid, unexpired token.
   * @throws `D7Y_ERR_UNAUTHENTICATED` for anything else: wrong algorithm or key, expired, malformed.
   */
  async verify(token: string): Promise<SessionClaims> {
    return claimsOf(await this.verifyPayload(token, false));
  }

  /**
   * The claims of a token that may be refreshed: correctly signed, possibly expired, and issued from a
   * sign-in less than `maxRefresh` ago.
   * @throws `D7Y_ERR_UNAUTHENTICATED` otherwise.
   */
  async verifyForRefresh(token: string): Promise<SessionClaims> {
    const claims = claimsOf(await this.verifyPayload(token, true));
    if ((claims.origIat * 1000) + this.options.maxRefreshMs < this.now()) throw unauthenticated('token is too old to refresh; sign in again');
    return claims;
  }

  private async verifyPayload(token: string, allowExpired: boolean): Promise<JWTPayload> {
    if (token.length === 0) throw unauthenticated('missing token');
    if (token.length > MAX_TOKEN_LENGTH) throw unauthenticated('token is too long');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: [JWT_ALGORITHM],
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(this.now()),
        requiredClaims: ['exp', 'iat', 'id', 'tv', 'orig_iat'],
      }));
    } catch (error) {
      if (allowExpired && isExpired(error)) payload = (error as joseErrors.JWTExpired).payload;
      else if (isExpired(error)) throw unauthenticated('token is expired');
      else throw unauthenticated('token is invalid');
    }
    if (typeof payload.iat !== 'number' || payload.iat > this.now() / 1000 + CLOCK_SKEW_SECONDS) throw unauthenticated('token is invalid');
    return payload;
  }
}

function claimsOf(payload: JWTPayload): SessionClaims {
  const { id, tv, orig_iat: origIat } = payload as { id?: unknown; tv?: unknown; orig_iat?: unknown };
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!isCount(id) || id === 0 || !isCount(tv) || !isCount(origIat)) throw unauthenticated('token is invalid');
  return { userId: id, tokenVersion: tv, origIat };
}

/** jose's expiry error, recognised by its stable code. */
function isExpired(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_JWT_EXPIRED';
}
