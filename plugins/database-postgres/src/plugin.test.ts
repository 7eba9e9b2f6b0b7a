import { describe, expect, it } from 'vitest';

import plugin, { POSTGRES_DEFAULTS, postgresConfigSchema, resolvePostgresConfig, toPostgresPlaceholders } from './index.js';
import { sslOption } from './poolOptions.js';
import { parseInt8 } from './values.js';

describe('plugin', () => {
  it('is a branded database plugin matching its package manifest', async () => {
    const manifest = (await import('../package.json', { with: { type: 'json' } })).default as { d7y: Record<string, string> };
    expect(plugin).toMatchObject({ $$type: '@d7y/Plugin', version: 'v1', kind: 'database', name: 'postgres', apiVersion: '1.0' });
    expect(manifest.d7y).toMatchObject({ kind: plugin.kind, name: plugin.name, apiVersion: plugin.apiVersion });
  });
});

describe('config', () => {
  it('accepts {} (every manager loads every database plugin) and fills Dragonfly defaults', () => {
    expect(resolvePostgresConfig({})).toEqual(POSTGRES_DEFAULTS);
    expect(resolvePostgresConfig({ host: 'db', user: 'u', password: 'p', dbname: 'd', sslMode: 'require', timezone: 'Asia/Shanghai' })).toMatchObject({
      host: 'db',
      port: 5432,
      sslMode: 'require',
      timezone: 'Asia/Shanghai',
    });
  });

  it('reports every problem with its path and never echoes the password', () => {
    const result = postgresConfigSchema.safeParse({ port: 0, sslMode: 'sometimes', timezone: 'UTC -c x=y', password: 12345678, hots: 'x' });
    expect(result.success).toBe(false);
    const issues = result.success ? [] : result.error.issues;
    expect(issues.map((issue) => issue.path.join('.')).sort()).toEqual(['hots', 'password', 'port', 'sslMode', 'timezone']);
    expect(JSON.stringify(issues)).not.toContain('12345678');
  });

  it('maps libpq sslmode to node-pg options', () => {
    expect(sslOption('disable')).toBe(false);
    expect(sslOption('prefer')).toBe(false);
    expect(sslOption('require')).toEqual({ rejectUnauthorized: false });
    expect(sslOption('verify-full')).toEqual({ rejectUnauthorized: true });
    expect(sslOption('verify-ca')).toMatchObject({ rejectUnauthorized: true });
  });
});

describe('toPostgresPlaceholders', () => {
  it.each([
    ['SELECT * FROM t WHERE a = ? AND b = ?', 'SELECT * FROM t WHERE a = $1 AND b = $2', 2],
    ["SELECT '?', 'it''s ?', ? FROM t", "SELECT '?', 'it''s ?', $1 FROM t", 1],
    ["SELECT E'\\'?', ?", "SELECT E'\\'?', $1", 1],
    ['SELECT "col?" FROM "t""?" WHERE x = ?', 'SELECT "col?" FROM "t""?" WHERE x = $1', 1],
    ['SELECT ? -- ?\n, ? /* ? /* ? */ ? */ , ?', 'SELECT $1 -- ?\n, $2 /* ? /* ? */ ? */ , $3', 3],
    ['SELECT $$ ? $$, $tag$ ? $x$ ? $tag$, ?', 'SELECT $$ ? $$, $tag$ ? $x$ ? $tag$, $1', 1],
    ['SELECT a$b, ? FROM t', 'SELECT a$b, $1 FROM t', 1],
    ["SELECT 'unterminated ?", "SELECT 'unterminated ?", 0],
  ])('%s', (sql, text, count) => {
    expect(toPostgresPlaceholders(sql)).toEqual({ text, count });
  });
});

describe('values', () => {
  it('reads int8 as number when safe, bigint otherwise', () => {
    expect(parseInt8('42')).toBe(42);
    expect(parseInt8('-9007199254740991')).toBe(-9007199254740991);
    expect(parseInt8('9007199254740993')).toBe(9007199254740993n);
  });
});
