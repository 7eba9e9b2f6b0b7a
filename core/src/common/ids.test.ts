import { describe, expect, it } from 'vitest';

import { assertTaskId, filterUrl, hostId, peerId, redactUrl, taskId } from './ids.js';

describe('taskId', () => {
  it('matches Dragonfly test vector 1 (url + tag + application)', () => {
    expect(taskId({ url: 'https://example.com', tag: 'foo', application: 'bar' })).toBe(
      '06408fbf247ddaca478f8cb9565fe5591c28efd0994b8fea80a6a87d3203c5ca',
    );
  });

  it('matches Dragonfly test vector 2 (+ revision and piece length)', () => {
    expect(
      taskId({ url: 'https://example.com', tag: 'foo', application: 'bar', revision: 'v1.0', pieceLength: 1024 }),
    ).toBe('5844f27a257287e9b734256bb25603d8005422ced8c0377f15063ec11963b25f');
  });

  it('matches Dragonfly test vector 3 (filtered query params)', () => {
    expect(taskId({ url: 'https://example.com?foo=foo&bar=bar', filteredQueryParams: ['foo', 'bar'] })).toBe(
      '457b4328cde278e422c9e243f7bfd1e97f511fec43a80f535cf6b0ef6b086776',
    );
  });

  it('lets presigned URLs of one object share a task id', () => {
    const filtered = ['X-Amz-Signature', 'X-Amz-Date'];
    const a = taskId({ url: 'https://s3.local/b/k?X-Amz-Signature=aaa&X-Amz-Date=1&v=2', filteredQueryParams: filtered });
    const b = taskId({ url: 'https://s3.local/b/k?X-Amz-Date=2&X-Amz-Signature=bbb&v=2', filteredQueryParams: filtered });
    expect(a).toBe(b);
    expect(taskId({ url: 'https://s3.local/b/k?v=3', filteredQueryParams: filtered })).not.toBe(a);
  });

  it('uses the blob digest when enabled and the URL is an OCI blob', () => {
    const hex = 'a'.repeat(64);
    const url = `https://r1.example/v2/library/x/blobs/sha256:${hex}`;
    expect(taskId({ url, enableTaskIdBasedBlobDigest: true })).toBe(hex);
    expect(taskId({ url })).not.toBe(hex);
  });

  it('rejects a malformed URL with a coded error', () => {
    expect(() => taskId({ url: 'not a url' })).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT' }));
  });
});

describe('ids', () => {
  it('formats host and peer ids like Dragonfly', () => {
    expect(hostId('10.0.0.1', 'node-a')).toBe('10.0.0.1-node-a');
    expect(hostId('10.0.0.1', 'node-a', true)).toBe('10.0.0.1-node-a-seed');
    expect(peerId('10.0.0.1', 'node-a')).toMatch(/^10\.0\.0\.1-node-a-[0-9a-f-]{36}$/);
    expect(peerId('10.0.0.1', 'node-a', true)).toMatch(/-seed$/);
  });

  it('accepts only 64 lower-case hex characters as a task id', () => {
    expect(assertTaskId('0'.repeat(64))).toBe('0'.repeat(64));
    for (const bad of ['../../etc/passwd', 'A'.repeat(64), '0'.repeat(63), 42, undefined]) {
      expect(() => assertTaskId(bad)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT' }));
    }
  });

  it('drops a lone trailing slash and an emptied query', () => {
    expect(filterUrl('https://example.com/', [])).toBe('https://example.com');
    expect(filterUrl('https://example.com/a/?ns=docker.io', ['ns'])).toBe('https://example.com/a/');
  });

  it('redacts credentials and signatures', () => {
    const out = redactUrl('https://user:pw@h.example/p?X-Amz-Signature=s3cr3t&token=t0k&keep=1');
    expect(out).not.toContain('s3cr3t');
    expect(out).not.toContain('t0k');
    expect(out).not.toContain('pw@');
    expect(out).toContain('keep=1');
  });
});
