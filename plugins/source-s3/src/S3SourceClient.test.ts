/**
 * S3SourceClient against the S3 protocol test server (test/servers/S3ProtocolServer.ts), which verifies
 * AWS Signature V4 exactly: stat, ranged get, missing objects, wrong credentials, directories, egress.
 */
import { text } from 'node:stream/consumers';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createEgressPolicy } from '../../../core/src/common/egress/EgressPolicyImpl.js';
import { createMemoryLogger } from '../../../core/src/kernel/memoryLogger.js';
import { isD7yError, type ObjectStorageOptions } from '../../../core/src/plugin-api/index.js';
import { S3ProtocolServer } from '../../../test/servers/S3ProtocolServer.js';
import { startStalledServer } from '../../../test/servers/stalledServer.js';
import { S3SourceClient } from './S3SourceClient.js';

const KEY = { accessKeyId: 'AKIDTESTS3KEY0001', secretAccessKey: 'test-secret-0123456789abcdef' };
const STS = { accessKeyId: 'ASIATESTSTSKEY002', secretAccessKey: 'sts-secret-abcdef0123456789', sessionToken: 'sts-session-token-xyz-123' };
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

const server = new S3ProtocolServer({ credentials: [KEY, STS], maxKeysPerPage: 2 });
const logger = createMemoryLogger();
const client = new S3SourceClient({ egress: createEgressPolicy(), logger });
let storage: ObjectStorageOptions;

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (isD7yError(error)) return { code: error.code, message: error.message, details: { ...error.details } };
    throw error;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  await server.start();
  server.put('models', 'dir/obj.bin', ALPHABET, 'text/plain');
  server.put('models', 'set/a.txt', 'aaa').put('models', 'set/b/c.txt', 'cc').put('models', 'set/b/d e.txt', 'd').put('models', 'set/marker/', '');
  server.put('models', 'set-sibling.txt', 'not in set');
  storage = { endpoint: server.endpoint, region: 'us-east-1', accessKeyId: KEY.accessKeyId, accessKeySecret: KEY.secretAccessKey };
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

describe('S3SourceClient', () => {
  it('stats an object: length, etag, content type', async () => {
    const stat = await client.stat({ url: new URL('s3://models/dir/obj.bin'), objectStorage: storage });
    expect(stat.contentLength).toBe(36);
    expect(stat.isDir).toBeFalsy();
    expect(stat.headers['content-type']).toBe('text/plain');
    expect(stat.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(stat.acceptRanges).toBe(true);
  });

  it('gets exactly a byte range, and the whole object', async () => {
    const part = await client.get({ url: new URL('s3://models/dir/obj.bin'), objectStorage: storage, range: { start: 10, length: 6 } });
    expect(part.contentLength).toBe(6);
    expect(await text(part.stream)).toBe('abcdef');
    const whole = await client.get({ url: new URL('s3://models/dir/obj.bin'), objectStorage: storage });
    expect(await text(whole.stream)).toBe(ALPHABET);
  });

  it('a missing object or bucket is D7Y_ERR_NOT_FOUND naming the URL; exists() says false', async () => {
    const missing = await failure(client.stat({ url: new URL('s3://models/dir/nope.bin'), objectStorage: storage }));
    expect(missing.code).toBe('D7Y_ERR_NOT_FOUND');
    expect(missing.message).toContain('s3://models/dir/nope.bin');
    const bucket = await failure(client.get({ url: new URL('s3://no-such-bucket/x'), objectStorage: storage }));
    expect(bucket.code).toBe('D7Y_ERR_NOT_FOUND');
    expect(bucket.message).toMatch(/bucket not found/);
    expect(await client.exists({ url: new URL('s3://models/dir/nope.bin'), objectStorage: storage })).toBe(false);
    expect(await client.exists({ url: new URL('s3://models/dir/obj.bin'), objectStorage: storage })).toBe(true);
  });

  it('wrong secret, unknown key id, missing session token: D7Y_ERR_UNAUTHENTICATED with a hint and no secret in it', async () => {
    const cases: Array<[ObjectStorageOptions, RegExp]> = [
      [{ ...storage, accessKeySecret: 'wrong-secret-value' }, /SignatureDoesNotMatch.*--storage-access-key-secret/],
      [{ ...storage, accessKeyId: 'AKIDUNKNOWN000000' }, /InvalidAccessKeyId.*--storage-access-key-id/],
      [{ ...storage, accessKeyId: STS.accessKeyId, accessKeySecret: STS.secretAccessKey }, /InvalidToken.*--storage-session-token/],
    ];
    for (const [options, hint] of cases) {
      const error = await failure(client.get({ url: new URL('s3://models/dir/obj.bin'), objectStorage: options, range: { start: 0, length: 4 } }));
      expect(error.code).toBe('D7Y_ERR_UNAUTHENTICATED');
      expect(error.message).toMatch(hint);
      const shown = JSON.stringify(error);
      for (const secret of [options.accessKeySecret!, KEY.secretAccessKey, STS.sessionToken]) expect(shown).not.toContain(secret);
    }
    // HEAD errors carry no error document; stat still names the cause.
    const viaStat = await failure(client.stat({ url: new URL('s3://models/dir/obj.bin'), objectStorage: { ...storage, accessKeySecret: 'wrong-secret-value' } }));
    expect(viaStat.message).toMatch(/SignatureDoesNotMatch/);
    const withToken = await client.stat({ url: new URL('s3://models/dir/obj.bin'), objectStorage: { ...storage, accessKeyId: STS.accessKeyId, accessKeySecret: STS.secretAccessKey, sessionToken: STS.sessionToken } });
    expect(withToken.contentLength).toBe(36);
  });

  it('lists a directory recursively across pages, without markers or siblings, with or without the trailing slash', async () => {
    for (const url of ['s3://models/set/', 's3://models/set']) {
      const stat = await client.stat({ url: new URL(url), objectStorage: storage });
      expect(stat.isDir).toBe(true);
      expect(stat.entries).toEqual([
        { url: 's3://models/set/a.txt', contentLength: 3, isDir: false },
        { url: 's3://models/set/b/c.txt', contentLength: 2, isDir: false },
        { url: 's3://models/set/b/d%20e.txt', contentLength: 1, isDir: false },
      ]);
    }
    expect(server.requests.filter((r) => r.includes('list-type=2') && r.includes('continuation-token')).length).toBeGreaterThan(0);
    const entry = await client.get({ url: new URL('s3://models/set/b/d%20e.txt'), objectStorage: storage });
    expect(await text(entry.stream)).toBe('d');
  });

  it('leaves out keys with dot segments (no URL can name them) and warns', async () => {
    server.put('dots', 'set/ok.txt', 'ok').put('dots', 'set/../../escape.txt', 'x').put('dots', 'set/./here.txt', 'y');
    const stat = await client.stat({ url: new URL('s3://dots/set/'), objectStorage: storage });
    expect(stat.entries?.map((e) => e.url)).toEqual(['s3://dots/set/ok.txt']);
    expect(logger.records.filter((r) => r.level === 'warn' && /dot|\.\./.test(r.message ?? ''))).toHaveLength(2);
  });

  it('an empty listing with a trailing slash is an empty directory', async () => {
    server.bucket('empty-bucket');
    const stat = await client.stat({ url: new URL('s3://empty-bucket/'), objectStorage: storage });
    expect(stat).toMatchObject({ isDir: true, entries: [] });
  });

  it('the egress policy refuses a denied endpoint before any request', async () => {
    const strict = new S3SourceClient({ egress: createEgressPolicy({ denyCIDRs: ['127.0.0.0/8'] }) });
    const before = server.requests.length;
    const error = await failure(strict.stat({ url: new URL('s3://models/dir/obj.bin'), objectStorage: storage }));
    expect(error.code).toBe('D7Y_ERR_EGRESS_DENIED');
    expect(server.requests.length).toBe(before);
    await strict.close();
  });

  it('the egress policy is applied at connect time, after DNS (a host name resolving to a denied address)', async () => {
    const strict = new S3SourceClient({ egress: createEgressPolicy({ denyCIDRs: ['127.0.0.0/8', '::1/128'] }) });
    const before = server.requests.length;
    const error = await failure(strict.stat({ url: new URL('s3://models/dir/obj.bin'), objectStorage: { ...storage, endpoint: `http://localhost:${server.port}` } }));
    expect(error.code).toBe('D7Y_ERR_EGRESS_DENIED');
    expect(server.requests.length).toBe(before);
    await strict.close();
  });

  it('refuses half a key pair and invalid endpoints with messages naming the flag', async () => {
    const half = await failure(client.stat({ url: new URL('s3://models/x'), objectStorage: { endpoint: server.endpoint, accessKeyId: KEY.accessKeyId } }));
    expect(half).toMatchObject({ code: 'D7Y_ERR_INVALID_ARGUMENT' });
    expect(half.message).toMatch(/--storage-access-key-secret/);
    const endpoint = await failure(client.stat({ url: new URL('s3://models/x'), objectStorage: { ...storage, endpoint: 'ftp://127.0.0.1' } }));
    expect(endpoint.message).toMatch(/--storage-endpoint must be an http or https URL/);
  });

  it('a server that never answers is D7Y_ERR_TIMEOUT after timeoutMs; a cancelled request is D7Y_ERR_CANCELLED', async () => {
    const stalled = await startStalledServer();
    const options = { ...storage, endpoint: `http://127.0.0.1:${stalled.port}` };
    const started = Date.now();
    const timeout = await failure(client.stat({ url: new URL('s3://models/dir/obj.bin'), objectStorage: options, timeoutMs: 300 }));
    expect(timeout.code).toBe('D7Y_ERR_TIMEOUT');
    expect(timeout.message).toMatch(/within 300ms for HeadObject s3:\/\/models\/dir\/obj\.bin/);
    expect(Date.now() - started).toBeLessThan(5000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const cancelled = await failure(client.get({ url: new URL('s3://models/dir/obj.bin'), objectStorage: options, signal: controller.signal }));
    expect(cancelled.code).toBe('D7Y_ERR_CANCELLED');
    await stalled.close();
  });

  it('never logs credentials', () => {
    const logged = JSON.stringify(logger.records);
    for (const secret of [KEY.secretAccessKey, STS.secretAccessKey, STS.sessionToken]) expect(logged).not.toContain(secret);
  });
});
