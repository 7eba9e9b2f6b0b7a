import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';

import { JwtService, MAX_TOKEN_LENGTH } from './JwtService.js';

const KEY = new TextEncoder().encode('k'.repeat(32));
const HOUR = 3_600_000;

function service(now: () => number = Date.now) {
  return new JwtService(KEY, { timeoutMs: HOUR, maxRefreshMs: 2 * HOUR, now });
}

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'resolved', (e: { code?: string }) => e.code);

describe('JwtService', () => {
  it('issues HS256 tokens carrying id, token version and orig_iat, valid for auth.jwt.timeout', async () => {
    const start = Date.UTC(2030, 0, 1);
    const jwt = service(() => start);
    const { token, expire } = await jwt.issue({ userId: 7, tokenVersion: 2 });
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(expire.getTime()).toBe(start + HOUR);
    expect(await jwt.verify(token)).toEqual({ userId: 7, tokenVersion: 2, origIat: start / 1000 });
  });

  it('refuses expired tokens but refreshes them until maxRefresh after the original sign-in', async () => {
    let now = Date.UTC(2030, 0, 1);
    const jwt = service(() => now);
    const { token } = await jwt.issue({ userId: 1, tokenVersion: 0 });
    now += HOUR + 60_000;
    expect(await codeOf(jwt.verify(token))).toBe('D7Y_ERR_UNAUTHENTICATED');
    const claims = await jwt.verifyForRefresh(token);
    const refreshed = await jwt.issue(claims);
    expect((await jwt.verify(refreshed.token)).origIat).toBe(Date.UTC(2030, 0, 1) / 1000);
    now = Date.UTC(2030, 0, 1) + 2 * HOUR + 60_000;
    expect(await codeOf(jwt.verifyForRefresh(refreshed.token))).toBe('D7Y_ERR_UNAUTHENTICATED');
  });

  it('refuses alg none, other algorithms, other keys, oversized tokens and non-numeric ids', async () => {
    const jwt = service();
    const now = Math.floor(Date.now() / 1000);
    const claims = { id: 1, tv: 0, orig_iat: now };
    const signed = (alg: string, key: Uint8Array, body: Record<string, unknown> = claims) =>
      new SignJWT(body).setProtectedHeader({ alg }).setIssuedAt(now).setExpirationTime(now + 60).sign(key);
    const tokens = [
      new UnsecuredJWT(claims).setIssuedAt(now).setExpirationTime(now + 60).encode(),
      await signed('HS384', KEY),
      await signed('HS256', new TextEncoder().encode('x'.repeat(32))),
      await signed('HS256', KEY, { ...claims, id: '1' }),
      await signed('HS256', KEY, { ...claims, id: 0 }),
      await signed('HS256', KEY, { id: 1 }),
      'a'.repeat(MAX_TOKEN_LENGTH + 1),
      '',
    ];
    for (const token of tokens) expect(await codeOf(jwt.verify(token))).toBe('D7Y_ERR_UNAUTHENTICATED');
    expect(await jwt.verify(await signed('HS256', KEY))).toEqual({ userId: 1, tokenVersion: 0, origIat: now });
  });

  it('refuses a token issued in the future, or not valid before a future time, beyond the clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    const future = await new SignJWT({ id: 1, tv: 0, orig_iat: now }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now + 600).setExpirationTime(now + 1200).sign(KEY);
    expect(await codeOf(service().verify(future))).toBe('D7Y_ERR_UNAUTHENTICATED');
    const notYet = await new SignJWT({ id: 1, tv: 0, orig_iat: now }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now).setNotBefore(now + 600).setExpirationTime(now + 1200).sign(KEY);
    expect(await codeOf(service().verify(notYet))).toBe('D7Y_ERR_UNAUTHENTICATED');
  });
});
