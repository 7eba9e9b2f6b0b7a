import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportsRootTarget, findPackageDir, readPackageJson, resolvePackageEntry, type PackageJson } from './packageEntry.js';

describe('exportsRootTarget', () => {
  it.each([
    ['./a.js', './a.js'],
    [{ '.': './a.js' }, './a.js'],
    [{ '.': { types: './a.d.ts', import: './a.mjs', require: './a.cjs' } }, './a.mjs'],
    [{ '.': { require: './a.cjs', default: './a.js' } }, './a.js'],
    [{ '.': { node: { import: './n.mjs', require: './n.cjs' }, default: './a.js' } }, './n.mjs'],
    [{ import: './sugar.mjs', require: './sugar.cjs' }, './sugar.mjs'],
    [{ '.': ['./first.js', './second.js'] }, './first.js'],
    [{ './sub': './sub.js' }, undefined],
    [{ '.': { require: './only.cjs' } }, undefined],
  ])('%j -> %s', (exportsField, expected) => {
    expect(exportsRootTarget(exportsField)).toBe(expected);
  });
});

describe('resolvePackageEntry / findPackageDir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'd7y-entry-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function files(...paths: string[]) {
    for (const path of paths) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), '');
    }
  }
  const entry = (pkg: PackageJson) => resolvePackageEntry(dir, pkg);

  it('prefers exports, then module, then main, then index.js', async () => {
    await files('e.js', 'm.js', 'main.js', 'index.js');
    expect(await entry({ exports: './e.js', module: './m.js', main: './main.js' })).toBe(join(dir, 'e.js'));
    expect(await entry({ module: './m.js', main: './main.js' })).toBe(join(dir, 'm.js'));
    expect(await entry({ main: './main.js' })).toBe(join(dir, 'main.js'));
    expect(await entry({})).toBe(join(dir, 'index.js'));
  });

  it('completes a legacy main with .js or /index.js', async () => {
    await files('lib/a.js', 'pkg/index.js');
    expect(await entry({ main: 'lib/a' })).toBe(join(dir, 'lib', 'a.js'));
    expect(await entry({ main: 'pkg' })).toBe(join(dir, 'pkg', 'index.js'));
  });

  it('refuses exports without a usable "." and targets outside the folder', async () => {
    await expect(entry({ exports: { './x': './x.js' } })).rejects.toMatchObject({ code: 'D7Y_ERR_PLUGIN_INVALID' });
    await expect(entry({ exports: '../escape.js' })).rejects.toMatchObject({ code: 'D7Y_ERR_PLUGIN_INVALID', message: expect.stringContaining('outside the package folder') });
  });

  it('reports a missing entry file as D7Y_ERR_PLUGIN_LOAD', async () => {
    await expect(entry({ exports: { '.': { default: './dist/index.js' } } })).rejects.toMatchObject({
      code: 'D7Y_ERR_PLUGIN_LOAD',
      message: `entry file ${join(dir, 'dist', 'index.js')} (from package.json exports) does not exist; is the package built?`,
    });
  });

  it('reads package.json and refuses malformed ones', async () => {
    await writeFile(join(dir, 'package.json'), '{"name":"x","version":"1.0.0"}');
    expect(await readPackageJson(dir)).toEqual({ name: 'x', version: '1.0.0' });
    await writeFile(join(dir, 'package.json'), '{oops');
    await expect(readPackageJson(dir)).rejects.toMatchObject({ code: 'D7Y_ERR_PLUGIN_INVALID' });
    await writeFile(join(dir, 'package.json'), '[]');
    await expect(readPackageJson(dir)).rejects.toMatchObject({ code: 'D7Y_ERR_PLUGIN_INVALID' });
  });

  it('finds packages in node_modules folders above the start directory', async () => {
    await files('node_modules/@scope/pkg/package.json', 'node_modules/plain/package.json', 'a/b/c/.keep');
    expect(await findPackageDir('@scope/pkg', join(dir, 'a', 'b', 'c'))).toBe(join(dir, 'node_modules', '@scope', 'pkg'));
    expect(await findPackageDir('plain', dir)).toBe(join(dir, 'node_modules', 'plain'));
    expect(await findPackageDir('absent', dir)).toBeUndefined();
    await expect(findPackageDir('../etc', dir)).rejects.toMatchObject({ code: 'D7Y_ERR_PLUGIN_LOAD' });
  });
});
