import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { configReferenceMarkdown, referenceRows } from './reference.js';
import { CONFIG_ROLES, CONFIG_SCHEMAS } from './roles.js';

const COMMITTED = fileURLToPath(new URL('../../../docs/config-reference.md', import.meta.url));

describe('configuration reference (generated from the zod schemas)', () => {
  it('docs/config-reference.md is up to date (run `npm run docs:config` after changing a schema)', () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(configReferenceMarkdown());
  });

  it('documents every key with a description', () => {
    for (const role of CONFIG_ROLES) {
      const rows = referenceRows(CONFIG_SCHEMAS[role]);
      expect(rows.length).toBeGreaterThan(40);
      expect(rows.filter((row) => row.description.trim() === '').map((row) => `${role}: ${row.key}`)).toEqual([]);
    }
  });

  it('prints defaults the way a user writes them, matching the loader', () => {
    const row = (role: (typeof CONFIG_ROLES)[number], key: string) => referenceRows(CONFIG_SCHEMAS[role]).find((r) => r.key === key);
    expect(row('scheduler', 'server.port')).toMatchObject({ type: 'integer', defaultText: '8002' });
    expect(row('manager', 'server.grpc.port.start')).toMatchObject({ defaultText: '65003' });
    expect(row('manager', 'server.rest.addr')).toMatchObject({ defaultText: ':8080' });
    expect(row('dfdaemon', 'gc.interval')).toMatchObject({ type: 'duration', defaultText: '15m' });
    expect(row('dfdaemon', 'download.bandwidthLimit')).toMatchObject({ type: 'size', defaultText: '50GB' });
    expect(row('dfdaemon', 'storage.writeBufferSize')).toMatchObject({ type: 'size', defaultText: '512KiB' });
    expect(row('dfdaemon', 'proxy.rules[].schedulingPolicy')).toMatchObject({ defaultText: 'auto' });
    expect(row('dfdaemon', 'seedPeer.type')?.type).toBe('super \\| strong \\| weak \\| normal');
    expect(row('scheduler', 'tracing.path')).toMatchObject({ defaultText: '/v1/traces' });
    expect(row('manager', 'server.grpc.tls')).toMatchObject({ section: true, type: 'mapping (optional)' });
  });
});
