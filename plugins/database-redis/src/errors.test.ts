import { describe, expect, it } from 'vitest';

import { redact, translateRedisError } from './errors.js';

const ctx = { where: '127.0.0.1:6379', secrets: ['s3cret'] };
const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError', command: { name: 'auth', args: ['s3cret'] } });

describe('translateRedisError', () => {
  it('connection problems are UNAVAILABLE, naming the server and the operation', () => {
    const err = translateRedisError(new Error("Stream isn't writeable and enableOfflineQueue options is false"), 'get', { ...ctx, downReason: 'connect ECONNREFUSED 127.0.0.1:6379' });
    expect(err).toMatchObject({ code: 'D7Y_ERR_UNAVAILABLE', message: 'redis 127.0.0.1:6379 is unavailable: connect ECONNREFUSED 127.0.0.1:6379 (get failed)' });
    expect(translateRedisError(new Error('Command timed out'), 'set', ctx).code).toBe('D7Y_ERR_UNAVAILABLE');
    expect(translateRedisError(reply('LOADING Redis is loading the dataset in memory'), 'get', ctx).code).toBe('D7Y_ERR_UNAVAILABLE');
  });

  it('maps credentials, ACL and memory replies; other replies are INTERNAL', () => {
    expect(translateRedisError(reply('WRONGPASS invalid username-password pair or user is disabled.'), 'get', ctx).code).toBe('D7Y_ERR_UNAUTHENTICATED');
    expect(translateRedisError(reply("NOPERM this user has no permissions to run the 'get' command"), 'get', ctx).code).toBe('D7Y_ERR_PERMISSION_DENIED');
    expect(translateRedisError(reply('OOM command not allowed when used memory > maxmemory'), 'set', ctx).code).toBe('D7Y_ERR_RESOURCE_EXHAUSTED');
    expect(translateRedisError(reply('ERR Error running script'), 'allow', ctx).code).toBe('D7Y_ERR_INTERNAL');
  });

  it('never carries a secret or the raw error', () => {
    const err = translateRedisError(reply('ERR echo s3cret'), 'get', ctx);
    expect(err.message).toBe('redis 127.0.0.1:6379 rejected get: ERR echo [redacted]');
    expect(err.cause).toBeUndefined();
    expect(JSON.stringify(err)).not.toContain('s3cret');
  });

  it('passes coded errors through', () => {
    const coded = Object.assign(new Error('x'), { code: 'D7Y_ERR_TIMEOUT' });
    expect(translateRedisError(coded, 'get', ctx)).toBe(coded);
  });
});

describe('redact', () => {
  it('removes secrets and URL credentials', () => {
    expect(redact('a s3cret b s3cret', ['s3cret', ''])).toBe('a [redacted] b [redacted]');
    expect(redact('redis://user:pw@host:6379/0', [])).toBe('redis://[redacted]@host:6379/0');
  });
});
