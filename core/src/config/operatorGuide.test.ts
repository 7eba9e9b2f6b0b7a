import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { defaultConfig } from './load.js';
import { referenceRows } from './reference.js';
import { CONFIG_ROLES, CONFIG_SCHEMAS, type ConfigRole } from './roles.js';

const GUIDE = fileURLToPath(new URL('../../../docs/operator-guide.md', import.meta.url));
const COLUMNS = ['Role', 'Port', 'Protocol', 'Config key', 'Purpose'];

interface PortRow {
  readonly role: string;
  readonly port: string;
  readonly key: string;
  readonly line: string;
}

/** The rows of the first table under `## Ports`. */
function portsTable(markdown: string): { header: string[]; rows: PortRow[] } {
  const lines = markdown.split('\n');
  const heading = lines.findIndex((line) => line.trim() === '## Ports');
  if (heading < 0) throw new Error('docs/operator-guide.md has no "## Ports" section');
  const start = lines.findIndex((line, i) => i > heading && line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  const table = lines.slice(start, end === -1 ? undefined : end);
  const cells = (line: string) => line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((cell) => cell.trim());
  const rows = table.slice(2).map((line) => {
    const [role = '', port = '', , key = ''] = cells(line);
    return { role, port, key: key.replace(/^`|`$/g, ''), line };
  });
  return { header: cells(table[0] ?? ''), rows };
}

/** The value at a dotted key path of a config object. */
function valueAt(config: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), config);
}

/** A port number, or the port of a listen address such as `:8080` or `127.0.0.1:8000`. */
function portOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const match = /:(\d+)$/.exec(value);
    return match ? Number(match[1]) : undefined;
  }
  return undefined;
}

/**
 * Every key of a role's schema whose default is a port: `...port` / `...Port`, `...port.start`, or a listen
 * address like `:8080`. Advertise ports are left out: they default to the listen port.
 */
function portKeys(role: ConfigRole): string[] {
  const defaults = defaultConfig(role, { hostname: 'guide-test' });
  return referenceRows(CONFIG_SCHEMAS[role])
    .map((row) => row.key)
    .filter((key) => !key.includes('[]') && !/advertise/i.test(key))
    .filter((key) => {
      const value = valueAt(defaults, key);
      if (/port$/i.test(key) || key.endsWith('port.start')) return typeof value === 'number' && value > 0;
      return key.endsWith('addr') && typeof value === 'string' && /^[\w.[\]:-]*:\d+$/.test(value);
    });
}

describe('docs/operator-guide.md ports table', () => {
  const { header, rows } = portsTable(readFileSync(GUIDE, 'utf8'));

  it(`has the columns ${COLUMNS.join(', ')}`, () => {
    expect(header).toEqual(COLUMNS);
    expect(rows.length).toBeGreaterThan(10);
  });

  it('lists each port with the default the schemas give it', () => {
    const wrong: string[] = [];
    for (const row of rows) {
      const role = row.role.split(/\s+/)[0] as ConfigRole;
      if (!CONFIG_ROLES.includes(role)) {
        wrong.push(`${row.line}: role must start with one of ${CONFIG_ROLES.join(', ')}`);
        continue;
      }
      const value = valueAt(defaultConfig(role, { hostname: 'guide-test' }), row.key);
      const expected = portOf(value);
      if (expected === undefined) wrong.push(`${row.line}: ${role}.yaml has no port default at ${row.key} (found ${JSON.stringify(value)})`);
      else if (String(expected) !== row.port) wrong.push(`${row.line}: the default of ${role} ${row.key} is ${expected}, not ${row.port}`);
    }
    expect(wrong).toEqual([]);
  });

  it('lists every port key of every role', () => {
    const listed = new Set(rows.map((row) => `${row.role.split(/\s+/)[0]} ${row.key}`));
    const missing = CONFIG_ROLES.flatMap((role) => portKeys(role).map((key) => `${role} ${key}`)).filter((entry) => !listed.has(entry));
    expect(missing).toEqual([]);
  });

  it('finds the port keys it is meant to find', () => {
    expect(portKeys('manager')).toEqual(expect.arrayContaining(['server.grpc.port.start', 'server.rest.addr', 'metrics.addr', 'database.mysql.port', 'database.postgres.port']));
    expect(portKeys('scheduler')).toEqual(expect.arrayContaining(['server.port', 'metrics.addr']));
    expect(portKeys('dfdaemon')).toEqual(
      expect.arrayContaining(['upload.server.port', 'proxy.server.port', 'metrics.server.port', 'health.server.port', 'stats.server.port', 'storage.server.tcpPort', 'storage.server.quicPort']),
    );
  });
});
