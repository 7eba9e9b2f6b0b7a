import { describe, expect, it } from 'vitest';

import { BasicAuth, rawHeaderValues } from './auth.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('BasicAuth', () => {
  const auth = new BasicAuth({ username: 'alice', password: 's3cret' });

  it('accepts exactly one valid Basic value, with the scheme in any case', () => {
    expect(auth.check([`Basic ${b64('alice:s3cret')}`])).toBe(true);
    expect(auth.check([`basic ${b64('alice:s3cret')}`])).toBe(true);
  });

  it('refuses every malformed or wrong form (security-testplan F02)', () => {
    const forms: string[][] = [
      [],
      ['Basic'],
      ['Basic '],
      ['Basic !!!not-base64!!!'],
      [`Basic ${b64('alicesecret')}`],
      [`Basic ${b64(':')}`],
      [`Basic ${b64(':s3cret')}`],
      [`Basic ${b64('alice:')}`],
      [`Bearer ${b64('alice:s3cret')}`],
      [`basic ${b64('alice:wrong')}`],
      [`Basic ${'A'.repeat(64 * 1024)}`],
      [`Basic ${b64('alice:s3cret')}`, `Basic ${b64('alice:s3cret')}`],
      [`Basic ${b64('alice:s3cret')}x`],
    ];
    for (const values of forms) expect(auth.check(values), JSON.stringify(values).slice(0, 60)).toBe(false);
  });

  it('collects duplicated header lines from raw headers', () => {
    expect(rawHeaderValues(['Proxy-Authorization', 'a', 'Host', 'h', 'proxy-authorization', 'b'], 'proxy-authorization')).toEqual(['a', 'b']);
  });
});
