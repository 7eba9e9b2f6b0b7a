import { describe, expect, it } from 'vitest';

import { DEFAULT_FILTERED_QUERY_PARAMS } from '../../common/ids.js';
import { downloadRequest, originHeaders, type P2PContext } from './p2pResponse.js';
import { DEFAULT_RULES } from './target.js';

describe('originHeaders', () => {
  it('keeps Accept and Authorization, drops hop-by-hop, proxy, range, encoding and control headers', () => {
    expect(
      originHeaders({
        accept: 'application/vnd.oci.image.layer.v1.tar+gzip, */*',
        authorization: 'Bearer t',
        'user-agent': 'containerd/1.6.20',
        host: '127.0.0.1:4001',
        connection: 'keep-alive',
        'proxy-authorization': 'Basic x',
        range: 'bytes=0-1',
        'accept-encoding': 'gzip',
        'x-dragonfly-registry': 'https://r.test',
      }),
    ).toEqual({ accept: 'application/vnd.oci.image.layer.v1.tar+gzip, */*', authorization: 'Bearer t', 'user-agent': 'containerd/1.6.20' });
  });

  const ctx = { prefetch: false, disableBackToSource: false, enableTaskIdBasedBlobDigest: false } as P2PContext;
  const control = { priority: 6, useP2P: true, forceHardLink: false };
  const plan = (digest?: string) => ({ url: new URL('http://r.test/v2/a/blobs/x?ns=r.test'), rule: undefined, control, digest, remoteIp: '127.0.0.1' });

  it('maps a plan to a download: default filtered params, range only without prefetch and digest', () => {
    const plain = downloadRequest(ctx, plan(), { range: 'bytes=0-1' });
    expect(plain.filteredQueryParams).toBe(DEFAULT_FILTERED_QUERY_PARAMS);
    expect(plain).toMatchObject({ rangeHeader: 'bytes=0-1', detach: false, priority: 6 });
    const prefetched = downloadRequest({ ...ctx, prefetch: true }, plan(), { range: 'bytes=0-1' });
    expect(prefetched).toMatchObject({ rangeHeader: undefined, detach: true });
    const blob = downloadRequest(ctx, plan('sha256:' + 'a'.repeat(64)), { range: 'bytes=0-1' });
    expect(blob).toMatchObject({ rangeHeader: undefined, digest: 'sha256:' + 'a'.repeat(64) });
    expect(downloadRequest(ctx, { ...plan(), rule: { ...DEFAULT_RULES[0]!, schedulingPolicy: 'always' } }, {}).alwaysP2P).toBe(true);
  });
});
