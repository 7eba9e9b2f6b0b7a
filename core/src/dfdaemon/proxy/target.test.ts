import { describe, expect, it } from 'vitest';

import { applyRule, blobDigest, parseRegistry, resolveTarget, RuleSet, type ProxyRule } from './target.js';

const HEX = 'a'.repeat(64);
const rule = (regex: string, extra: Partial<ProxyRule> = {}): ProxyRule => ({ regex, useTLS: false, filteredQueryParams: [], schedulingPolicy: 'auto', ...extra });

describe('resolveTarget', () => {
  const mirrorAddr = 'https://index.docker.io';

  it('mirror requests take the upstream from X-Dragonfly-Registry first, then ns=, then registryMirror.addr', () => {
    const path = `/v2/library/alpine/blobs/sha256:${HEX}?ns=docker.io`;
    expect(resolveTarget(path, { registryHeader: 'http://127.0.0.1:5000', mirrorAddr }).url.toString()).toBe(`http://127.0.0.1:5000${path}`);
    expect(resolveTarget(path, { mirrorAddr }).url.toString()).toBe(`https://docker.io${path}`);
    expect(resolveTarget('/v2/x/manifests/1', { mirrorAddr }).url.toString()).toBe('https://index.docker.io/v2/x/manifests/1');
    expect(resolveTarget('/v2/?ns=http%3A%2F%2F127.0.0.1%3A5000', { mirrorAddr }).url.origin).toBe('http://127.0.0.1:5000');
    expect(resolveTarget('/v2/', { mirrorAddr }).mode).toBe('mirror');
  });

  it('absolute-form requests are forwarded; tunnel requests go to the CONNECT authority over https', () => {
    expect(resolveTarget('http://r.test:5000/v2/', { mirrorAddr })).toMatchObject({ mode: 'forward' });
    expect(resolveTarget('/v2/x', { mirrorAddr, tunnel: 'r.test:8443' }).url.toString()).toBe('https://r.test:8443/v2/x');
  });

  it('refuses credentials, foreign schemes, absolute targets in tunnels and oversized targets', () => {
    expect(() => resolveTarget('/v2/', { registryHeader: 'http://u:p@r.test', mirrorAddr })).toThrow(/credentials/);
    expect(() => resolveTarget('/v2/', { registryHeader: 'ftp://r.test', mirrorAddr })).toThrow(/http or https/);
    expect(() => resolveTarget('http://u:p@r.test/', { mirrorAddr })).toThrow(/credentials/);
    expect(() => resolveTarget('file:///etc/passwd', { mirrorAddr })).toThrow(/only forwards http/);
    expect(() => resolveTarget('http://r.test/', { mirrorAddr, tunnel: 'r.test:443' })).toThrow(/origin-form/);
    expect(() => resolveTarget(`/${'a'.repeat(9000)}`, { mirrorAddr })).toThrow(/longer/);
    expect(() => parseRegistry('http://[bad', 'X')).toThrow(/not a registry URL/);
  });
});

describe('rules', () => {
  it('defaults to OCI blobs by sha256 digest, matched without the query', () => {
    const rules = new RuleSet([]);
    expect(rules.match(new URL(`https://r.test/v2/a/b/blobs/sha256:${HEX}?ns=x`))).toBeDefined();
    expect(rules.match(new URL('https://r.test/v2/a/manifests/latest'))).toBeUndefined();
    expect(rules.match(new URL(`https://r.test/v2/a/blobs/sha256:${HEX}x`))).toBeUndefined();
  });

  it('takes the first configured rule that matches, and applies useTLS and redirect', () => {
    const rules = new RuleSet([rule('manifests'), rule('blobs', { useTLS: true, redirect: 'mirror.test:8443' })]);
    expect(rules.match(new URL('http://r.test/v2/a/manifests/1'))!.regex).toBe('manifests');
    const blobRule = rules.match(new URL('http://r.test/v2/a/blobs/x'))!;
    expect(applyRule(new URL('http://r.test/v2/a/blobs/x?q=1'), blobRule).toString()).toBe('https://mirror.test:8443/v2/a/blobs/x?q=1');
    expect(applyRule(new URL('http://r.test/x'), undefined).toString()).toBe('http://r.test/x');
  });

  it('finds the blob digest of OCI blob URLs only', () => {
    expect(blobDigest(new URL(`http://r.test/v2/a/b/blobs/sha256:${HEX}`))).toBe(`sha256:${HEX}`);
    expect(blobDigest(new URL(`http://r.test/v2/a/manifests/sha256:${HEX}`))).toBeUndefined();
    expect(blobDigest(new URL(`http://r.test/v2/a/blobs/sha512:${HEX}`))).toBeUndefined();
  });
});
