import { describe, expect, it } from 'vitest';

import { ErrorCodes } from '../../common/errors.js';
import { assertNotBlocked, blockedBy, parseDownloadBlockList } from './blockList.js';

const config = (download: unknown) => ({ load_limit: 10, block_list: { task: { download } } });

describe('client download block list', () => {
  const list = parseDownloadBlockList(config({ urls: ['.*\\.blocked\\.com', '^https://forbidden\\.'], applications: ['app-x'], tags: ['t1'], priorities: [0, 1] }))!;

  it('blocks on any matching field and names it', () => {
    expect(blockedBy(list, { url: 'https://a.blocked.com/f' })).toBe('url matches ".*\\\\.blocked\\\\.com"');
    expect(blockedBy(list, { url: 'https://forbidden.example/f' })).toMatch(/^url matches/);
    expect(blockedBy(list, { url: 'https://ok.example/f', application: 'app-x' })).toBe('application "app-x"');
    expect(blockedBy(list, { url: 'https://ok.example/f', tag: 't1' })).toBe('tag "t1"');
    expect(blockedBy(list, { url: 'https://ok.example/f', priority: 1 })).toBe('priority 1');
  });

  it('lets everything else through', () => {
    expect(blockedBy(list, { url: 'https://ok.example/f', application: 'app-y', tag: 't2', priority: 6 })).toBeUndefined();
    expect(blockedBy(undefined, { url: 'https://a.blocked.com/f' })).toBeUndefined();
  });

  it('is absent when the config has none or only empty lists', () => {
    expect(parseDownloadBlockList(undefined)).toBeUndefined();
    expect(parseDownloadBlockList({ load_limit: 5 })).toBeUndefined();
    expect(parseDownloadBlockList(config({ urls: [], tags: [] }))).toBeUndefined();
  });

  it('skips entries of the wrong type and invalid regexes, naming them', () => {
    const skipped: string[] = [];
    const parsed = parseDownloadBlockList(config({ urls: ['(', 'ok'], tags: [7, 'x'] }), skipped);
    expect(parsed?.urls.map((rule) => rule.source)).toEqual(['ok']);
    expect([...parsed!.tags]).toEqual(['x']);
    expect(skipped).toEqual(['urls: "("', 'tags: 7']);
  });

  it('refuses with PERMISSION_DENIED and a redacted URL', () => {
    expect(() => assertNotBlocked(list, { url: 'https://user:secret@a.blocked.com/f' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.PERMISSION_DENIED, message: expect.not.stringContaining('secret') }),
    );
  });
});
