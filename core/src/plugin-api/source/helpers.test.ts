import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';

import { describe, expect, it } from 'vitest';

import { createError, ErrorCodes } from '../errors.js';
import { checkedBody } from './checkedBody.js';
import { existsByStat } from './exists.js';
import { assertByteRange, assertObjectKey } from './range.js';
import { REDACTED, scrub, secretsOf } from './secrets.js';

describe('checkedBody', () => {
  const sizeError = (received: number, expected: number) => createError(ErrorCodes.SOURCE_ERROR, `got ${received} of ${expected}`);
  const passThrough = (error: unknown) => error as Error;

  it('passes a body of exactly the expected size', async () => {
    expect(await text(checkedBody(Readable.from([Buffer.from('ab'), Buffer.from('cde')]), 5, sizeError, passThrough))).toBe('abcde');
  });

  it('fails a short body and a long one instead of ending them', async () => {
    await expect(text(checkedBody(Readable.from([Buffer.from('abc')]), 5, sizeError, passThrough))).rejects.toThrow('got 3 of 5');
    await expect(text(checkedBody(Readable.from([Buffer.from('abcdef')]), 5, sizeError, passThrough))).rejects.toThrow('got 6 of 5');
  });

  it('maps errors of the source body, with the bytes received so far', async () => {
    const body = new Readable({ read() {} });
    body.push(Buffer.from('ab'));
    const checked = checkedBody(body, 5, sizeError, (error, received) => new Error(`${(error as Error).message} after ${received}`));
    setTimeout(() => body.destroy(new Error('reset')), 10);
    await expect(text(checked)).rejects.toThrow('reset after 2');
  });

  it('destroys the source body when the checked stream is destroyed', async () => {
    const body = new Readable({ read() {} });
    checkedBody(body, 5, sizeError, passThrough).destroy();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(body.destroyed).toBe(true);
  });
});

describe('existsByStat', () => {
  it('is true when stat succeeds and false when it says not found', async () => {
    expect(await existsByStat(async () => ({}))).toBe(true);
    expect(await existsByStat(async () => Promise.reject(createError(ErrorCodes.NOT_FOUND, 'gone')))).toBe(false);
  });

  it('throws every other failure, so missing never hides broken', async () => {
    await expect(existsByStat(async () => Promise.reject(createError(ErrorCodes.PERMISSION_DENIED, 'no')))).rejects.toThrow('no');
  });
});

describe('secrets', () => {
  it('collects the secret values of object storage options (long enough to match safely)', () => {
    expect(secretsOf({ accessKeyId: 'AKIAEXAMPLE', accessKeySecret: 'shh-secret', sessionToken: 'tok', securityToken: 'sts-token' })).toEqual(['AKIAEXAMPLE', 'shh-secret', 'sts-token']);
    expect(secretsOf(undefined)).toEqual([]);
  });

  it('scrubs plain and percent-encoded forms', () => {
    expect(scrub('key=a/b+c&x=a%2Fb%2Bc', ['a/b+c'])).toBe(`key=${REDACTED}&x=${REDACTED}`);
  });
});

describe('assertByteRange', () => {
  it('accepts a range starting at 0 or later with at least one byte', () => {
    expect(() => assertByteRange({ start: 0, length: 1 })).not.toThrow();
    expect(() => assertByteRange({ start: 4 * 1024 * 1024, length: 4 * 1024 * 1024 })).not.toThrow();
  });

  it.each([
    ['a negative start', { start: -1, length: 10 }],
    ['an empty range', { start: 0, length: 0 }],
    ['a fractional length', { start: 0, length: 1.5 }],
    ['a start past the safe integers', { start: Number.MAX_SAFE_INTEGER, length: 2 }],
    ['NaN', { start: Number.NaN, length: 1 }],
  ])('refuses %s with D7Y_ERR_INVALID_ARGUMENT naming the numbers', (_name, range) => {
    expect(() => assertByteRange(range)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT, message: expect.stringContaining(`start ${range.start}`) }));
  });
});

describe('assertObjectKey', () => {
  it('accepts an object key and refuses a directory with a hint to download recursively', () => {
    expect(() => assertObjectKey(new URL('s3://bucket/models/a.bin'), 'models/a.bin')).not.toThrow();
    for (const key of ['', 'models/']) {
      expect(() => assertObjectKey(new URL(`s3://bucket/${key}`), key)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT, message: expect.stringContaining('dfget -r') }));
    }
  });
});
