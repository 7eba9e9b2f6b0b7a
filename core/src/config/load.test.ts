import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { ConfigError, defaultConfig, loadConfig, parseConfig } from './index.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/config/dragonfly/', import.meta.url));
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('D7Y_ERR_INVALID_CONFIG');
    return [...(error as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}

describe("Dragonfly's documented example files", () => {
  it('manager.yaml loads with its values and defaults', () => {
    const { config, warnings } = parseConfig('manager', fixture('manager.yaml'), 'manager.yaml', { hostname: 'h1' });
    expect(warnings).toEqual([]);
    expect(config.server.grpc.port).toEqual({ start: 65003, end: 65003 });
    expect(config.server.rest.addr).toBe(':8080');
    expect(config.server.workHome).toBe('/usr/local/dragonfly');
    expect(config.server.pluginDir).toBe('/usr/local/dragonfly/plugins');
    expect(config.server.grpc.listenIP).toBe('0.0.0.0');
    expect(config.auth.jwt.timeout).toBe(48 * HOUR);
    expect(config.database.type).toBe('mysql');
    expect(config.database.redis.addrs).toEqual(['dragonfly:6379']);
    expect(config.cache.local).toEqual({ size: 30000, ttl: 3 * MINUTE });
    expect(config.job.preheat.tls.insecureSkipVerify).toBe(false);
    expect(config.job.gc.batchSize).toBe(5000);
    expect(config.pprofPort).toBe(-1);
    expect(config.egress.maxRedirects).toBe(10);
  });

  it('scheduler.yaml loads with its values and defaults', () => {
    const { config, warnings } = parseConfig('scheduler', fixture('scheduler.yaml'), 'scheduler.yaml', { hostname: 'h1' });
    expect(warnings).toEqual([]);
    expect(config.server.port).toBe(8002);
    expect(config.server.advertisePort).toBe(8002);
    expect(config.server.host).toBe('h1');
    expect(config.server.dataDir).toBe('/var/lib/dragonfly');
    expect(config.scheduler.retryInterval).toBe(400);
    expect(config.scheduler.gc.peerTTL).toBe(30 * DAY);
    expect(config.manager.addr).toBe('manager-service:65003');
    expect(config.manager.keepAlive.interval).toBe(5 * SECOND);
    expect(config.seedPeer.taskDownloadTimeout).toBe(10 * HOUR);
    expect(config.verbose).toBe(true);
    expect(config.pprofPort).toBe(-1);
  });

  it('dfdaemon.yaml loads; its only warning is the truly unknown network.enableIPv4', () => {
    const { config, warnings } = parseConfig('dfdaemon', fixture('dfdaemon.yaml'), 'dfdaemon.yaml', { hostname: 'h1' });
    expect(warnings).toEqual(['dfdaemon.yaml: network.enableIPv4: unknown key, ignored (did you mean "enableIPv6"?)']);
    expect(config.host.schedulerClusterID).toBe(1);
    expect(config.host.hostname).toBe('h1');
    expect(config.download.bandwidthLimit).toBe(50e9);
    expect(config.download.concurrentPieceCount).toBe(32);
    expect(config.storage.writeBufferSize).toBe(524288);
    expect(config.storage.server).toEqual({ ip: '0.0.0.0', tcpPort: 4005, quicPort: 4006, tcpFastopen: false });
    expect(config.gc.policy.taskTTL).toBe(30 * DAY);
    expect(config.gc.policy.diskHighThresholdPercent).toBe(90);
    expect(config.proxy.rules.map((rule) => rule.regex)).toEqual(['blobs/sha256.*', 'manifests/sha256.*']);
    expect(config.proxy.rules[0]!.filteredQueryParams).toContain('X-Amz-Signature');
    expect(config.proxy.registryMirror.enableTaskIDBasedBlobDigest).toBe(true);
    expect(config.backend.putChunkSize).toBe(8 * MiB);
    expect(config.health.server.port).toBe(4003);
  });

  it('older files load too, with the older spellings (rateLimit, dist*, pprof-port)', () => {
    const dfdaemon = parseConfig('dfdaemon', fixture('legacy/dfdaemon.yaml'), 'dfdaemon.yaml', { hostname: 'h1' });
    expect(dfdaemon.warnings).toEqual([]);
    expect(dfdaemon.config.download.bandwidthLimit).toBe(50 * GiB);
    expect(dfdaemon.config.upload.bandwidthLimit).toBe(50 * GiB);
    expect(dfdaemon.config.proxy.prefetchBandwidthLimit).toBe(5 * GiB);
    expect(dfdaemon.config.gc.policy.diskHighThresholdPercent).toBe(80);
    expect(dfdaemon.config.gc.policy.diskLowThresholdPercent).toBe(60);
    expect(dfdaemon.config.seedPeer.clusterID).toBe(1);
    const manager = parseConfig('manager', fixture('legacy/manager.yaml'), 'manager.yaml');
    expect(manager.warnings).toEqual([]);
    expect(manager.config.security.certSpec.ipAddresses).toEqual([]);
    expect(manager.config.security.certSpec.validityPeriod).toBe(3650 * DAY);
  });
});

describe('defaults', () => {
  it('fills every default for an empty file', () => {
    const manager = parseConfig('manager', '', 'manager.yaml').config;
    expect(manager.server.grpc.port).toEqual({ start: 65003, end: 65003 });
    expect(manager.server.rest.addr).toBe(':8080');
    expect(manager.database.type).toBe('sqlite');
    expect(manager.database.mysql.port).toBe(3306);
    expect(manager.auth.jwt.key).toBeUndefined();

    const scheduler = parseConfig('scheduler', '# only a comment\n', 'scheduler.yaml', { hostname: 'box' }).config;
    expect(scheduler.server.port).toBe(8002);
    expect(scheduler.scheduler).toMatchObject({ algorithm: 'default', backToSourceCount: 200, retryBackToSourceLimit: 4, retryLimit: 5, retryInterval: 500 });
    expect(scheduler.scheduler.gc).toEqual({
      pieceDownloadTimeout: 30 * MINUTE,
      peerGCInterval: 10 * SECOND,
      peerTTL: 24 * HOUR,
      taskGCInterval: 30 * MINUTE,
      hostGCInterval: 5 * MINUTE,
      hostTTL: HOUR,
    });
    expect(scheduler.dynConfig.refreshInterval).toBe(MINUTE);
    expect(scheduler.manager.keepAlive.interval).toBe(5 * SECOND);
    expect(scheduler.manager.addr).toBeUndefined();

    const dfdaemon = defaultConfig('dfdaemon', { hostname: 'box' });
    expect(dfdaemon.upload.server.port).toBe(4000);
    expect(dfdaemon.proxy.server.port).toBe(4001);
    expect(dfdaemon.metrics.server.port).toBe(4002);
    expect(dfdaemon.health.server.port).toBe(4003);
    expect(dfdaemon.stats.server.port).toBe(4004);
    expect(dfdaemon.storage.server.tcpPort).toBe(4005);
    expect(dfdaemon.download.server.socketPath).toBe('/var/run/dragonfly/dfdaemon.sock');
    expect(dfdaemon.storage.dir).toBe('/var/lib/dragonfly');
    expect(dfdaemon.gc.interval).toBe(900 * SECOND);
    expect(dfdaemon.gc.policy).toMatchObject({ taskTTL: 30 * DAY, diskHighThresholdPercent: 80, diskLowThresholdPercent: 60 });
    expect(dfdaemon.download.concurrentPieceCount).toBe(8);
    expect(dfdaemon.scheduler.netAddrs).toEqual([]);
    expect(dfdaemon.host.hostname).toBe('box');
    expect(dfdaemon.upload.server.ip).toBe('0.0.0.0');
  });

  it('treats empty values as unset, like Dragonfly', () => {
    const { config } = parseConfig('scheduler', 'server:\n  workHome: ""\n  logDir:\n  port: 9000\n', 'scheduler.yaml');
    expect(config.server.workHome).toBe('/usr/local/dragonfly');
    expect(config.server.logDir).toBe('/var/log/dragonfly');
    expect(config.server.advertisePort).toBe(9000);
  });

  it('derives listen addresses from network.enableIPv6', () => {
    const { config } = parseConfig('dfdaemon', 'network:\n  enableIPv6: true\nproxy:\n  server:\n    ip: 127.0.0.1\n', 'dfdaemon.yaml');
    expect(config.upload.server.ip).toBe('::');
    expect(config.proxy.server.ip).toBe('127.0.0.1');
  });

  it('picks the manager database from what is configured', () => {
    const mysql = parseConfig('manager', 'database:\n  mysql:\n    host: db\n    user: u\n', 'manager.yaml').config;
    expect(mysql.database.type).toBe('mysql');
    const postgres = parseConfig('manager', 'database:\n  postgres:\n    host: db\n    user: u\n', 'manager.yaml').config;
    expect(postgres.database.type).toBe('postgres');
    const sqlite = parseConfig('manager', 'database:\n  sqlite:\n    path: /tmp/m.db\n', 'manager.yaml').config;
    expect(sqlite.database).toMatchObject({ type: 'sqlite', sqlite: { path: '/tmp/m.db' } });
  });

  it('fills database.redis from the deprecated scheduler job.redis and host/port', () => {
    const { config } = parseConfig('scheduler', 'job:\n  redis:\n    host: r1\n    port: 6380\n    password: pw\n', 'scheduler.yaml');
    expect(config.database.redis.addrs).toEqual(['r1:6380']);
    expect(config.database.redis.password).toBe('pw');
  });
});

describe('errors', () => {
  it('reports a wrong type with file, key path, expectation and what was found', () => {
    expect(problems(() => parseConfig('scheduler', 'scheduler:\n  retryLimit: five\n', 'scheduler.yaml'))).toEqual([
      'scheduler.yaml: scheduler.retryLimit: expected integer >= 1, got string "five"',
    ]);
  });

  it('lists every problem at once', () => {
    const lines = problems(() =>
      parseConfig('dfdaemon', 'upload:\n  server:\n    port: 70000\nscheduler:\n  enableBackToSource: maybe\nproxy:\n  rules:\n    - useTLS: true\n', 'dfdaemon.yaml'),
    );
    expect(lines).toEqual([
      'dfdaemon.yaml: upload.server.port: expected integer from 0 to 65535, got number 70000',
      'dfdaemon.yaml: scheduler.enableBackToSource: expected boolean (true or false), got string "maybe"',
      'dfdaemon.yaml: proxy.rules[0].regex: expected valid regular expression, got nothing',
    ]);
  });

  it('refuses negative durations with a clear message', () => {
    expect(problems(() => parseConfig('scheduler', 'scheduler:\n  retryInterval: -500ms\n', 'scheduler.yaml'))).toEqual([
      'scheduler.yaml: scheduler.retryInterval: expected positive duration (negative durations are not allowed), got string "-500ms"',
    ]);
  });

  it('refuses bare numbers as durations, except 0', () => {
    expect(problems(() => parseConfig('dfdaemon', 'gc:\n  interval: 900\n', 'dfdaemon.yaml'))).toEqual([
      'dfdaemon.yaml: gc.interval: expected positive duration with a unit (e.g. 500ms, 1m, 48h), got number 900',
    ]);
    expect(parseConfig('dfdaemon', 'server:\n  adaptiveRateLimit:\n    shedCooldown: 0\n', 'x').config.server.adaptiveRateLimit.shedCooldown).toBe(0);
  });

  it('reports sizes it cannot read', () => {
    expect(problems(() => parseConfig('dfdaemon', 'download:\n  bandwidthLimit: 10 gigs\n', 'dfdaemon.yaml'))).toEqual([
      'dfdaemon.yaml: download.bandwidthLimit: expected size (e.g. 131072, 4MiB, 10GiB, 50GB), got string "10 gigs"',
    ]);
  });

  it('checks keys against each other', () => {
    const lines = problems(() => parseConfig('dfdaemon', 'gc:\n  policy:\n    diskHighThresholdPercent: 50\n    diskLowThresholdPercent: 70\n', 'd.yaml'));
    expect(lines).toEqual(['d.yaml: gc.policy.diskLowThresholdPercent: expected integer below diskHighThresholdPercent (50), got number 70']);
    expect(problems(() => parseConfig('manager', 'database:\n  type: postgres\n', 'm.yaml'))).toEqual([
      'm.yaml: database.postgres.host: expected non-empty string when database.type is postgres, got nothing',
      'm.yaml: database.postgres.user: expected non-empty string when database.type is postgres, got nothing',
    ]);
  });

  it('never echoes secret values', () => {
    const [line] = problems(() => parseConfig('manager', 'database:\n  mysql:\n    password: 123456\n', 'manager.yaml'));
    expect(line).toBe('manager.yaml: database.mysql.password: expected string, got number (not shown)');
  });

  it('reports YAML syntax errors with line and column', () => {
    const [line] = problems(() => parseConfig('manager', 'server:\n  rest:\n    addr: [":8080"\n  name: x\n', 'manager.yaml'));
    expect(line).toMatch(/^manager\.yaml: line \d+, column \d+: .+ \(YAML syntax\)$/);
  });

  it('refuses duplicate keys', () => {
    const [line] = problems(() => parseConfig('scheduler', 'server:\n  port: 8002\n  port: 8003\n', 'scheduler.yaml'));
    expect(line).toBe('scheduler.yaml: line 3, column 3: Map keys must be unique (YAML syntax)');
  });

  it('refuses alias bombs', () => {
    const bomb = [
      'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n');
    const [line] = problems(() => parseConfig('dfdaemon', bomb, 'dfdaemon.yaml'));
    expect(line).toMatch(/aliases expand to more than 50 nodes/);
  });

  it('refuses a top level that is not a mapping', () => {
    expect(problems(() => parseConfig('dfdaemon', '- a\n- b\n', 'dfdaemon.yaml'))).toEqual([
      'dfdaemon.yaml: (top level): expected mapping, got list of 2 items',
    ]);
    expect(problems(() => parseConfig('dfdaemon', 'just text', 'dfdaemon.yaml'))).toEqual([
      'dfdaemon.yaml: (top level): expected mapping, got string "just text"',
    ]);
  });

  it('refuses both spellings of one key', () => {
    expect(problems(() => parseConfig('dfdaemon', 'download:\n  rateLimit: 1GB\n  bandwidthLimit: 2GB\n', 'dfdaemon.yaml'))).toEqual([
      'dfdaemon.yaml: download.rateLimit: expected only one of rateLimit and bandwidthLimit (the same setting), got both',
    ]);
  });
});

describe('aliases', () => {
  it.each([
    ['gc:\n  policy:\n    distThreshold: 10GiB\n', (c: ReturnType<typeof defaultConfig<'dfdaemon'>>) => c.gc.policy.diskThreshold, 10 * GiB],
    ['gc:\n  policy:\n    diskThreshold: 10GiB\n', (c: ReturnType<typeof defaultConfig<'dfdaemon'>>) => c.gc.policy.diskThreshold, 10 * GiB],
    ['gc:\n  policy:\n    distHighThresholdPercent: 85\n', (c: ReturnType<typeof defaultConfig<'dfdaemon'>>) => c.gc.policy.diskHighThresholdPercent, 85],
    ['gc:\n  policy:\n    distLowThresholdPercent: 40\n', (c: ReturnType<typeof defaultConfig<'dfdaemon'>>) => c.gc.policy.diskLowThresholdPercent, 40],
    ['download:\n  rateLimit: 4mib\n', (c: ReturnType<typeof defaultConfig<'dfdaemon'>>) => c.download.bandwidthLimit, 4 * MiB],
    ['download:\n  bandwidthLimit: 4mib\n', (c: ReturnType<typeof defaultConfig<'dfdaemon'>>) => c.download.bandwidthLimit, 4 * MiB],
    ['upload:\n  rateLimit: 50GB\n', (c: ReturnType<typeof defaultConfig<'dfdaemon'>>) => c.upload.bandwidthLimit, 50e9],
    ['proxy:\n  prefetchRateLimit: 131072\n', (c: ReturnType<typeof defaultConfig<'dfdaemon'>>) => c.proxy.prefetchBandwidthLimit, 131072],
  ])('%j', (text, pick, expected) => {
    const { config, warnings } = parseConfig('dfdaemon', text, 'dfdaemon.yaml');
    expect(warnings).toEqual([]);
    expect(pick(config)).toBe(expected);
  });

  it('accepts pprof-port and pprofPort', () => {
    expect(parseConfig('manager', 'pprof-port: 6060\n', 'm').config.pprofPort).toBe(6060);
    expect(parseConfig('scheduler', 'pprofPort: 6061\n', 's').config.pprofPort).toBe(6061);
  });
});

describe('unknown keys', () => {
  it('warns with the full path and a suggestion, and ignores the key', () => {
    const { config, warnings } = parseConfig('manager', 'security:\n  autoIssueCrt: true\nserver:\n  grpc:\n    advertizeIP: 10.0.0.1\nbogus: 1\n', 'manager.yaml');
    expect(warnings).toEqual([
      'manager.yaml: security.autoIssueCrt: unknown key, ignored (did you mean "autoIssueCert"?)',
      'manager.yaml: server.grpc.advertizeIP: unknown key, ignored (did you mean "advertiseIP"?)',
      'manager.yaml: bogus: unknown key, ignored',
    ]);
    expect(config.security.autoIssueCert).toBe(false);
    expect('bogus' in config).toBe(false);
  });

  it('looks inside lists and leaves free-form plugin sections alone', () => {
    const text = 'proxy:\n  rules:\n    - regex: x\n      useTls: true\nplugins:\n  source:\n    s3:\n      anything: goes\n  sorce: {}\n';
    const { config, warnings } = parseConfig('dfdaemon', text, 'dfdaemon.yaml');
    expect(warnings).toEqual([
      'dfdaemon.yaml: proxy.rules[0].useTls: unknown key, ignored (did you mean "useTLS"?)',
      'dfdaemon.yaml: plugins.sorce: unknown key, ignored (did you mean "source"?)',
    ]);
    expect(config.plugins.source).toEqual({ s3: { anything: 'goes' } });
  });
});

describe('our additions', () => {
  it('reads scheduler.netAddrs and egress', () => {
    const text = 'scheduler:\n  netAddrs: ["127.0.0.1:8002", "sched:8002"]\negress:\n  allowCIDRs: [10.0.0.0/8]\n  denyHosts: ["*.internal"]\n  maxRedirects: 3\n';
    const { config } = parseConfig('dfdaemon', text, 'dfdaemon.yaml');
    expect(config.scheduler.netAddrs).toEqual(['127.0.0.1:8002', 'sched:8002']);
    expect(config.egress).toEqual({ allowCIDRs: ['10.0.0.0/8'], denyCIDRs: [], allowHosts: [], denyHosts: ['*.internal'], maxRedirects: 3, schemes: ['http', 'https'] });
  });

  it('validates netAddrs and CIDRs', () => {
    expect(problems(() => parseConfig('dfdaemon', 'scheduler:\n  netAddrs: ["nohost"]\negress:\n  denyCIDRs: [10.0.0.0/40]\n', 'd.yaml'))).toEqual([
      'd.yaml: scheduler.netAddrs[0]: expected address like host:port, got string "nohost"',
      'd.yaml: egress.denyCIDRs[0]: expected CIDR like 10.0.0.0/8 or fd00::/8, got string "10.0.0.0/40"',
    ]);
  });
});

describe('freezing', () => {
  it('returns a deep-frozen config', () => {
    const { config } = parseConfig('dfdaemon', '', 'dfdaemon.yaml');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.proxy.rules)).toBe(true);
    expect(() => {
      (config.gc.policy as { taskTTL: number }).taskTTL = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.scheduler.netAddrs as string[]).push('x:1');
    }).toThrow(TypeError);
  });
});

describe('loadConfig', () => {
  it('reads an explicit path and reports it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'd7y-config-'));
    const path = join(dir, 'scheduler.yaml');
    await writeFile(path, 'scheduler:\n  retryLimit: 7\n');
    const loaded = await loadConfig('scheduler', { path });
    expect(loaded.path).toBe(path);
    expect(loaded.config.scheduler.retryLimit).toBe(7);
  });

  it('fails when an explicit path is missing', async () => {
    const path = join(tmpdir(), 'd7y-no-such-dir', 'manager.yaml');
    await expect(loadConfig('manager', { path })).rejects.toMatchObject({
      code: 'D7Y_ERR_INVALID_CONFIG',
      issues: [`${path}: config file not found`],
    });
  });

  it('takes the path from <ROLE>_CONFIG, as Dragonfly does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'd7y-config-'));
    const path = join(dir, 'd.yaml');
    await writeFile(path, 'download:\n  concurrentPieceCount: 3\n');
    const loaded = await loadConfig('dfdaemon', { env: { DFDAEMON_CONFIG: path } });
    expect(loaded.path).toBe(path);
    expect(loaded.config.download.concurrentPieceCount).toBe(3);
  });

  it('uses defaults without a path when the default file is absent', async () => {
    const loaded = await loadConfig('dfdaemon', { env: {} });
    if (loaded.path === undefined) {
      expect(loaded.warnings).toEqual([]);
      expect(loaded.config.upload.server.port).toBe(4000);
    } else {
      expect(loaded.path).toBe('/etc/dragonfly/dfdaemon.yaml');
    }
  });
});

describe('free-form sections', () => {
  it('passes plugin settings and header maps through untouched, empty values included', () => {
    const text = 'plugins:\n  source:\n    s3:\n      prefix: ""\n      region: ~\nbackend:\n  requestHeader:\n    X-Empty: ""\n';
    const { config } = parseConfig('dfdaemon', text, 'dfdaemon.yaml');
    expect(config.plugins.source).toEqual({ s3: { prefix: '', region: null } });
    expect(config.backend.requestHeader).toEqual({ 'X-Empty': '' });
    expect(Object.isFrozen(config.plugins.source!.s3)).toBe(true);
  });
});
