/**
 * Sign-in, sign-up, sign-out and token refresh (`/api/v1/users/...`), as gin-jwt answers them in
 * Dragonfly: `{code: 200, token, expire}` plus the `jwt` cookie (HttpOnly, SameSite=Lax, Secure on HTTPS).
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

import { createError, ErrorCodes } from '../../../common/errors.js';
import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from '../../auth/password.js';
import { GUEST_ROLE } from '../../auth/rbac.js';
import { RoleRepository } from '../../auth/RoleRepository.js';
import { UserRepository } from '../../auth/UserRepository.js';
import { SESSION_COOKIE, sessionToken } from '../credentials.js';
import { takeAttempt } from '../rateLimits.js';
import type { RestContext, RouteHandler } from '../RestContext.js';
import { serializeUser } from './userView.js';
import { newPassword, text, userName } from '../schemas.js';
import { validate } from '../validation.js';

const signinBody = z.object({ name: z.string().min(1, 'required').max(64, 'at most 64 characters'), password: z.string().min(1, 'required').max(MAX_PASSWORD_LENGTH) });
const signupBody = z.object({
  name: userName,
  password: newPassword,
  email: z.email('expected an email address').max(255).optional(),
  phone: text(64).optional(),
  avatar: text(1024).optional(),
  location: text(255).optional(),
  bio: text(1024).optional(),
});

async function sendSession(ctx: RestContext, reply: FastifyReply, subject: { userId: number; tokenVersion: number; origIat?: number }) {
  const { token, expire } = await ctx.auth.jwt.issue(subject);
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.tls, expires: expire });
  return { code: 200, token, expire: expire.toISOString() };
}

const signin: RouteHandler = async (ctx, request, reply) => {
  const body = validate(signinBody, request.body, 'body');
  await takeAttempt(ctx.sharedState, `signin:ip:${request.ip}`, ctx.rateLimits.signinPerIp);
  await takeAttempt(ctx.sharedState, `signin:name:${body.name}`, ctx.rateLimits.signinPerName);
  const user = await ctx.auth.users.findByName(body.name);
  // Only names of existing accounts reach the audit trail: a mistyped name field often holds a password.
  request.auditActorName = user?.name;
  const ok = await verifyPassword(body.password, user?.encrypted_password);
  if (!ok || user === undefined || user.state !== 'enable') throw createError(ErrorCodes.UNAUTHENTICATED, 'incorrect name or password');
  return sendSession(ctx, reply, { userId: user.id, tokenVersion: user.token_version });
};

const signup: RouteHandler = async (ctx, request) => {
  const body = validate(signupBody, request.body, 'body');
  request.auditActorName = body.name;
  await takeAttempt(ctx.sharedState, `signup:ip:${request.ip}`, ctx.rateLimits.signupPerIp);
  const encryptedPassword = await hashPassword(body.password);
  const id = await ctx.db.transaction(async (tx) => {
    const userId = await new UserRepository(tx).create({ ...body, email: body.email ?? null, encryptedPassword });
    await new RoleRepository(tx).addUserRole(userId, GUEST_ROLE);
    return userId;
  });
  return serializeUser(ctx, id);
};

const signout: RouteHandler = async (_ctx, _request, reply) => {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  return { code: 200 };
};

const refreshToken: RouteHandler = async (ctx, request, reply) => {
  const token = sessionToken(request);
  if (token === undefined) throw createError(ErrorCodes.UNAUTHENTICATED, 'authentication required');
  const claims = await ctx.auth.jwt.verifyForRefresh(token);
  return sendSession(ctx, reply, claims);
};

/** Handlers of the session routes. */
export const sessionHandlers = {
  'users.signin': signin,
  'users.signup': signup,
  'users.signout': signout,
  'users.refreshToken': refreshToken,
};
