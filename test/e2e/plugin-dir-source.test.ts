/**
 * Source plugins from `<pluginDir>/backend/` in a real dfdaemon: the shipped example
 * (examples/source-file-plugin.js) copied into an otherwise empty pluginDir serves file:// downloads, single
 * and recursive, and stays inside its root; a pluginDir plugin may override a built-in scheme with a logged
 * notice; a broken plugin file stops start-up with a message naming the file and the reason.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, describe, expect, it } from 'vitest';

import { DaemonProcess, dfget, REPO, tempDir } from '../helpers/processes.js';

const EXAMPLE = join(REPO, 'examples/source-file-plugin.js');

const started: DaemonProcess[] = [];
/** A daemon whose pluginDir/backend holds exactly `files` (name -> path to copy, or source text). */
async function daemonWith(name: string, files: Record<string, { copy?: string; text?: string }>, config: Record<string, unknown> = {}): Promise<DaemonProcess> {
  const daemon = await DaemonProcess.create(name, config);
  const backend = join(daemon.dir, 'plugins', 'backend');
  mkdirSync(backend, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    if (content.copy) copyFileSync(content.copy, join(backend, file));
    else writeFileSync(join(backend, file), content.text ?? '');
  }
  started.push(daemon);
  return daemon;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((d) => d.stop()));
});

describe('source plugins from pluginDir/backend', () => {
  it('the example file:// plugin, copied into an empty pluginDir, serves single and recursive downloads inside its root', async () => {
    const root = tempDir('file-root');
    mkdirSync(join(root, 'set', 'sub'), { recursive: true });
    const payload = Buffer.alloc(5 * 1024 * 1024 + 7, 7);
    writeFileSync(join(root, 'payload.bin'), payload);
    writeFileSync(join(root, 'set', 'one.txt'), 'one');
    writeFileSync(join(root, 'set', 'sub', 'two.txt'), 'two');
    const outside = tempDir('file-outside');
    writeFileSync(join(outside, 'secret.txt'), 'not served');

    const daemon = await daemonWith('plugin-file', { 'source-file-plugin.js': { copy: EXAMPLE } }, { plugins: { source: { file: { root } } } });
    expect(readdirSync(join(daemon.dir, 'plugins', 'backend'))).toEqual(['source-file-plugin.js']);
    await daemon.start();
    await daemon.waitForLog('serving file:// URLs');

    const out = tempDir('file-out');
    const single = await dfget([`file://${join(root, 'payload.bin')}`, '-O', join(out, 'payload.bin'), '-e', daemon.socketPath]);
    expect(single.code, single.stderr).toBe(0);
    expect(readFileSync(join(out, 'payload.bin')).equals(payload)).toBe(true);

    const tree = await dfget(['-r', `file://${join(root, 'set')}/`, '-O', join(out, 'set'), '-e', daemon.socketPath]);
    expect(tree.code, tree.stderr).toBe(0);
    expect(readFileSync(join(out, 'set', 'sub', 'two.txt'), 'utf8')).toBe('two');

    const escape = await dfget([`file://${join(outside, 'secret.txt')}`, '-O', join(out, 'secret.txt'), '-e', daemon.socketPath]);
    expect(escape.code).toBe(1);
    expect(escape.stderr).toMatch(/outside the served root/);
  });

  it('the example type-checks against the public plugin API (JSDoc, tsc --checkJs)', async () => {
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const args = ['--noEmit', '--allowJs', '--checkJs', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', EXAMPLE];
    const result = await promisify(execFile)(process.execPath, [tsc, ...args], { cwd: REPO }).catch((error: { stdout?: string; code?: number }) => error);
    expect((result as { stdout?: string }).stdout ?? '').toBe('');
  });

  it('the example without its root config stops start-up naming the plugin and the option', async () => {
    const daemon = await daemonWith('plugin-file-noconf', { 'source-file-plugin.js': { copy: EXAMPLE } });
    await expect(daemon.start(15_000)).rejects.toThrow(/source\/file[\s\S]*root: required/);
  });

  it('a plugin overriding a built-in scheme needs overrides: true, and the replacement is logged', async () => {
    const override = (flag: boolean) => `
      export default {
        $$type: '@d7y/Plugin', version: 'v1', kind: 'source', name: 'my-s3', apiVersion: '1.0', schemes: ['s3'], overrides: ${flag},
        register({ container }) {
          container.register(Symbol.for('d7y.plugin-api.v1.SourceClient'), { useValue: { schemes: () => ['s3'] } });
        },
      };`;
    const refused = await daemonWith('plugin-override-refused', { 'my-s3.js': { text: override(false) } });
    await expect(refused.start(15_000)).rejects.toThrow(/my-s3\.js[\s\S]*scheme 's3'[\s\S]*overrides: true/);
    const accepted = await daemonWith('plugin-override', { 'my-s3.js': { text: override(true) } });
    await accepted.start();
    await accepted.waitForLog(/pluginDir plugin source\/my-s3 .*my-s3\.js\) overrides built-in source\/s3/);
  });

  it('a broken plugin file stops start-up with a message naming the file and the reason', async () => {
    const syntax = await daemonWith('plugin-broken-syntax', { 'broken.js': { text: 'export default {\n  kind: "source",,\n};\n' } });
    await expect(syntax.start(15_000)).rejects.toThrow(/backend\/broken\.js[\s\S]*(SyntaxError|Unexpected token)/);
    expect(syntax.child?.exitCode).not.toBe(0);
    const throwing = await daemonWith('plugin-broken-throw', { 'exploding.mjs': { text: "throw new Error('exploded while loading');\n" } });
    await expect(throwing.start(15_000)).rejects.toThrow(/backend\/exploding\.mjs[\s\S]*exploded while loading/);
    const shapeless = await daemonWith('plugin-broken-shape', { 'nothing.js': { text: 'export default { hello: 1 };\n' } });
    await expect(shapeless.start(15_000)).rejects.toThrow(/backend\/nothing\.js[\s\S]*D7Y_ERR_PLUGIN_INVALID|backend\/nothing\.js[\s\S]*not a (valid )?plugin/i);
  });
});
