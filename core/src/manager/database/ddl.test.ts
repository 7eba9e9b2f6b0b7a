import { describe, expect, it } from 'vitest';

import { managerMigrations } from './migrations.js';
import { createTableSql } from './ddl.js';

const table = {
  name: 'things',
  columns: [
    { name: 'name', type: { kind: 'varchar', length: 64 }, defaultValue: '' },
    { name: 'doc', type: { kind: 'json' }, defaultValue: '{}' },
    { name: 'on', type: { kind: 'bool' }, defaultValue: false },
    { name: 'seen_at', type: { kind: 'timestamp' }, nullable: true },
  ],
  unique: [['name']],
} as const;

describe('createTableSql', () => {
  it('uses each dialect\'s id, timestamp and text types, and adds is_del to unique keys', () => {
    const sqlite = createTableSql(table, 'sqlite');
    expect(sqlite).toContain('id INTEGER PRIMARY KEY AUTOINCREMENT');
    expect(sqlite).toContain('seen_at DATETIME NULL');
    expect(sqlite).toContain("doc TEXT NOT NULL DEFAULT '{}'");
    expect(sqlite).toContain('UNIQUE (name, is_del)');
    const postgres = createTableSql(table, 'postgres');
    expect(postgres).toContain('id BIGSERIAL PRIMARY KEY');
    expect(postgres).toContain('created_at TIMESTAMPTZ NOT NULL');
    const mysql = createTableSql(table, 'mysql');
    expect(mysql).toContain('id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY');
    expect(mysql).toContain('seen_at DATETIME(3) NULL');
    expect(mysql).toContain('doc LONGTEXT NOT NULL,');
    expect(mysql).toMatch(/DEFAULT CHARSET=utf8mb4$/);
  });

  it('builds join tables with a composite primary key and no standard columns', () => {
    const sql = createTableSql({ name: 'links', standard: false, columns: [{ name: 'a', type: { kind: 'bigint' } }, { name: 'b', type: { kind: 'bigint' } }], primaryKey: ['a', 'b'] }, 'postgres');
    expect(sql).not.toContain('is_del');
    expect(sql).toContain('PRIMARY KEY (a, b)');
  });
});

describe('managerMigrations', () => {
  it('has distinct ascending versions: control plane 1-99, auth 100-199, jobs 200-299', () => {
    const versions = managerMigrations.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions.filter((v) => v < 100)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(versions.some((v) => v >= 100 && v < 200)).toBe(true);
    expect(versions.some((v) => v >= 200 && v < 300)).toBe(true);
    expect(versions.every((v) => v >= 1 && v < 300)).toBe(true);
  });
});
