import { describe, expect, it } from 'vitest';

import { withMirror } from './podman.js';
import { parseProxyUrl, parseRegistryTarget } from './registry.js';

const proxy = parseProxyUrl('http://127.0.0.1:4001');
const hub = parseRegistryTarget('docker.io');

describe('d7y init podman', () => {
  it('appends a managed block, keeps the rest of the file, and replaces only its own block on rerun', () => {
    const original = 'unqualified-search-registries = ["docker.io"]\n';
    const once = withMirror(original, proxy, hub);
    expect(once.startsWith(original)).toBe(true);
    expect(once).toContain('[[registry.mirror]]\nlocation = "127.0.0.1:4001"\ninsecure = true');
    expect(withMirror(once, proxy, hub)).toBe(once);
    const moved = withMirror(once, parseProxyUrl('http://127.0.0.1:5001'), hub);
    expect(moved).toContain('location = "127.0.0.1:5001"');
    expect(moved).not.toContain('127.0.0.1:4001');
    expect(moved.startsWith(original)).toBe(true);
  });

  it('refuses to define a prefix the user already configured', () => {
    expect(() => withMirror('[[registry]]\nprefix = "docker.io"\nlocation = "mirror.example"\n', proxy, hub)).toThrow(/already has a \[\[registry\]\] with prefix "docker.io"/);
  });
});
