import type { commonV2 } from '@d7y/proto';
import { describe, expect, it } from 'vitest';

import { taskId as makeTaskId } from '../../common/ids.js';
import { observedIp } from './sourceAddress.js';
import { parseDownload } from './validateDownload.js';
import { toHostInfo } from './validateHost.js';

const goodHost = {
  id: '10.0.0.1-node1',
  type: 0,
  hostname: 'node1',
  ip: '10.0.0.1',
  port: 4000,
  downloadPort: 4005,
  network: { idc: 'a', location: 'x|y', maxTxBandwidth: 1000, maxRxBandwidth: 0 },
} as unknown as commonV2.Host__Output;

describe('toHostInfo', () => {
  it('accepts a well-formed host', () => {
    expect(toHostInfo(goodHost)).toMatchObject({ id: '10.0.0.1-node1', type: 'normal', port: 4000, downloadPort: 4005, idc: 'a', maxTxBandwidth: 1000 });
    expect(toHostInfo({ ...goodHost, id: '10.0.0.1-node1-seed', type: 1 })).toMatchObject({ type: 'super' });
  });

  it.each([
    { name: 'missing host', host: undefined, pattern: /host is required/ },
    { name: 'empty id', host: { ...goodHost, id: '' }, pattern: /host.id/ },
    { name: '1-char id', host: { ...goodHost, id: 'x' }, pattern: /host.id must be/ },
    { name: 'id of another host', host: { ...goodHost, id: '10.0.0.2-node1' }, pattern: /host.id must be/ },
    { name: 'seed without -seed', host: { ...goodHost, type: 1 }, pattern: /-seed/ },
    { name: 'hostname as ip', host: { ...goodHost, ip: 'evil.example' }, pattern: /literal/ },
    { name: 'unknown type', host: { ...goodHost, type: 7 }, pattern: /host.type/ },
    { name: 'port 0', host: { ...goodHost, port: 0 }, pattern: /host.port/ },
    { name: 'download port 70000', host: { ...goodHost, downloadPort: 70000 }, pattern: /download_port/ },
    { name: '10 MB hostname', host: { ...goodHost, hostname: 'h'.repeat(10 * 1024 * 1024) }, pattern: /hostname/ },
    { name: 'control characters', host: { ...goodHost, os: 'linux\n' }, pattern: /control/ },
  ])('refuses $name', ({ host, pattern }) => {
    expect(() => toHostInfo(host as commonV2.Host__Output | undefined)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT', message: expect.stringMatching(pattern) }));
  });
});

const URL = 'https://origin.example/file?X-Amz-Signature=abc&keep=1';
const download = (over: Record<string, unknown> = {}) =>
  ({ url: URL, type: 'STANDARD', priority: 'LEVEL6', filteredQueryParams: ['X-Amz-Signature'], requestHeader: {}, ...over }) as unknown as commonV2.Download__Output;

describe('parseDownload', () => {
  const id = makeTaskId({ url: URL, filteredQueryParams: ['X-Amz-Signature'] });

  it('checks the task id against the download fields', () => {
    expect(parseDownload(download(), id).task.id).toBe(id);
    const withTag = makeTaskId({ url: URL, tag: 't', application: 'app', pieceLength: 4194304, filteredQueryParams: ['X-Amz-Signature'] });
    expect(parseDownload(download({ tag: 't', application: 'app', pieceLength: 4194304 }), withTag).task.id).toBe(withTag);
    const content = makeTaskId({ url: URL, contentForCalculatingTaskId: 'abc' });
    expect(parseDownload(download({ contentForCalculatingTaskId: 'abc' }), content).task.id).toBe(content);
  });

  it('derives sizes from actual_* and checks the piece count', () => {
    expect(parseDownload(download({ actualContentLength: 10, actualPieceLength: 4, actualPieceCount: 3 }), id).sizes).toEqual({ contentLength: 10, pieceLength: 4, pieceCount: 3 });
    expect(parseDownload(download(), id).sizes).toBeUndefined();
  });

  it.each([
    { name: 'missing download', d: undefined, taskId: id },
    { name: 'upper-case task id', d: download(), taskId: id.toUpperCase() },
    { name: '65-char task id', d: download(), taskId: `${id}0` },
    { name: 'mismatched task id', d: download({ tag: 'other' }), taskId: id },
    { name: 'non-standard type', d: download({ type: 'PERSISTENT' }), taskId: id },
    { name: 'unknown priority', d: download({ priority: 9 }), taskId: id },
    { name: 'invalid url', d: download({ url: 'not a url' }), taskId: id },
    { name: 'piece length 0', d: download({ actualContentLength: 10, actualPieceLength: 0 }), taskId: id },
    { name: 'content length 2^63', d: download({ actualContentLength: 2 ** 63, actualPieceLength: 4 }), taskId: id },
    { name: 'piece count 2^31 lie', d: download({ actualContentLength: 10, actualPieceLength: 4, actualPieceCount: 2 ** 31 }), taskId: id },
    { name: '1e6 filtered params', d: download({ filteredQueryParams: Array.from({ length: 1000 }, (_, i) => `p${i}`) }), taskId: id },
    { name: 'header injection', d: download({ requestHeader: { a: 'b\r\nc: d' } }), taskId: id },
  ])('refuses $name', ({ d, taskId }) => {
    expect(() => parseDownload(d as commonV2.Download__Output | undefined, taskId)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT' }));
  });
});

describe('observedIp', () => {
  it.each([
    ['127.0.0.1:5000', '127.0.0.1'],
    ['ipv4:10.1.2.3:80', '10.1.2.3'],
    ['[::1]:5000', '::1'],
    ['[::ffff:127.0.0.1]:5000', '127.0.0.1'],
    ['unix:/tmp/x.sock', ''],
    ['', ''],
  ])('%s -> %s', (input, ip) => expect(observedIp(input)).toBe(ip));
});
