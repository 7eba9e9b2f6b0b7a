/**
 * Presigned S3 URLs (query-string SigV4, with and without an STS session token) of one object share one task
 * id under the default filtered query params of spec 5.1, and neither the id input nor logs keep the signature.
 * OSS presigned URLs made by ali-oss itself are checked in plugins/source-oss/src/presigned.test.ts.
 */
import { describe, expect, it } from 'vitest';

import { DEFAULT_FILTERED_QUERY_PARAMS, filterUrl, redactUrl, taskId } from './ids.js';

/** A presigned GET as the AWS SDK's presigner shapes it. */
function presignedS3(date: string, signature: string, token?: string): string {
  const query = new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
    'X-Amz-Credential': `AKIAEXAMPLEKEY/${date.slice(0, 8)}/us-east-1/s3/aws4_request`,
    'X-Amz-Date': date,
    'X-Amz-Expires': '3600',
    ...(token ? { 'X-Amz-Security-Token': token } : {}),
    'X-Amz-Signature': signature,
    'X-Amz-SignedHeaders': 'host',
    'x-id': 'GetObject',
  });
  return `https://models.s3.us-east-1.amazonaws.com/llm/weights.bin?${query}`;
}

describe('task ids of presigned S3 URLs', () => {
  const a = presignedS3('20261205T081500Z', 'a'.repeat(64));
  const b = presignedS3('20261205T091500Z', 'b'.repeat(64), 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN');

  it('share one task id whatever the signature, date and session token', () => {
    const filteredQueryParams = [...DEFAULT_FILTERED_QUERY_PARAMS];
    expect(taskId({ url: a, filteredQueryParams })).toBe(taskId({ url: b, filteredQueryParams }));
    expect(taskId({ url: a, filteredQueryParams })).not.toBe(taskId({ url: a.replace('weights.bin', 'other.bin'), filteredQueryParams }));
  });

  it('keep no credential in the URL the task id is computed from (and stored with the task)', () => {
    const kept = filterUrl(b, DEFAULT_FILTERED_QUERY_PARAMS);
    expect(kept).not.toMatch(/X-Amz-(Signature|Credential|Security-Token|Date)/);
    expect(kept).not.toContain('AKIAEXAMPLEKEY');
    expect(kept).not.toContain('FwoGZXIvYXdzEXAMPLESESSIONTOKEN');
  });

  it('are redacted in logs and messages', () => {
    const shown = redactUrl(b);
    expect(shown).not.toContain('b'.repeat(64));
    expect(shown).not.toContain('FwoGZXIvYXdzEXAMPLESESSIONTOKEN');
    expect(shown).not.toContain('AKIAEXAMPLEKEY');
  });
});
