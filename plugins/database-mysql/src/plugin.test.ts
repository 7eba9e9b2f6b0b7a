import { describe, expect, it } from 'vitest';

import plugin, { migrationLockName, MYSQL_DEFAULTS, mysqlConfigSchema, resolveMysqlConfig } from './index.js';
import { countPlaceholders } from './placeholders.js';
import { sslOption } from './poolOptions.js';

describe('plugin', () => {
  it('is a branded database plugin matching its package manifest', async () => {
    const manifest = (await import('../package.json', { with: { type: 'json' } })).default as { d7y: Record<string, string> };
    expect(plugin).toMatchObject({ $$type: '@d7y/Plugin', version: 'v1', kind: 'database', name: 'mysql', apiVersion: '1.0' });
    expect(manifest.d7y).toMatchObject({ kind: plugin.kind, name: plugin.name, apiVersion: plugin.apiVersion });
  });
});

describe('config', () => {
  it('accepts {} and the keys of Dragonfly database.mysql, filling defaults', () => {
    expect(resolveMysqlConfig({})).toEqual(MYSQL_DEFAULTS);
    const config = resolveMysqlConfig({ host: 'db', user: 'u', password: 'p', dbname: 'manager', migrate: false, tlsConfig: 'skip-verify', tls: { caCert: '/ca.pem' } });
    expect(config).toMatchObject({ port: 3306, migrate: false, tlsConfig: 'skip-verify', tls: { caCert: '/ca.pem', insecureSkipVerify: false } });
  });

  it('reports every problem with its path and never echoes the password', () => {
    const result = mysqlConfigSchema.safeParse({ port: 'x', tlsConfig: 'yes', tls: { ca: '/x' }, dbname: 'a b', password: 424242, extra: 1 });
    expect(result.success).toBe(false);
    const issues = result.success ? [] : result.error.issues;
    expect(issues.map((issue) => issue.path.join('.')).sort()).toEqual(['dbname', 'extra', 'password', 'port', 'tls.ca', 'tlsConfig']);
    expect(JSON.stringify(issues)).not.toContain('424242');
  });

  it('maps tlsConfig to mysql2 ssl options', () => {
    expect(sslOption(resolveMysqlConfig({}))).toBeUndefined();
    expect(sslOption(resolveMysqlConfig({ tlsConfig: 'preferred' }))).toBeUndefined();
    expect(sslOption(resolveMysqlConfig({ tlsConfig: 'true' }))).toEqual({ rejectUnauthorized: true });
    expect(sslOption(resolveMysqlConfig({ tlsConfig: 'skip-verify' }))).toEqual({ rejectUnauthorized: false });
    expect(() => sslOption(resolveMysqlConfig({ tls: { caCert: '/nonexistent/ca.pem' } }))).toThrow(/caCert/);
  });

  it('names the migration lock after the database, within 64 characters', () => {
    expect(migrationLockName('manager')).toBe('d7y.schema_migrations.manager');
    expect(migrationLockName('x'.repeat(64))).toHaveLength(64);
  });
});

describe('countPlaceholders', () => {
  it.each([
    ['SELECT ? , ?', 2],
    ["SELECT '?', 'it''s ?', 'a\\'?', ?", 1],
    ['SELECT "col?", `t?`, ?', 1],
    ['SELECT ? # ?\n, ? -- ?\n, ? /* ? */', 3],
    ['SELECT 1--?', 1],
  ])('%s', (sql, count) => {
    expect(countPlaceholders(sql)).toBe(count);
  });
});
