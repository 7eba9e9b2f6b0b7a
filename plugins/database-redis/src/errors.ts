/**
 * Translation of ioredis errors into coded d7y errors at the plugin edge. Messages name the server
 * (`host:port`, or the sentinel master) and never carry a password: every configured secret is redacted, and
 * the raw ioredis error (whose `command.args` may hold an AUTH password) is never attached as `cause`.
 */
import { createError, ErrorCodes, isD7yError, type D7yError } from '@d7y/core/plugin-api';

/** Reply prefixes that mean "the server cannot serve right now", not "the command is wrong". */
const UNAVAILABLE_REPLY = /^(LOADING|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|BUSY|NOREPLICAS|MISCONF)\b/;
const AUTH_REPLY = /^(WRONGPASS|NOAUTH)\b|invalid (username-)?password/i;

/** Replaces every occurrence of each non-empty secret, and any `user:password@` URL credentials, with `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('[redacted]');
  return out.replace(/(\w+:\/\/)[^/@\s]*@/g, '$1[redacted]@');
}

/** What a translation needs to know about the failing connection. */
export interface ErrorContext {
  /** The server as users configured it: `127.0.0.1:6379` or `master 'm' via sentinels a:26379`. */
  readonly where: string;
  /** Values that must never appear in a message. */
  readonly secrets: readonly string[];
  /** Why the connection is down, when it is (the last connection error); undefined while connected. */
  readonly downReason?: string;
}

/**
 * The coded error for a failed `op`: `D7Y_ERR_UNAVAILABLE` for anything about reaching the server
 * (refused, closed, timed out, offline, loading, failing over), `D7Y_ERR_UNAUTHENTICATED` /
 * `D7Y_ERR_PERMISSION_DENIED` for credentials and ACLs, `D7Y_ERR_RESOURCE_EXHAUSTED` for OOM, and
 * `D7Y_ERR_INTERNAL` for any other server reply (a bug).
 */
export function translateRedisError(err: unknown, op: string, ctx: ErrorContext): D7yError {
  if (isD7yError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  const isReply = err instanceof Error && err.name === 'ReplyError';
  const reason = redact(ctx.downReason ?? message, ctx.secrets);
  const details = { server: ctx.where, op };
  if (AUTH_REPLY.test(reason)) {
    return createError(ErrorCodes.UNAUTHENTICATED, `redis ${ctx.where} refused the credentials: ${reason} (${op} failed)`, { details });
  }
  if (/^NOPERM\b/.test(reason)) return createError(ErrorCodes.PERMISSION_DENIED, `redis ${ctx.where} denied ${op}: ${reason}`, { details });
  if (/^OOM\b/.test(reason)) return createError(ErrorCodes.RESOURCE_EXHAUSTED, `redis ${ctx.where} is out of memory: ${reason} (${op} failed)`, { details });
  if (isReply && ctx.downReason === undefined && !UNAVAILABLE_REPLY.test(reason)) {
    return createError(ErrorCodes.INTERNAL, `redis ${ctx.where} rejected ${op}: ${reason}`, { details });
  }
  return createError(ErrorCodes.UNAVAILABLE, `redis ${ctx.where} is unavailable: ${reason} (${op} failed)`, { details });
}
