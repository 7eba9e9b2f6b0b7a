import { describe, expect, it } from 'vitest';

import { isControlHeader, parseControlHeaders } from './controlHeaders.js';

const local = { loopback: true };

describe('parseControlHeaders', () => {
  it('reads every X-Dragonfly-* request header of the spec', () => {
    const options = parseControlHeaders(
      {
        'x-dragonfly-registry': 'https://r.test',
        'x-dragonfly-tag': 't',
        'x-dragonfly-application': 'app',
        'x-dragonfly-priority': '3',
        'x-dragonfly-filtered-query-params': 'a, b,,c',
        'x-dragonfly-use-p2p': 'TRUE',
        'x-dragonfly-prefetch': 'false',
        'x-dragonfly-output-path': '/tmp/out',
        'x-dragonfly-force-hard-link': 'true',
        'x-dragonfly-piece-length': '8mib',
        'x-dragonfly-content-for-calculating-task-id': 'content',
        'x-dragonfly-enable-task-id-based-blob-digest': 'true',
      },
      local,
    );
    expect(options).toEqual({
      registry: 'https://r.test',
      tag: 't',
      application: 'app',
      priority: 3,
      filteredQueryParams: ['a', 'b', 'c'],
      useP2P: true,
      prefetch: false,
      outputPath: '/tmp/out',
      forceHardLink: true,
      pieceLength: 8 * 1024 * 1024,
      contentForCalculatingTaskId: 'content',
      enableTaskIdBasedBlobDigest: true,
    });
  });

  it('defaults: priority 6 (also for invalid values), no P2P forcing, no output path', () => {
    expect(parseControlHeaders({}, local)).toMatchObject({ priority: 6, useP2P: false, forceHardLink: false });
    expect(parseControlHeaders({}, local).outputPath).toBeUndefined();
    expect(parseControlHeaders({ 'x-dragonfly-priority': '9' }, local).priority).toBe(6);
    expect(parseControlHeaders({ 'x-dragonfly-priority': 'high' }, local).priority).toBe(6);
  });

  it('refuses malformed values with D7Y_ERR_INVALID_ARGUMENT', () => {
    for (const headers of [
      { 'x-dragonfly-use-p2p': 'yes' },
      { 'x-dragonfly-piece-length': '1mib' },
      { 'x-dragonfly-piece-length': 'huge' },
      { 'x-dragonfly-output-path': 'relative/path' },
      { 'x-dragonfly-tag': 'x'.repeat(5000) },
      { 'x-dragonfly-filtered-query-params': Array.from({ length: 65 }, (_, i) => `p${i}`).join(',') },
    ]) {
      expect(() => parseControlHeaders(headers, local), JSON.stringify(headers).slice(0, 80)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT' }));
    }
  });

  it('accepts an output path only from loopback clients', () => {
    expect(() => parseControlHeaders({ 'x-dragonfly-output-path': '/tmp/x' }, { loopback: false })).toThrow(expect.objectContaining({ code: 'D7Y_ERR_PERMISSION_DENIED' }));
  });

  it('recognises control headers in any case', () => {
    expect(isControlHeader('X-Dragonfly-Registry')).toBe(true);
    expect(isControlHeader('x-dragonflyx')).toBe(false);
    expect(isControlHeader('accept')).toBe(false);
  });
});
