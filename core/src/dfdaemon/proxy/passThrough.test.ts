import { describe, expect, it } from 'vitest';

import { forwardedHeaders, returnedHeaders } from './passThrough.js';

describe('pass-through headers', () => {
  it('keeps every Accept line and Authorization in order, rewrites Host, drops hop-by-hop, proxy and control headers', () => {
    const raw = [
      'Host', '127.0.0.1:4001',
      'Accept', 'application/vnd.oci.image.manifest.v1+json',
      'Accept', 'application/vnd.docker.distribution.manifest.v2+json',
      'Authorization', 'Bearer abc',
      'Proxy-Authorization', 'Basic eA==',
      'X-Dragonfly-Registry', 'https://r.test',
      'Connection', 'keep-alive, X-Secret',
      'X-Secret', 'drop me',
      'Keep-Alive', '5',
      'Content-Length', '0',
    ];
    expect(forwardedHeaders(raw, 'r.test:5000')).toEqual([
      'Host', 'r.test:5000',
      'Accept', 'application/vnd.oci.image.manifest.v1+json',
      'Accept', 'application/vnd.docker.distribution.manifest.v2+json',
      'Authorization', 'Bearer abc',
      'Content-Length', '0',
    ]);
  });

  it('returns response headers without hop-by-hop ones, duplicates kept', () => {
    expect(returnedHeaders(['Www-Authenticate', 'Bearer realm="x"', 'Connection', 'close', 'Link', 'a', 'Link', 'b', 'Transfer-Encoding', 'chunked'])).toEqual([
      'Www-Authenticate', 'Bearer realm="x"', 'Link', 'a', 'Link', 'b',
    ]);
  });
});
