/**
 * Directory downloads (`dfget -r`): glob selection, path sanitising of listing entries, bounded concurrency,
 * the max-files limit and the summary. The transport here is an in-memory listing that writes files, so the
 * filesystem effects are real; the s3/oss/hdfs paths through real servers are in test/e2e/object-storage.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { SourceEntry } from '../plugin-api/index.js';
import { directoryUrl, outputPathFor, relativeEntryPath } from './entryPath.js';
import { globToRegExp, includeMatcher } from './glob.js';
import { parseDfgetOptions } from './options.js';
import { downloadDirectory, formatSummary, type DirectoryTransport } from './recursive.js';

const file = (url: string, contentLength = 1): SourceEntry => ({ url, contentLength, isDir: false });

/** A listing whose downloads write the URL's last segment as content, tracking concurrency. */
function transport(entries: SourceEntry[], fail: (url: string) => boolean = () => false) {
  const state = { active: 0, peak: 0, downloads: [] as string[] };
  const t: DirectoryTransport = {
    list: async () => entries,
    download: async (url, output) => {
      state.active++;
      state.peak = Math.max(state.peak, state.active);
      await new Promise((r) => setTimeout(r, 5));
      state.active--;
      state.downloads.push(url);
      if (fail(url)) throw new Error(`origin refused ${url}`);
      writeFileSync(output, url);
      return url.length;
    },
  };
  return { t, state };
}

describe('globToRegExp', () => {
  it('* stays in a segment, ** crosses segments, ? is one character, [..] a class', () => {
    expect(globToRegExp('*.txt').test('a.txt')).toBe(true);
    expect(globToRegExp('*.txt').test('d/a.txt')).toBe(false);
    expect(globToRegExp('**/*.txt').test('a.txt')).toBe(true);
    expect(globToRegExp('**/*.txt').test('d/e/a.txt')).toBe(true);
    expect(globToRegExp('d/**').test('d/e/a.bin')).toBe(true);
    expect(globToRegExp('?.bin').test('ab.bin')).toBe(false);
    expect(globToRegExp('part-[0-9].bin').test('part-7.bin')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(includeMatcher([])('anything')).toBe(true);
  });
});

describe('listing entries as local paths', () => {
  const base = directoryUrl('s3://bucket/set');
  it('keeps the path below the directory, decoded', () => {
    expect(base.href).toBe('s3://bucket/set/');
    expect(relativeEntryPath(base, 's3://bucket/set/b/d%20e.txt')).toBe('b/d e.txt');
  });
  it.each([
    ['another bucket', 's3://other/set/a.txt', /outside/],
    ['a sibling prefix', 's3://bucket/settings/a.txt', /outside/],
    ['dot-dot normalised away', 's3://bucket/set/../etc/passwd', /outside/],
    ['an encoded slash', 's3://bucket/set/a%2F..%2F..%2Fx', /unsafe path segment/],
    ['a backslash', 's3://bucket/set/..%5C..%5Cx', /unsafe path segment/],
    ['an empty segment', 's3://bucket/set/a//b', /unsafe path segment/],
    ['a NUL byte', 's3://bucket/set/a%00b', /unsafe path segment/],
  ])('refuses %s', (_name, url, reason) => {
    expect(() => relativeEntryPath(base, url)).toThrow(reason);
  });
  it('never joins outside the output directory', () => {
    expect(outputPathFor('/tmp/out', 'a/b.txt')).toBe('/tmp/out/a/b.txt');
    expect(() => outputPathFor('/tmp/out', '../x')).toThrow(/outside/);
  });
});

describe('downloadDirectory', () => {
  const options = (dir: string, extra: string[] = [], url = 's3://bucket/set/') => {
    const flags: Record<string, unknown> = { output: dir, recursive: true };
    for (let i = 0; i < extra.length; i += 2) {
      const key = extra[i]!;
      flags[key] = key === 'includeFiles' ? [...((flags[key] as string[]) ?? []), extra[i + 1]] : extra[i + 1];
    }
    return parseDfgetOptions(url, flags);
  };

  it('downloads every file to its relative path, at most --max-concurrent-requests at a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'd7y-rec-'));
    const entries = Array.from({ length: 9 }, (_, i) => file(`s3://bucket/set/d${i % 3}/f${i}.bin`));
    const { t, state } = transport([...entries, { url: 's3://bucket/set/d0', contentLength: 0, isDir: true }]);
    const summary = await downloadDirectory(options(dir, ['maxConcurrentRequests', '2']), t);
    expect(summary).toMatchObject({ selected: 9, downloaded: 9, failures: [] });
    expect(state.peak).toBe(2);
    expect(readFileSync(join(dir, 'd2/f8.bin'), 'utf8')).toBe('s3://bucket/set/d2/f8.bin');
    expect(formatSummary(summary, dir)).toMatch(/^dfget: downloaded 9 of 9 files \(/);
  });

  it('selects with --include-files and refuses unsafe entries without writing them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'd7y-rec-'));
    const { t, state } = transport([file('s3://bucket/set/a.txt'), file('s3://bucket/set/b.bin'), file('s3://bucket/set/sub/c.txt'), file('s3://bucket/set/..%5Cevil.txt'), file('s3://other/evil.txt')]);
    const summary = await downloadDirectory(options(dir, ['includeFiles', '**/*.txt']), t);
    expect(state.downloads.sort()).toEqual(['s3://bucket/set/a.txt', 's3://bucket/set/sub/c.txt']);
    expect(summary.downloaded).toBe(2);
    expect(summary.failures.map((f) => f.reason)).toEqual([expect.stringMatching(/unsafe path segment/), expect.stringMatching(/outside/)]);
    expect(existsSync(join(dir, 'b.bin'))).toBe(false);
    expect(formatSummary(summary, dir)).toMatch(/2 failed\n {2}- /);
  });

  it('keeps going when one file fails and reports it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'd7y-rec-'));
    const { t } = transport([file('s3://bucket/set/a'), file('s3://bucket/set/b'), file('s3://bucket/set/c')], (url) => url.endsWith('/b'));
    const summary = await downloadDirectory(options(dir), t);
    expect(summary.downloaded).toBe(2);
    expect(summary.failures).toEqual([{ path: 'b', reason: 'origin refused s3://bucket/set/b' }]);
  });

  it('refuses more files than --max-files before downloading any', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'd7y-rec-'));
    const { t, state } = transport([file('s3://bucket/set/a'), file('s3://bucket/set/b'), file('s3://bucket/set/c')]);
    await expect(downloadDirectory(options(dir, ['maxFiles', '2']), t)).rejects.toMatchObject({ code: 'D7Y_ERR_RESOURCE_EXHAUSTED', message: expect.stringMatching(/3 files.*--max-files 2/) });
    expect(state.downloads).toEqual([]);
  });

  it('refuses an output path that is a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'd7y-rec-'));
    writeFileSync(join(dir, 'f'), 'x');
    await expect(downloadDirectory(options(join(dir, 'f')), transport([]).t)).rejects.toMatchObject({ code: 'D7Y_ERR_INVALID_ARGUMENT' });
  });
});

describe('dfget -r flags', () => {
  it('rejects -r for http(s), --include-files without -r, --digest with -r, and bad counts, naming the flag', () => {
    expect(() => parseDfgetOptions('https://x/dir/', { output: '/tmp/o', recursive: true })).toThrow(/-r, --recursive: directory downloads are not supported for https/);
    expect(() => parseDfgetOptions('s3://b/k', { output: '/tmp/o', includeFiles: ['*.txt'] })).toThrow(/--include-files: only applies/);
    expect(() => parseDfgetOptions('s3://b/d/', { output: '/tmp/o', recursive: true, digest: `sha256:${'a'.repeat(64)}` })).toThrow(/--digest/);
    expect(() => parseDfgetOptions('s3://b/d/', { output: '/tmp/o', recursive: true, maxFiles: '0' })).toThrow(/--max-files/);
    expect(() => parseDfgetOptions('s3://b/d/', { output: '/tmp/o', recursive: true, includeFiles: ['../x'] })).toThrow(/--include-files/);
  });

  it('gathers --storage-* and --hdfs-delegation-token into request options', () => {
    const options = parseDfgetOptions('s3://b/k', { output: '/tmp/o', storageEndpoint: 'http://127.0.0.1:9000', storageRegion: 'eu-west-1', storageAccessKeyId: 'id', storageAccessKeySecret: 'secret', storageSessionToken: 'tok' });
    expect(options.objectStorage).toEqual({ endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', accessKeyId: 'id', accessKeySecret: 'secret', sessionToken: 'tok' });
    expect(parseDfgetOptions('hdfs://nn/f', { output: '/tmp/o', hdfsDelegationToken: 't' }).hdfs).toEqual({ delegationToken: 't' });
    expect(parseDfgetOptions('s3://b/k', { output: '/tmp/o' }).objectStorage).toBeUndefined();
  });
});
