/**
 * s3://, oss:// and hdfs:// end to end: real dfdaemon, scheduler and dfget processes against the protocol
 * test servers in test/servers/ (S3 with SigV4, OSS with V1 signatures, WebHDFS with a NameNode redirect).
 * Covers the P2P case (seed + 3 peers, the object store sends the object once), recursive downloads with
 * --include-files, clear credential errors, and that credentials reach no log, metric or message.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { OssProtocolServer } from '../servers/OssProtocolServer.js';
import { S3ProtocolServer } from '../servers/S3ProtocolServer.js';
import { WebHdfsProtocolServer } from '../servers/WebHdfsProtocolServer.js';
import { DaemonProcess, dfget, SchedulerProcess, tempDir } from '../helpers/processes.js';

const MiB = 1024 * 1024;
const S3_KEY = { accessKeyId: 'AKIDE2ETESTKEY0001', secretAccessKey: 'e2e-s3-secret-do-not-log-0123', sessionToken: 'e2e-s3-session-token-do-not-log' };
const OSS_KEY = { accessKeyId: 'LTAIe2etestkey01', accessKeySecret: 'e2e-oss-secret-do-not-log-4567' };
const HDFS_TOKEN = 'e2e-hdfs-delegation-token-do-not-log';
const SECRETS = [S3_KEY.secretAccessKey, S3_KEY.sessionToken, OSS_KEY.accessKeySecret, HDFS_TOKEN];
/** The directory every backend serves: relative path -> content. */
const TREE: Record<string, string> = { 'a.txt': 'alpha\n', 'b.bin': 'bravo-binary', 'sub/c.txt': 'charlie\n', 'sub/deep/d.txt': 'delta\n' };

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Every file under `dir`, as relative paths. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(d, entry.name));
      else out.push(relative(dir, join(d, entry.name)));
    }
  };
  walk(dir);
  return out.sort();
}

const started: Array<DaemonProcess | SchedulerProcess> = [];
async function daemon(name: string, config: Record<string, unknown> = {}): Promise<DaemonProcess> {
  const process = await DaemonProcess.create(name, { log: { level: 'debug' }, ...config });
  started.push(process);
  await process.start();
  return process;
}

describe('object storage and HDFS sources through dfdaemon', () => {
  const s3 = new S3ProtocolServer({ credentials: [S3_KEY] });
  const oss = new OssProtocolServer({ credentials: [{ accessKeyId: OSS_KEY.accessKeyId, accessKeySecret: OSS_KEY.accessKeySecret }] });
  const hdfs = new WebHdfsProtocolServer({ delegationToken: HDFS_TOKEN });
  const out = tempDir('objstore-out');
  const weights = randomBytes(24 * MiB);
  const s3Flags = () => ['--storage-endpoint', s3.endpoint, '--storage-region', 'us-east-1', '--storage-access-key-id', S3_KEY.accessKeyId, '--storage-session-token', S3_KEY.sessionToken];
  /** The secret goes through the environment, as the help text advises. */
  const s3Env = { DFGET_STORAGE_ACCESS_KEY_SECRET: S3_KEY.secretAccessKey };
  const ossFlags = () => ['--storage-endpoint', oss.endpoint, '--storage-access-key-id', OSS_KEY.accessKeyId, '--storage-access-key-secret', OSS_KEY.accessKeySecret];

  beforeAll(async () => {
    await Promise.all([s3.start(), oss.start(), hdfs.start()]);
    s3.put('models', 'llm/weights.bin', weights);
    for (const [path, content] of Object.entries(TREE)) {
      s3.put('models', `tree/${path}`, content);
      oss.put('datasets', `tree/${path}`, content);
      hdfs.put(`/data/tree/${path}`, content);
    }
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    await Promise.all([s3.stop(), oss.stop(), hdfs.stop()]);
  });

  it('seed + 3 peers download the same S3 object at once; the object store sends it once; no credential leaks', async () => {
    const scheduler = await SchedulerProcess.create('objstore-sched', { verbose: true });
    started.push(scheduler);
    await scheduler.start();
    const p2p = { scheduler: { netAddrs: [scheduler.addr], announceInterval: '1s' } };
    const seed = await daemon('objstore-seed', { ...p2p, seedPeer: { enable: true } });
    const peers = await Promise.all([0, 1, 2].map((i) => daemon(`objstore-peer-${i}`, p2p)));
    s3.resetCounters();
    const results = await Promise.all(
      peers.map((peer, i) =>
        dfget(['s3://models/llm/weights.bin', '-O', join(out, `weights-${i}`), '-e', peer.socketPath, '--digest', `sha256:${sha256(weights)}`, '--console', ...s3Flags()], { env: s3Env, timeoutMs: 120_000 }),
      ),
    );
    for (const [i, result] of results.entries()) {
      expect(result.code, `peer ${i}: ${result.stderr}`).toBe(0);
      expect(sha256(readFileSync(join(out, `weights-${i}`)))).toBe(sha256(weights));
    }
    const served = s3.bytesFor('models', 'llm/weights.bin');
    expect(served).toBeGreaterThanOrEqual(weights.length);
    expect(served / weights.length).toBeLessThanOrEqual(1.02);
    expect(results.filter((r) => /remote_peer/.test(r.stderr)).length).toBeGreaterThanOrEqual(2);
    // Credentials travelled dfget -> daemon -> scheduler -> seed; none of them may print or export them.
    const texts = [scheduler.log, seed.log, ...peers.map((p) => p.log), ...results.map((r) => r.stdout + r.stderr), ...(await Promise.all([seed, ...peers].map((d) => d.metrics())))];
    for (const text of texts) for (const secret of SECRETS) expect(text).not.toContain(secret);
    await seed.waitForLog('s3://models/llm/weights.bin');
  });

  it('a wrong S3 secret fails dfget with a clear message that names the flag and not the secret', async () => {
    const peer = await daemon('objstore-badkey');
    const result = await dfget(['s3://models/tree/a.txt', '-O', join(out, 'badkey'), '-e', peer.socketPath, ...s3Flags()], { env: { DFGET_STORAGE_ACCESS_KEY_SECRET: 'wrong-secret-e2e-value' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/SignatureDoesNotMatch.*--storage-access-key-secret/);
    for (const text of [result.stderr, peer.log]) {
      expect(text).not.toContain('wrong-secret-e2e-value');
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    }
    expect(existsSync(join(out, 'badkey'))).toBe(false);
  });

  it('dfget -r downloads an s3 directory through the daemon, each file its own task, with --include-files', async () => {
    const peer = await daemon('objstore-rec-s3');
    const dir = join(out, 's3-tree');
    const result = await dfget(['-r', 's3://models/tree/', '-O', dir, '-e', peer.socketPath, '--include-files', '**/*.txt', ...s3Flags()], { env: s3Env });
    expect(result.code, result.stderr).toBe(0);
    expect(listFiles(dir)).toEqual(['a.txt', 'sub/c.txt', 'sub/deep/d.txt']);
    for (const path of listFiles(dir)) expect(readFileSync(join(dir, path), 'utf8')).toBe(TREE[path]);
    expect(result.stderr).toMatch(/dfget: downloaded 3 of 3 files \(.*\) to /);
    expect((peer.log.match(/"msg":"downloading"/g) ?? []).length).toBe(3);
    for (const secret of SECRETS) expect(peer.log + result.stderr).not.toContain(secret);
    const notDir = await dfget(['-r', 's3://models/tree/a.txt', '-O', join(out, 'not-a-dir'), '-e', peer.socketPath, ...s3Flags()], { env: s3Env });
    expect(notDir.code, notDir.stderr).toBe(2);
    expect(notDir.stderr).toMatch(/is a file, not a directory; drop -r/);
  });

  it('dfget -r downloads an oss directory through the daemon', async () => {
    const peer = await daemon('objstore-rec-oss');
    const dir = join(out, 'oss-tree');
    const result = await dfget(['-r', 'oss://datasets/tree', '-O', dir, '-e', peer.socketPath, ...ossFlags()]);
    expect(result.code, result.stderr).toBe(0);
    expect(listFiles(dir)).toEqual(Object.keys(TREE).sort());
    expect(readFileSync(join(dir, 'sub/deep/d.txt'), 'utf8')).toBe(TREE['sub/deep/d.txt']);
    for (const secret of SECRETS) expect(peer.log + result.stderr).not.toContain(secret);
  });

  it('dfget -r downloads an hdfs directory through the daemon, via the NameNode redirect, with the delegation token', async () => {
    const peer = await daemon('objstore-rec-hdfs');
    const dir = join(out, 'hdfs-tree');
    hdfs.requests.length = 0;
    const result = await dfget(['-r', `hdfs://${hdfs.authority}/data/tree/`, '-O', dir, '-e', peer.socketPath, '-I', 'sub/**'], { env: { DFGET_HDFS_DELEGATION_TOKEN: HDFS_TOKEN } });
    expect(result.code, result.stderr).toBe(0);
    expect(listFiles(dir)).toEqual(['sub/c.txt', 'sub/deep/d.txt']);
    expect(hdfs.requests.some((r) => r.startsWith('dn GET') && r.includes('op=OPEN'))).toBe(true);
    for (const secret of SECRETS) expect(peer.log + result.stderr).not.toContain(secret);
  });

  it('dfget -r without a daemon downloads straight from the source, and a missing directory fails clearly', async () => {
    const dir = join(out, 'direct-tree');
    const socket = join(tempDir('no-daemon'), 'none.sock');
    const result = await dfget(['-r', 's3://models/tree/sub/', '-O', dir, '-e', socket, ...s3Flags()], { env: s3Env });
    expect(result.code, result.stderr).toBe(0);
    expect(listFiles(dir)).toEqual(['c.txt', 'deep/d.txt']);
    const missing = await dfget(['-r', 's3://models/no-such-dir', '-O', join(out, 'missing-tree'), '-e', socket, ...s3Flags()], { env: s3Env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found for HeadObject s3:\/\/models\/no-such-dir/);
  });
});
