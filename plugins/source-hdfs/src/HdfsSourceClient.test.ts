/**
 * HdfsSourceClient against the WebHDFS protocol test server (test/servers/WebHdfsProtocolServer.ts): a
 * NameNode that redirects OPEN to a DataNode, with delegation tokens checked. Stat, ranged reads through
 * the redirect, missing files, wrong tokens, directories, egress on the redirect hop.
 */
import { text } from 'node:stream/consumers';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createEgressPolicy } from '../../../core/src/common/egress/EgressPolicyImpl.js';
import { createMemoryLogger } from '../../../core/src/kernel/memoryLogger.js';
import { isD7yError, type EgressPolicy } from '../../../core/src/plugin-api/index.js';
import { WebHdfsProtocolServer } from '../../../test/servers/WebHdfsProtocolServer.js';
import { startStalledServer } from '../../../test/servers/stalledServer.js';
import { HdfsSourceClient } from './HdfsSourceClient.js';
import { parseHdfsUrl } from './hdfsUrl.js';

const TOKEN = 'HAAEZDd5AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-test-token';
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

const server = new WebHdfsProtocolServer({ delegationToken: TOKEN });
const logger = createMemoryLogger();
const client = new HdfsSourceClient({ egress: createEgressPolicy(), logger });
const hdfs = { delegationToken: TOKEN };
const url = (path: string) => new URL(`hdfs://${server.authority}${path}`);

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
  server.put('/data/obj.bin', ALPHABET).put('/data/set/a.txt', 'aaa').put('/data/set/b/c.txt', 'cc').put('/data/set/b/d.txt', 'd');
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

describe('HdfsSourceClient', () => {
  it('maps hdfs:// URLs to the WebHDFS port, 9870 by default', () => {
    expect(parseHdfsUrl(new URL('hdfs://namenode/a/b'))).toEqual({ authority: 'namenode:9870', path: '/a/b' });
    expect(parseHdfsUrl(new URL('hdfs://namenode:50070/a'))).toEqual({ authority: 'namenode:50070', path: '/a' });
  });

  it('stats a file with GETFILESTATUS', async () => {
    const stat = await client.stat({ url: url('/data/obj.bin'), hdfs });
    expect(stat).toMatchObject({ contentLength: 36, acceptRanges: true });
    expect(stat.isDir).toBeFalsy();
    expect(server.requests.at(-1)).toMatch(/^nn GET \/webhdfs\/v1\/data\/obj\.bin\?op=GETFILESTATUS&delegation=/);
  });

  it('reads a range with offset/length through the NameNode redirect to the DataNode', async () => {
    server.requests.length = 0;
    const part = await client.get({ url: url('/data/obj.bin'), hdfs, range: { start: 10, length: 6 } });
    expect(part.contentLength).toBe(6);
    expect(await text(part.stream)).toBe('abcdef');
    expect(server.requests[0]).toMatch(/^nn GET .*op=OPEN.*offset=10&length=6/);
    expect(server.requests[1]).toMatch(/^dn GET .*op=OPEN.*offset=10&length=6.*namenoderpcaddress=/);
    const whole = await client.get({ url: url('/data/obj.bin'), hdfs });
    expect(await text(whole.stream)).toBe(ALPHABET);
  });

  it('a missing file is D7Y_ERR_NOT_FOUND naming the hdfs:// URL; exists() says false', async () => {
    const error = await failure(client.stat({ url: url('/data/nope.bin'), hdfs }));
    expect(error.code).toBe('D7Y_ERR_NOT_FOUND');
    expect(error.message).toContain(`hdfs://${server.authority}/data/nope.bin`);
    expect((await failure(client.get({ url: url('/data/nope.bin'), hdfs }))).code).toBe('D7Y_ERR_NOT_FOUND');
    expect(await client.exists({ url: url('/data/nope.bin'), hdfs })).toBe(false);
  });

  it('a wrong or missing delegation token is D7Y_ERR_UNAUTHENTICATED naming the flag, never the token', async () => {
    const wrong = await failure(client.get({ url: url('/data/obj.bin'), hdfs: { delegationToken: 'wrong-token-value' }, range: { start: 0, length: 4 } }));
    expect(wrong.code).toBe('D7Y_ERR_UNAUTHENTICATED');
    expect(wrong.message).toMatch(/InvalidToken.*--hdfs-delegation-token/);
    expect(JSON.stringify(wrong)).not.toContain('wrong-token-value');
    const missing = await failure(client.stat({ url: url('/data/obj.bin') }));
    expect(missing.code).toBe('D7Y_ERR_UNAUTHENTICATED');
  });

  it('lists a directory recursively with LISTSTATUS', async () => {
    const stat = await client.stat({ url: url('/data/set'), hdfs });
    expect(stat.isDir).toBe(true);
    expect(stat.entries).toEqual([
      { url: `hdfs://${server.authority}/data/set/a.txt`, contentLength: 3, isDir: false },
      { url: `hdfs://${server.authority}/data/set/b/c.txt`, contentLength: 2, isDir: false },
      { url: `hdfs://${server.authority}/data/set/b/d.txt`, contentLength: 1, isDir: false },
    ]);
  });

  it('checks the DataNode redirect against the egress policy', async () => {
    // Allows the NameNode's URL but refuses every connection (the lookup), so the redirect hop is checked too.
    const base = createEgressPolicy();
    let checked = 0;
    const counting: EgressPolicy = { ...base, checkUrl: (u) => { checked++; if (u.port === String(server.datanodePort)) throw Object.assign(new Error('egress policy refuses the datanode'), { code: 'D7Y_ERR_EGRESS_DENIED' }); } };
    const strict = new HdfsSourceClient({ egress: counting });
    const error = await failure(strict.get({ url: url('/data/obj.bin'), hdfs }));
    expect(error.code).toBe('D7Y_ERR_EGRESS_DENIED');
    expect(checked).toBe(2);
    await strict.close();
  });

  it('applies the egress policy at connect time, after DNS', async () => {
    const strict = new HdfsSourceClient({ egress: createEgressPolicy({ denyCIDRs: ['127.0.0.0/8', '::1/128'] }) });
    const error = await failure(strict.stat({ url: new URL(`hdfs://localhost:${server.namenodePort}/data/obj.bin`), hdfs }));
    expect(error.code).toBe('D7Y_ERR_EGRESS_DENIED');
    await strict.close();
  });

  it('a NameNode that never answers is D7Y_ERR_TIMEOUT after timeoutMs', async () => {
    const stalled = await startStalledServer();
    const timeout = await failure(client.stat({ url: new URL(`hdfs://127.0.0.1:${stalled.port}/data/obj.bin`), hdfs, timeoutMs: 300 }));
    expect(timeout.code).toBe('D7Y_ERR_TIMEOUT');
    expect(timeout.message).toContain('GETFILESTATUS hdfs://');
    await stalled.close();
  });

  it('without a token, sends the configured user.name (clusters without security)', async () => {
    const open = await new WebHdfsProtocolServer().start();
    open.put('/f.txt', 'open');
    const plain = new HdfsSourceClient({ egress: createEgressPolicy(), config: { user: 'alice' } });
    const body = await plain.get({ url: new URL(`hdfs://${open.authority}/f.txt`) });
    expect(await text(body.stream)).toBe('open');
    expect(open.requests[0]).toMatch(/op=OPEN&user\.name=alice/);
    await plain.close();
    await open.stop();
  });

  it('never logs the token', () => {
    expect(JSON.stringify(logger.records)).not.toContain(TOKEN);
  });
});
