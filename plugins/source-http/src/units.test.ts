import { describe, expect, it } from 'vitest';

import { requestHeaders } from './headers.js';
import { parseContentLength, parseContentRange, rangeHeader } from './range.js';
import { redactUrl } from './redact.js';

describe('redactUrl', () => {
  it('strips userinfo, fragments and signed query values', () => {
    expect(redactUrl('https://u:p@bucket.s3.example/key?X-Amz-Credential=AK&X-Amz-Signature=s&versionId=3#f')).toBe(
      'https://bucket.s3.example/key?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&versionId=3',
    );
    expect(redactUrl('http://h/p?access_token=t&sig=1&OSSAccessKeyId=k&Expires=9')).toBe(
      'http://h/p?access_token=REDACTED&sig=REDACTED&OSSAccessKeyId=REDACTED&Expires=9',
    );
    expect(redactUrl('not a url')).toBe('<invalid url>');
  });
});

describe('ranges', () => {
  it('formats and parses', () => {
    expect(rangeHeader({ start: 5, length: 10 })).toBe('bytes=5-14');
    expect(parseContentRange('bytes 5-14/100')).toEqual({ kind: 'range', start: 5, end: 14, total: 100 });
    expect(parseContentRange('bytes 0-0/*')).toEqual({ kind: 'range', start: 0, end: 0, total: -1 });
    expect(parseContentRange('bytes */42')).toEqual({ kind: 'unsatisfied', total: 42 });
    for (const bad of ['bytes 5-4/10', 'bytes 0-10/10', 'items 0-1/2', 'bytes 0-1', '']) expect(parseContentRange(bad)).toBeUndefined();
    expect(parseContentLength('12')).toBe(12);
    expect(parseContentLength('-1')).toBe(-1);
    expect(parseContentLength(undefined)).toBe(-1);
  });
});

describe('requestHeaders', () => {
  it('defaults encoding and agent and never forwards transport headers', () => {
    expect(requestHeaders(new URL('http://h/'), { Host: 'x', 'Transfer-Encoding': 'chunked', TE: 'trailers', Expect: '100-continue', 'X-A': '1' }, 'd7y/1')).toEqual({
      'x-a': '1',
      'accept-encoding': 'identity',
      'user-agent': 'd7y/1',
    });
  });
});
