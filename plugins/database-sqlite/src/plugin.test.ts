import { describe, expect, it } from 'vitest';

import plugin, { DEFAULT_BUSY_TIMEOUT_MS, resolveSqliteConfig, sqliteConfigSchema } from './index.js';
import { planMigrations } from './migrations.js';
import { redact } from './redact.js';
import { converterFor, toSqliteParams } from './values.js';

describe('plugin', () => {
  it('is a branded database plugin matching its package manifest', async () => {
    const manifest = (await import('../package.json', { with: { type: 'json' } })).default as { d7y: Record<string, string> };
    expect(plugin).toMatchObject({ $$type: '@d7y/Plugin', version: 'v1', kind: 'database', name: 'sqlite', apiVersion: '1.0' });
    expect(manifest.d7y).toMatchObject({ kind: plugin.kind, name: plugin.name, apiVersion: plugin.apiVersion });
  });
});

describe('config', () => {
  it('accepts {}, keeps :memory:, makes a file path absolute', () => {
    expect(resolveSqliteConfig({})).toEqual({ busyTimeoutMs: DEFAULT_BUSY_TIMEOUT_MS });
    expect(resolveSqliteConfig({ path: ':memory:' }).path).toBe(':memory:');
    expect(resolveSqliteConfig({ path: 'data/manager.db', busyTimeoutMs: 0 })).toEqual({ path: `${process.cwd()}/data/manager.db`, busyTimeoutMs: 0 });
  });

  it('reports every problem with its path', () => {
    const result = sqliteConfigSchema.safeParse({ path: '', busyTimeoutMs: -1, file: 'x' });
    expect(result.success).toBe(false);
    expect(result.success ? [] : result.error.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['busyTimeoutMs', 'file', 'path']);
  });
});

describe('values', () => {
  it('binds booleans as 1/0, dates as ISO text, bytes as Buffer', () => {
    const date = new Date('2024-05-06T07:08:09.010Z');
    expect(toSqliteParams([true, false, date, new Uint8Array([1, 2]), null, 3n])).toEqual([1, 0, '2024-05-06T07:08:09.010Z', Buffer.from([1, 2]), null, 3n]);
    expect(() => toSqliteParams([undefined as never])).toThrow(/parameter 1/);
  });

  it('reads by declared type: BOOLEAN as boolean, DATETIME as UTC Date, integers narrowed', () => {
    expect(converterFor('BOOLEAN')(1n)).toBe(true);
    expect(converterFor('boolean')(0n)).toBe(false);
    expect(converterFor('DATETIME')('2024-01-02 03:04:05')).toEqual(new Date('2024-01-02T03:04:05Z'));
    expect(converterFor('TIMESTAMP')('2024-01-02T03:04:05.678Z')).toEqual(new Date('2024-01-02T03:04:05.678Z'));
    expect(converterFor('INTEGER')(7n)).toBe(7);
    expect(converterFor(null)(2n ** 60n)).toBe(2n ** 60n);
  });
});

describe('planMigrations', () => {
  const up = (s: string[]) => ({ sqlite: s, postgres: s, mysql: s });
  it('sorts by version and picks the dialect', () => {
    expect(planMigrations([{ version: 2, name: 'b', up: up(['B']) }, { version: 1, name: 'a', up: up(['A']) }], 'sqlite')).toEqual([
      { version: 1, name: 'a', statements: ['A'] },
      { version: 2, name: 'b', statements: ['B'] },
    ]);
  });

  it('rejects duplicate or invalid versions and missing statements', () => {
    expect(() => planMigrations([{ version: 1, name: 'a', up: up([]) }, { version: 1, name: 'b', up: up([]) }], 'sqlite')).toThrow(/appears twice/);
    expect(() => planMigrations([{ version: 0, name: 'a', up: up([]) }], 'sqlite')).toThrow(/positive integer/);
    expect(() => planMigrations([{ version: 1, name: 'a', up: { postgres: [], mysql: [] } as never }], 'sqlite')).toThrow(/up.sqlite/);
  });
});

describe('redact', () => {
  it('removes quoted fragments overlapping parameters, long raw values and the password', () => {
    expect(redact("Duplicate entry 'alice@example' for key 'email'", ['alice@example.com'])).toBe("Duplicate entry '?' for key 'email'");
    expect(redact('invalid input syntax for type integer: "abc"', ['abc'])).toBe('invalid input syntax for type integer: "?"');
    expect(redact('value secret-token is bad', ['secret-token'])).toBe('value ? is bad');
    expect(redact('login failed for pw hunter22', undefined, 'hunter22')).toBe('login failed for pw ***');
    expect(redact("Unknown column 'nope'", ['zzz'])).toBe("Unknown column 'nope'");
  });
});
