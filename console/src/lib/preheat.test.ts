import { describe, expect, it } from 'vitest';

import { buildPreheatRequest, emptyPreheatForm, parseHeaders, type PreheatForm } from './preheat';

const form = (over: Partial<PreheatForm>): PreheatForm => ({ ...emptyPreheatForm(), ...over });
const MANIFEST = 'http://127.0.0.1:5000/v2/test/hello/manifests/1';

describe('preheat request', () => {
  it('builds the minimal image preheat Dragonfly documents: type, url, scope, all clusters', () => {
    expect(buildPreheatRequest(form({ url: MANIFEST }))).toEqual({ ok: true, body: { type: 'preheat', args: { type: 'image', url: MANIFEST, scope: 'single_seed_peer' } } });
  });

  it('sends every option when filled, in PreheatArgs names and units', () => {
    const result = buildPreheatRequest(
      form({
        url: MANIFEST,
        bio: ' nightly ',
        scope: 'all_peers',
        target: 'count',
        count: '5',
        pieceLengthMiB: '8',
        tag: 't',
        application: 'app',
        filteredQueryParams: 'X-Amz-Signature&Expires',
        headers: 'X-Trace: 1\nAuthorization: Bearer abc',
        username: 'u',
        password: ' p ',
        platform: 'linux/arm64',
        concurrentTaskCount: '4',
        concurrentPeerCount: '50',
        timeoutMinutes: '10',
        clusterIds: [1, 3],
      }),
    );
    expect(result).toEqual({
      ok: true,
      body: {
        type: 'preheat',
        bio: 'nightly',
        scheduler_cluster_ids: [1, 3],
        args: {
          type: 'image',
          url: MANIFEST,
          scope: 'all_peers',
          count: 5,
          piece_length: 8 * 1024 * 1024,
          tag: 't',
          application: 'app',
          filtered_query_params: 'X-Amz-Signature&Expires',
          headers: { 'X-Trace': '1', Authorization: 'Bearer abc' },
          username: 'u',
          password: ' p ',
          platform: 'linux/arm64',
          concurrent_task_count: 4,
          concurrent_peer_count: 50,
          timeout: 10 * 60 * 1_000_000_000,
        },
      },
    });
  });

  it('sends only the chosen host selector, and none for single_seed_peer', () => {
    const ips = buildPreheatRequest(form({ url: MANIFEST, scope: 'all_seed_peers', target: 'ips', ips: '10.0.0.1, 10.0.0.2', count: '3' }));
    expect(ips.ok && ips.body.args).toMatchObject({ ips: ['10.0.0.1', '10.0.0.2'] });
    expect(ips.ok && ips.body.args.count).toBeUndefined();
    const single = buildPreheatRequest(form({ url: MANIFEST, target: 'percentage', percentage: '50' }));
    expect(single.ok && single.body.args.percentage).toBeUndefined();
  });

  it('takes file URLs and refuses an image URL that is not a manifest URL', () => {
    const file = buildPreheatRequest(form({ type: 'file', url: 'https://example.com/a.bin', urls: 'https://example.com/b.bin\nhttps://example.com/c.bin' }));
    expect(file.ok && file.body.args).toMatchObject({ type: 'file', url: 'https://example.com/a.bin', urls: ['https://example.com/b.bin', 'https://example.com/c.bin'] });
    const bad = buildPreheatRequest(form({ url: 'https://example.com/a.bin' }));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.url).toMatch(/manifest URL/);
  });

  it("names every field outside Dragonfly's limits", () => {
    const result = buildPreheatRequest(
      form({ url: 'ftp://x', scope: 'all_peers', target: 'percentage', percentage: '101', pieceLengthMiB: '2', concurrentTaskCount: '101', concurrentPeerCount: '0', timeoutMinutes: 'x', headers: 'no colon', platform: 'linux' }),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual(['concurrentPeerCount', 'concurrentTaskCount', 'headers', 'percentage', 'pieceLengthMiB', 'platform', 'timeoutMinutes', 'url']);
    expect(buildPreheatRequest(form({ url: MANIFEST, scope: 'all_peers', target: 'count', count: '201' })).ok).toBe(false);
    expect(buildPreheatRequest(form({ url: MANIFEST, scope: 'all_peers', target: 'ips', ips: '' })).ok).toBe(false);
  });

  it('parses header lines and refuses lines without a name', () => {
    expect(parseHeaders('A: 1\n\nB:two:three')).toEqual({ A: '1', B: 'two:three' });
    expect(parseHeaders(': x')).toBeUndefined();
  });
});
