/**
 * OssSourceClient against the OSS protocol test server (test/servers/OssProtocolServer.ts), which verifies
 * the OSS V1 signature and the STS token exactly: stat, ranged get, missing objects, wrong credentials,
 * directories, required endpoint, egress.
 */
import { text } from 'node:stream/consumers';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createEgressPolicy } from '../../../core/src/common/egress/EgressPolicyImpl.js';
import { createMemoryLogger } from '../../../core/src/kernel/memoryLogger.js';
import { isD7yError, type ObjectStorageOptions } from '../../../core/src/plugin-api/index.js';
import { OssProtocolServer } from '../../../test/servers/OssProtocolServer.js';
import { startStalledServer } from '../../../test/servers/stalledServer.js';
import { OssSourceClient } from './OssSourceClient.js';

const KEY = { accessKeyId: 'LTAItestkey0001', accessKeySecret: 'oss-secret-0123456789abcdef' };
const STS = { accessKeyId: 'STS.testkey0002', accessKeySecret: 'sts-secret-abcdef0123456789', securityToken: 'sts-security-token-xyz-123' };
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

const server = new OssProtocolServer({ credentials: [KEY, STS], maxKeysPerPage: 2 });
const logger = createMemoryLogger();
const client = new OssSourceClient({ egress: createEgressPolicy(), logger });
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
  server.put('datasets', 'dir/obj.bin', ALPHABET);
  server.put('datasets', 'set/a.txt', 'aaa').put('datasets', 'set/b/c.txt', 'cc').put('datasets', 'set/b/d.txt', 'd').put('datasets', 'set/marker/', '');
  server.put('datasets', 'set-sibling.txt', 'not in set');
  storage = { endpoint: server.endpoint, accessKeyId: KEY.accessKeyId, accessKeySecret: KEY.accessKeySecret };
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

describe('OssSourceClient', () => {
  it('stats an object', async () => {
    const stat = await client.stat({ url: new URL('oss://datasets/dir/obj.bin'), objectStorage: storage });
    expect(stat.contentLength).toBe(36);
    expect(stat.headers.etag).toMatch(/^"[0-9A-F]{32}"$/);
    expect(stat.isDir).toBeFalsy();
  });

  it('gets exactly a byte range, and the whole object', async () => {
    const part = await client.get({ url: new URL('oss://datasets/dir/obj.bin'), objectStorage: storage, range: { start: 10, length: 6 } });
    expect(part.contentLength).toBe(6);
    expect(await text(part.stream)).toBe('abcdef');
    const whole = await client.get({ url: new URL('oss://datasets/dir/obj.bin'), objectStorage: storage });
    expect(await text(whole.stream)).toBe(ALPHABET);
  });

  it('a range past the end is refused (x-oss-range-behavior: standard), not answered with the whole object', async () => {
    const error = await failure(client.get({ url: new URL('oss://datasets/dir/obj.bin'), objectStorage: storage, range: { start: 100, length: 4 } }));
    expect(error.code).toBe('D7Y_ERR_SOURCE_ERROR');
    expect(error.details.statusCode).toBe(416);
  });

  it('a missing object or bucket is D7Y_ERR_NOT_FOUND naming the URL; exists() says false', async () => {
    const missing = await failure(client.stat({ url: new URL('oss://datasets/dir/nope.bin'), objectStorage: storage }));
    expect(missing.code).toBe('D7Y_ERR_NOT_FOUND');
    expect(missing.message).toContain('oss://datasets/dir/nope.bin');
    const viaGet = await failure(client.get({ url: new URL('oss://datasets/dir/nope.bin'), objectStorage: storage }));
    expect(viaGet.code).toBe('D7Y_ERR_NOT_FOUND');
    const bucket = await failure(client.stat({ url: new URL('oss://no-such-bucket/x'), objectStorage: storage }));
    expect(bucket.message).toMatch(/bucket not found/);
    expect(await client.exists({ url: new URL('oss://datasets/dir/nope.bin'), objectStorage: storage })).toBe(false);
  });

  it('wrong secret, unknown key id, missing STS token: D7Y_ERR_UNAUTHENTICATED with a hint and no secret in it', async () => {
    const cases: Array<[ObjectStorageOptions, RegExp]> = [
      [{ ...storage, accessKeySecret: 'wrong-secret-value' }, /SignatureDoesNotMatch.*--storage-access-key-secret/],
      [{ ...storage, accessKeyId: 'LTAIunknown0000' }, /InvalidAccessKeyId.*--storage-access-key-id/],
      [{ ...storage, accessKeyId: STS.accessKeyId, accessKeySecret: STS.accessKeySecret }, /InvalidSecurityToken.*--storage-security-token/],
    ];
    for (const [options, hint] of cases) {
      for (const call of [client.stat({ url: new URL('oss://datasets/dir/obj.bin'), objectStorage: options }), client.get({ url: new URL('oss://datasets/dir/obj.bin'), objectStorage: options })]) {
        const error = await failure(call);
        expect(error.code, error.message).toBe('D7Y_ERR_UNAUTHENTICATED');
        expect(error.message).toMatch(hint);
        const shown = JSON.stringify(error);
        for (const secret of [options.accessKeySecret!, KEY.accessKeySecret, STS.securityToken]) expect(shown).not.toContain(secret);
      }
    }
    const withToken = await client.stat({ url: new URL('oss://datasets/dir/obj.bin'), objectStorage: { endpoint: server.endpoint, ...STS } });
    expect(withToken.contentLength).toBe(36);
  });

  it('lists a directory recursively across pages, with or without the trailing slash', async () => {
    for (const url of ['oss://datasets/set/', 'oss://datasets/set']) {
      const stat = await client.stat({ url: new URL(url), objectStorage: storage });
      expect(stat.isDir).toBe(true);
      expect(stat.entries).toEqual([
        { url: 'oss://datasets/set/a.txt', contentLength: 3, isDir: false },
        { url: 'oss://datasets/set/b/c.txt', contentLength: 2, isDir: false },
        { url: 'oss://datasets/set/b/d.txt', contentLength: 1, isDir: false },
      ]);
    }
    expect(server.requests.some((r) => r.includes('continuation-token='))).toBe(true);
  });

  it('needs an endpoint and both keys, and names the flags', async () => {
    const noEndpoint = await failure(client.stat({ url: new URL('oss://datasets/x'), objectStorage: { accessKeyId: 'a', accessKeySecret: 'b' } }));
    expect(noEndpoint.code).toBe('D7Y_ERR_INVALID_ARGUMENT');
    expect(noEndpoint.message).toMatch(/--storage-endpoint/);
    const noKeys = await failure(client.stat({ url: new URL('oss://datasets/x'), objectStorage: { endpoint: server.endpoint } }));
    expect(noKeys.message).toMatch(/--storage-access-key-id and --storage-access-key-secret/);
  });

  it('the egress policy refuses a denied endpoint before any request', async () => {
    const strict = new OssSourceClient({ egress: createEgressPolicy({ denyCIDRs: ['127.0.0.0/8'] }) });
    const before = server.requests.length;
    const error = await failure(strict.stat({ url: new URL('oss://datasets/dir/obj.bin'), objectStorage: storage }));
    expect(error.code).toBe('D7Y_ERR_EGRESS_DENIED');
    expect(server.requests.length).toBe(before);
  });

  it('a server that never answers is D7Y_ERR_TIMEOUT after timeoutMs', async () => {
    const stalled = await startStalledServer();
    const timeout = await failure(client.stat({ url: new URL('oss://datasets/dir/obj.bin'), objectStorage: { ...storage, endpoint: `http://127.0.0.1:${stalled.port}` }, timeoutMs: 300 }));
    expect(timeout.code).toBe('D7Y_ERR_TIMEOUT');
    expect(timeout.message).toContain('oss://datasets/dir/obj.bin');
    await stalled.close();
  });

  it('never logs credentials', () => {
    const logged = JSON.stringify(logger.records);
    for (const secret of [KEY.accessKeySecret, STS.accessKeySecret, STS.securityToken]) expect(logged).not.toContain(secret);
  });
});
