/**
 * Preheat end to end with real processes: a manager on SQLite (jobs, open API, Harbor routes), a scheduler
 * taking its job tasks from the manager, a seed peer and two peers, and real Docker distribution registries
 * (Debian docker-registry) fed by skopeo: one without auth, one with basic auth, one with token auth (token
 * server in the test). Scopes single_seed_peer, all_seed_peers, all_peers; a multi-platform index; Harbor's
 * two protocol generations; a missing tag; egress refusals with a canary that must receive nothing; finally
 * the registry is stopped and every daemon still serves every blob.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createRepositories } from '../../core/src/manager/models/index.js';
import type { Plugin } from '../../core/src/plugin-api/index.js';
import sqlitePlugin from '../../plugins/database-sqlite/src/index.js';
import { buildDriver } from '../helpers/managerDb.js';
import { ManagerProcess } from '../helpers/managerProcess.js';
import { AuthRegistry, buildMultiPlatformLayout, HttpStub, patClient, skopeoPush, TokenServer, type PlatformImage } from '../helpers/preheatKit.js';
import { DaemonProcess, dfget, SchedulerProcess, tempDir } from '../helpers/processes.js';
import { buildImage, TestRegistry, type BuiltImage } from '../helpers/registry.js';

const PAT = 'd7y-e2e-preheat-personal-access-token-0123456789';
const fileSha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000) => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for: ${what}`);
};

type Outcome = { url: string; hostname: string; ip: string; description?: string };
const successes = (job: { result: any }): Outcome[] => job.result.job_states.flatMap((s: any) => s.results.flatMap((r: any) => r.success_tasks ?? []));
const failures = (job: { result: any }): Outcome[] => job.result.job_states.flatMap((s: any) => s.results.flatMap((r: any) => r.failure_tasks ?? []));
const errors = (job: { result: any }): string => job.result.job_states.map((s: any) => s.error).join('; ');

describe('preheat jobs with real processes and registries', () => {
  const processes: Array<{ stop(): Promise<void> }> = [];
  let image: BuiltImage;
  let registry: TestRegistry;
  let basicRegistry: AuthRegistry;
  let tokenRegistry: AuthRegistry;
  let tokenServer: TokenServer;
  let multi: PlatformImage[];
  let canary: HttpStub;
  let redirector: HttpStub;
  let fakeRealmRegistry: HttpStub;
  let manager: ManagerProcess;
  let scheduler: SchedulerProcess;
  let seed: DaemonProcess;
  let peers: DaemonProcess[];
  let api: ReturnType<typeof patClient>;
  const out = tempDir('preheat-out');

  const manifestUrl = (host: string, name: string, tag: string) => `http://${host}/v2/${name}/manifests/${tag}`;
  const blobUrl = (digest: string) => `http://${registry.host}/v2/library/test/blobs/${digest}`;
  const preheat = async (args: Record<string, unknown>) => {
    const created = await api.send('POST', '/oapi/v1/jobs', { type: 'preheat', args });
    expect(created.status, created.text).toBe(200);
    return api.until(`/oapi/v1/jobs/${created.json.id}`);
  };

  beforeAll(async () => {
    image = buildImage('1.0');
    registry = await TestRegistry.start();
    processes.push(registry);
    await registry.push(image, 'library/test');
    const layout = buildMultiPlatformLayout('1', ['linux/amd64', 'linux/arm64']);
    multi = layout.images;
    await skopeoPush(layout.dir, '1', registry.host, 'library/multi');

    basicRegistry = await AuthRegistry.basic('alice', 'alice-secret-pw');
    processes.push(basicRegistry);
    await skopeoPush(image.dir, '1.0', basicRegistry.host, 'library/basic', 'alice:alice-secret-pw');
    tokenServer = await new TokenServer('bob', 'bob-secret-pw').start();
    processes.push(tokenServer);
    tokenRegistry = await AuthRegistry.token(tokenServer);
    processes.push(tokenRegistry);
    await skopeoPush(image.dir, '1.0', tokenRegistry.host, 'library/token', 'bob:bob-secret-pw');

    // 127.0.0.2 is denied by the manager's egress policy: nothing may ever reach the canary.
    canary = await new HttpStub((_req, res) => res.writeHead(200).end('{}'), '127.0.0.2').start();
    redirector = await new HttpStub((req, res) => res.writeHead(302, { location: `${canary.origin}${req.url}` }).end()).start();
    fakeRealmRegistry = await new HttpStub((_req, res) =>
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${canary.origin}/token",service="x",scope="repository:library/test:pull"` }).end('{"errors":[]}'),
    ).start();
    processes.push(canary, redirector, fakeRealmRegistry);

    manager = await ManagerProcess.create('preheat-mgr');
    const config = parse(readFileSync(manager.configPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(manager.configPath, stringify({ ...config, egress: { denyCIDRs: ['127.0.0.2/32'] } }));
    process.env.DRAGONFLY_PAT = PAT;
    process.env.DRAGONFLY_INITIAL_ROOT_PASSWORD = 'root-Secret-pw-123';
    try {
      await manager.start();
    } finally {
      delete process.env.DRAGONFLY_PAT;
      delete process.env.DRAGONFLY_INITIAL_ROOT_PASSWORD;
    }
    processes.push(manager);
    scheduler = await SchedulerProcess.create('preheat-sched', {
      manager: { addr: manager.addr, schedulerClusterID: 1, keepAlive: { interval: '1s' } },
      dynConfig: { refreshInterval: '2s' },
    });
    processes.push(scheduler);
    await scheduler.start();
    const daemonConfig = (extra: Record<string, unknown> = {}) => ({
      manager: { addr: manager.addr },
      dynconfig: { refreshInterval: '1s' },
      scheduler: { announceInterval: '1s' },
      ...extra,
    });
    seed = await DaemonProcess.create('preheat-seed', daemonConfig({ seedPeer: { enable: true, keepaliveInterval: '1s' } }));
    peers = [await DaemonProcess.create('preheat-peer-1', daemonConfig()), await DaemonProcess.create('preheat-peer-2', daemonConfig())];
    processes.push(seed, ...peers);
    await Promise.all([seed.start(), ...peers.map((p) => p.start())]);
    for (const daemon of [seed, ...peers]) await until(`${daemon.dir} uses the scheduler`, () => daemon.log.includes(`"schedulers":["${scheduler.addr}"]`));
    const restPort = manager.restPort;
    api = patClient(restPort, PAT);
    const db = buildDriver(sqlitePlugin as Plugin<never>, { path: manager.dbPath });
    await db.connect();
    try {
      await until('scheduler active in the manager', async () => (await createRepositories(db).schedulers.findAll({ host_name: 'preheat-sched' }))[0]?.state === 'active');
    } finally {
      await db.close();
    }
    await new Promise((r) => setTimeout(r, 3000)); // hosts announce every second
  }, 180_000);

  afterAll(async () => {
    for (const p of processes.reverse()) await p.stop().catch(() => undefined);
  });

  it('single_seed_peer: the seed peer owning each task on the hash ring downloads config and layer', async () => {
    const job = await preheat({ type: 'image', url: manifestUrl(registry.host, 'library/test', '1.0'), scope: 'single_seed_peer' });
    expect(job.json.state, job.text).toBe('SUCCESS');
    const done = successes(job.json);
    expect(done.map((t) => t.url).sort()).toEqual([blobUrl(image.config), blobUrl(image.layer)].sort());
    expect(new Set(done.map((t) => t.hostname))).toEqual(new Set(['preheat-seed']));
    expect(registry.blobGets(image.layer)).toBe(1);
  }, 120_000);

  it('all_seed_peers and all_peers: every selected host holds every blob', async () => {
    const seeds = await preheat({ type: 'image', url: manifestUrl(registry.host, 'library/test', '1.0'), scope: 'all_seed_peers' });
    expect(seeds.json.state, seeds.text).toBe('SUCCESS');
    expect(new Set(successes(seeds.json).map((t) => t.hostname))).toEqual(new Set(['preheat-seed']));
    const all = await preheat({ type: 'image', url: manifestUrl(registry.host, 'library/test', '1.0'), scope: 'all_peers' });
    expect(all.json.state, all.text).toBe('SUCCESS');
    const done = successes(all.json);
    expect(done).toHaveLength(6);
    expect(new Set(done.map((t) => t.hostname))).toEqual(new Set(['preheat-seed', 'preheat-peer-1', 'preheat-peer-2']));
    expect(registry.blobGets(image.layer), 'peers fetched the layer P2P, not from the registry').toBe(1);
  }, 180_000);

  it('all_peers with ips selects only those hosts, and count limits them', async () => {
    const counted = await preheat({ type: 'image', url: manifestUrl(registry.host, 'library/test', '1.0'), scope: 'all_peers', count: 1 });
    expect(counted.json.state, counted.text).toBe('SUCCESS');
    expect(new Set(successes(counted.json).map((t) => t.hostname)).size).toBe(1);
  }, 120_000);

  it('preheats only the requested platform of a multi-platform index', async () => {
    const job = await preheat({ type: 'image', url: manifestUrl(registry.host, 'library/multi', '1'), platform: 'linux/arm64', scope: 'single_seed_peer' });
    expect(job.json.state, job.text).toBe('SUCCESS');
    const arm = multi.find((m) => m.platform === 'linux/arm64')!;
    const amd = multi.find((m) => m.platform === 'linux/amd64')!;
    const urls = successes(job.json).map((t) => t.url);
    expect(urls.sort()).toEqual([arm.config, arm.layer].map((d) => `http://${registry.host}/v2/library/multi/blobs/${d}`).sort());
    // skopeo's push left HEAD/PUT lines for every platform; a preheat only ever reads with GET.
    const gets = (digest: string) => registry.requests(digest).filter((line) => line.includes('"GET '));
    expect(gets(arm.layer).length).toBeGreaterThan(0);
    expect(gets(amd.layer)).toHaveLength(0);
    expect(gets(amd.manifest)).toHaveLength(0);
  }, 120_000);

  it('follows the token flow of a token-auth registry with username and password', async () => {
    const before = tokenServer.issued.length;
    const job = await preheat({ type: 'image', url: manifestUrl(tokenRegistry.host, 'library/token', '1.0'), username: 'bob', password: 'bob-secret-pw' });
    expect(job.json.state, job.text).toBe('SUCCESS');
    expect(tokenServer.issued.length).toBeGreaterThan(before);
    expect(job.text).not.toContain('bob-secret-pw');
    expect(job.text).not.toContain(tokenServer.issued.at(-1)!);
  }, 120_000);

  it('uses basic auth on a registry that requires it, and fails clearly without credentials', async () => {
    const job = await preheat({ type: 'image', url: manifestUrl(basicRegistry.host, 'library/basic', '1.0'), username: 'alice', password: 'alice-secret-pw' });
    expect(job.json.state, job.text).toBe('SUCCESS');
    expect(job.text).not.toContain('alice-secret-pw');
    const anonymous = await preheat({ type: 'image', url: manifestUrl(basicRegistry.host, 'library/basic', '1.0') });
    expect(anonymous.json.state).toBe('FAILURE');
    expect(errors(anonymous.json)).toMatch(/basic auth/);
  }, 120_000);

  it("Harbor 2.12+: /healthy, POST /oapi/v1/jobs with Harbor's exact body (null cluster ids, concurrent_count), polling to SUCCESS", async () => {
    const headers = { 'User-Agent': 'Go-http-client/1.1', Accept: 'application/json', 'Accept-Encoding': 'gzip' };
    expect((await api.send('GET', '/healthy', undefined, headers)).status).toBe(200);
    // Harbor passes its own registry token in args.headers; here the token server's, obtained like Harbor core would.
    const token = await fetch(`${tokenServer.origin}/token?service=test-registry&scope=repository:library/token:pull`, {
      headers: { authorization: `Basic ${Buffer.from('bob:bob-secret-pw').toString('base64')}` },
    }).then(async (r) => ((await r.json()) as { token: string }).token);
    const body = `{"type":"preheat","args":{"type":"image","url":"${manifestUrl(tokenRegistry.host, 'library/token', '1.0')}","tag":"","filtered_query_params":"","headers":{"Authorization":"Bearer ${token}"},"scope":"all_seed_peers","concurrent_count":0,"timeout":0},"scheduler_cluster_ids":null}`;
    const created = await api.send('POST', '/oapi/v1/jobs', body, { ...headers, 'Content-Type': 'application/json' });
    expect(created.status, created.text).toBe(200);
    expect(typeof created.json.id).toBe('number');
    expect(created.json.state).toBe('PENDING');
    const job = await api.until(`/oapi/v1/jobs/${created.json.id}`);
    expect(job.json.state, job.text).toBe('SUCCESS');
    for (const field of ['created_at', 'updated_at']) expect(String(job.json[field])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(job.json.result.job_states[0].results[0].scheduler_cluster_id).toBe(1);
    expect(job.text).not.toContain(token);
  }, 120_000);

  it('Harbor up to 2.11: /_ping, POST /preheats, GET /preheats/{id} with string ids', async () => {
    expect((await api.send('GET', '/_ping')).status).toBe(200);
    const created = await api.send('POST', '/preheats', {
      type: 'image',
      url: manifestUrl(registry.host, 'library/test', '1.0'),
      headers: { Authorization: 'Bearer ignored-by-an-open-registry' },
      image: 'library/test',
      tag: '1.0',
      digest: image.manifest,
    });
    expect(created.status, created.text).toBe(200);
    expect(created.json.id).toMatch(/^[0-9]+$/);
    const status = await api.until(`/preheats/${created.json.id}`, 'status');
    expect(status.json).toMatchObject({ id: created.json.id, status: 'SUCCESS', errorMsg: '' });
    expect(String(status.json.startTime)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/);
  }, 120_000);

  it('a missing tag ends in FAILURE with the reason (both protocols)', async () => {
    const job = await preheat({ type: 'image', url: manifestUrl(registry.host, 'library/test', 'nope') });
    expect(job.json.state).toBe('FAILURE');
    expect(errors(job.json)).toMatch(/404.*MANIFEST_UNKNOWN/);
    const legacy = await api.send('POST', '/preheats', { type: 'image', url: manifestUrl(registry.host, 'library/test', 'nope'), headers: {} });
    const status = await api.until(`/preheats/${legacy.json.id}`, 'status');
    expect(status.json.status).toBe('FAIL');
    expect(String(status.json.errorMsg)).toMatch(/MANIFEST_UNKNOWN/);
  }, 120_000);

  it('refuses a denied preheat URL, a redirect to a denied address and a denied token realm before any request leaves', async () => {
    const direct = await preheat({ type: 'image', url: manifestUrl(`127.0.0.2:${canary.port}`, 'library/test', '1.0') });
    expect(direct.json.state).toBe('FAILURE');
    expect(errors(direct.json)).toMatch(/egress policy refuses address 127\.0\.0\.2/);
    const redirected = await preheat({ type: 'image', url: manifestUrl(`127.0.0.1:${redirector.port}`, 'library/test', '1.0') });
    expect(redirected.json.state).toBe('FAILURE');
    expect(errors(redirected.json)).toMatch(/egress policy refuses address 127\.0\.0\.2/);
    expect(redirector.requests).toHaveLength(1);
    const realm = await preheat({ type: 'image', url: manifestUrl(`127.0.0.1:${fakeRealmRegistry.port}`, 'library/test', '1.0'), username: 'u', password: 'p' });
    expect(realm.json.state).toBe('FAILURE');
    expect(errors(realm.json)).toMatch(/egress policy refuses address 127\.0\.0\.2/);
    const file = await preheat({ type: 'file', url: `http://127.0.0.2:${canary.port}/file.bin` });
    expect(file.json.state).toBe('FAILURE');
    expect(canary.requests).toEqual([]);
  }, 120_000);

  it("sync_peers fills the manager's peers table from the scheduler's hosts and drops peers no scheduler reports", async () => {
    const db = buildDriver(sqlitePlugin as Plugin<never>, { path: manager.dbPath });
    await db.connect();
    try {
      const repos = createRepositories(db);
      await repos.peers.create({ host_name: 'gone-host', ip: '10.9.9.9', port: 4000, state: 'active', scheduler_cluster_id: 1 });
      const created = await api.send('POST', '/oapi/v1/jobs', { type: 'sync_peers', args: {} });
      expect(created.status, created.text).toBe(200);
      const done = await api.until(`/oapi/v1/jobs/${created.json.id}`);
      expect(done.json.state, done.text).toBe('SUCCESS');
      expect(done.json.result.job_states[0].results[0]).toMatchObject({ scheduler_cluster_id: 1, synced_peers: 2 });
      expect(done.text).not.toContain('"hosts"');
      const rows = await repos.peers.findAll({ scheduler_cluster_id: 1 });
      expect(rows.map((row) => row.host_name).sort()).toEqual(['preheat-peer-1', 'preheat-peer-2']);
      for (const [i, row] of rows.sort((a, b) => a.host_name.localeCompare(b.host_name)).entries()) {
        expect(row).toMatchObject({ state: 'active', ip: '127.0.0.1', port: peers[i]!.ports.upload, download_port: peers[i]!.ports.piece, type: 'normal' });
      }
    } finally {
      await db.close();
    }
  }, 120_000);

  it('after the registry stops, every daemon still serves every blob through P2P', async () => {
    await registry.stop();
    for (const daemon of [seed, ...peers]) {
      for (const digest of [image.config, image.layer]) {
        const target = join(out, `${daemon.ports.upload}-${digest.slice(7, 19)}`);
        const got = await dfget([blobUrl(digest), '-O', target, '-e', daemon.socketPath], { timeoutMs: 60_000 });
        expect(got.code, `${daemon.dir} ${digest}: ${got.stderr}`).toBe(0);
        expect(`sha256:${fileSha(target)}`).toBe(digest);
      }
    }
  }, 180_000);
});
