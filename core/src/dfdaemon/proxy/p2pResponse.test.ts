import { describe, expect, it } from 'vitest';

import { originHeaders } from './p2pResponse.js';

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
});
