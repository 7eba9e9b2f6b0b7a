/**
 * OSS presigned URLs made by ali-oss's own `signatureUrl` (V1: OSSAccessKeyId, Expires, Signature, plus
 * security-token for STS) share one task id under the default filtered query params of spec 5.1.
 */
import OSS from 'ali-oss';
import { describe, expect, it } from 'vitest';

import { DEFAULT_FILTERED_QUERY_PARAMS, filterUrl, taskId } from '../../../core/src/common/ids.js';

describe('task ids of presigned OSS URLs', () => {
  const client = new OSS({ accessKeyId: 'LTAIexamplekey', accessKeySecret: 'example-secret', bucket: 'datasets', region: 'oss-cn-hangzhou', secure: true });

  it('share one task id across expiry times', () => {
    const first = client.signatureUrl('train/part-0001.parquet', { expires: 600 });
    const second = client.signatureUrl('train/part-0001.parquet', { expires: 3600 });
    expect(first).not.toBe(second);
    expect(new URL(first).searchParams.has('Signature')).toBe(true);
    const filteredQueryParams = [...DEFAULT_FILTERED_QUERY_PARAMS];
    expect(taskId({ url: first, filteredQueryParams })).toBe(taskId({ url: second, filteredQueryParams }));
    expect(filterUrl(first, DEFAULT_FILTERED_QUERY_PARAMS)).toBe('https://datasets.oss-cn-hangzhou.aliyuncs.com/train/part-0001.parquet');
  });

  it('the STS security token is a filtered parameter only under its documented name; ali-oss names it security-token', () => {
    // ali-oss sends `security-token`, which is not in Dragonfly's default list (`SecurityToken`): such URLs
    // need --filtered-query-param security-token to share a task. Pinned here so a change is noticed.
    const sts = new OSS({ accessKeyId: 'STS.example', accessKeySecret: 's', stsToken: 'sts-token-value', bucket: 'datasets', region: 'oss-cn-hangzhou', secure: true });
    const url = sts.signatureUrl('a.bin', { expires: 600 });
    expect(new URL(url).searchParams.get('security-token')).toBe('sts-token-value');
    expect(filterUrl(url, [...DEFAULT_FILTERED_QUERY_PARAMS, 'security-token'])).toBe('https://datasets.oss-cn-hangzhou.aliyuncs.com/a.bin');
  });
});
