import { describe, expect, it } from 'vitest';

import { cidrAffinity, hostnameAffinity, idcAffinity, locationAffinity, unmapIp } from './affinity.js';
import { defaultSearcher, scoreCluster, type SearchClient, type SearchCluster } from './Searcher.js';

const client: SearchClient = { ip: '10.1.2.3', hostname: 'web-7', idc: 'idc-a', location: 'cn|hz|xihu' };

describe('affinity scores', () => {
  it.each([
    ['10.1.2.3', ['10.0.0.0/8'], 1],
    ['10.1.2.3', ['192.168.0.0/16', '10.1.2.0/24'], 1],
    ['10.1.2.3', ['10.1.2.3'], 1],
    ['::ffff:10.1.2.3', ['10.0.0.0/8'], 1],
    ['10.1.2.3', ['11.0.0.0/8'], 0],
    ['fd00::5', ['fd00::/8'], 1],
    ['fd00::5', ['10.0.0.0/8'], 0],
    ['10.1.2.3', [], 0],
    ['10.1.2.3', undefined, 0],
    ['not-an-ip', ['10.0.0.0/8'], 0],
    ['10.1.2.3', ['10.0.0.0/99', 'garbage'], 0],
  ] as const)('cidr %s in %j -> %d', (ip, cidrs, expected) => {
    expect(cidrAffinity(ip, cidrs as readonly string[] | undefined)).toBe(expected);
  });

  it.each([
    ['web-7', ['^web-'], 1],
    ['web-7', ['^db-', 'web-\\d$'], 1],
    ['web-7', ['^db-'], 0],
    ['web-7', ['('], 0],
    ['', ['.*'], 0],
    ['web-7', undefined, 0],
  ] as const)('hostname %s against %j -> %d', (hostname, patterns, expected) => {
    expect(hostnameAffinity(hostname, patterns as readonly string[] | undefined)).toBe(expected);
  });

  it.each([
    ['idc-a', 'idc-a', 1],
    ['IDC-A', 'idc-a', 1],
    ['idc-a', 'idc-b|idc-a', 1],
    ['idc-a', 'idc-b|idc-c', 0],
    ['', 'idc-a', 0],
    ['idc-a', '', 0],
    [undefined, 'idc-a', 0],
  ] as const)('idc %s vs %s -> %d', (a, b, expected) => {
    expect(idcAffinity(a, b)).toBe(expected);
  });

  it.each([
    ['cn|hz|xihu', 'cn|hz|xihu', 1],
    ['cn|hz|xihu', 'cn|hz|binjiang', 0.4],
    ['cn|hz', 'cn|sh', 0.2],
    ['cn|hz', 'us|hz', 0],
    ['a|b|c|d|e|f|g', 'a|b|c|d|e|f|x', 1],
    ['', 'cn', 0],
  ] as const)('location %s vs %s -> %d', (a, b, expected) => {
    expect(locationAffinity(a, b)).toBeCloseTo(expected);
  });

  it('unmaps IPv4-mapped IPv6 addresses only', () => {
    expect(unmapIp('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(unmapIp('fd00::1')).toBe('fd00::1');
  });
});

const cluster = (id: number, scopes: SearchCluster['scopes'], extra: Partial<SearchCluster> = {}): SearchCluster => ({ id, is_default: false, scopes, activeSchedulers: 1, ...extra });

describe('searcher', () => {
  it.each([
    { name: 'CIDR beats IDC', clusters: [cluster(1, { idc: 'idc-a' }), cluster(2, { cidrs: ['10.0.0.0/8'] })], expected: [2, 1] },
    { name: 'hostname beats IDC', clusters: [cluster(1, { idc: 'idc-a' }), cluster(2, { hostnames: ['^web-'] })], expected: [2, 1] },
    { name: 'IDC beats location', clusters: [cluster(1, { location: 'cn|hz|xihu' }), cluster(2, { idc: 'idc-a' })], expected: [2, 1] },
    { name: 'location beats default', clusters: [cluster(1, {}, { is_default: true }), cluster(2, { location: 'cn' })], expected: [2, 1] },
    { name: 'default beats nothing', clusters: [cluster(1, {}), cluster(2, {}, { is_default: true })], expected: [2, 1] },
    { name: 'ties keep id order', clusters: [cluster(1, {}), cluster(2, {}), cluster(3, {})], expected: [1, 2, 3] },
    { name: 'clusters without active schedulers are dropped', clusters: [cluster(1, { cidrs: ['10.0.0.0/8'] }, { activeSchedulers: 0 }), cluster(2, {})], expected: [2] },
    { name: 'CIDR + IDC beats hostname', clusters: [cluster(1, { hostnames: ['web'] }), cluster(2, { cidrs: ['10.1.0.0/16'], idc: 'idc-a' })], expected: [2, 1] },
  ])('$name', ({ clusters, expected }) => {
    expect(defaultSearcher.findSchedulerClusters(clusters, client).map((c) => c.id)).toEqual(expected);
  });

  it('scores with Dragonfly weights', () => {
    const all = cluster(1, { cidrs: ['10.0.0.0/8'], hostnames: ['^web'], idc: 'idc-a', location: 'cn|hz|xihu' }, { is_default: true });
    expect(scoreCluster(client, all)).toBeCloseTo(1);
    expect(scoreCluster(client, cluster(2, { location: 'cn|hz' }))).toBeCloseTo(0.14 * 0.4);
  });

  it('fails with D7Y_ERR_NOT_FOUND when no cluster has an active scheduler', () => {
    expect(() => defaultSearcher.findSchedulerClusters([cluster(1, {}, { activeSchedulers: 0 })], client)).toThrow(
      expect.objectContaining({ code: 'D7Y_ERR_NOT_FOUND' }),
    );
    expect(() => defaultSearcher.findSchedulerClusters([], client)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_NOT_FOUND' }));
  });
});
