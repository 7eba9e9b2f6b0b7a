/**
 * The plugin definition, its config schema, and loading through the real kernel.
 *
 * The kernel test loads the package the way the scheduler does: as a built-in, resolved through
 * `node_modules/@d7y/plugin-scheduler-default` and its package.json `exports`, i.e. from `dist/`. Build it
 * first: `npx tsc -b plugins/scheduler-default` (the root `npm test` runs `tsc -b` before vitest). A `dist/`
 * older than `src/` (by the build's tsbuildinfo) fails the test with that instruction rather than testing stale code.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { isPlugin, TOKENS, type Evaluator } from '@d7y/core/plugin-api';

import { createContainer, loadPlugins, permissiveEgress, silentLogger } from '../../../core/src/kernel/index.js';
import manifest from '../package.json' with { type: 'json' };
import { GBPS_10, peer } from '../test/peers.js';
import { DEFAULT_CONFIG, DEFAULT_WEIGHTS, defaultEvaluatorConfigSchema } from './config.js';
import { DefaultEvaluator } from './DefaultEvaluator.js';
import plugin from './index.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Source files (not tests) changed since the last `tsc -b` of this package, or never compiled. The build's
 * `tsconfig.tsbuildinfo` is the reference: `tsc -b` rewrites it on every build that looked at changed files,
 * but does not re-emit a `.js` whose source was touched without a change.
 */
function staleOutputs(): string[] {
  const src = join(PACKAGE_DIR, 'src');
  let builtAt: number;
  try {
    builtAt = statSync(join(PACKAGE_DIR, 'tsconfig.tsbuildinfo')).mtimeMs;
  } catch {
    return ['(never built)'];
  }
  return readdirSync(src)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .filter((file) => !existsSync(join(PACKAGE_DIR, 'dist', file.replace(/\.ts$/, '.js'))) || statSync(join(src, file)).mtimeMs > builtAt);
}

describe('plugin definition', () => {
  it('matches its manifest and is branded', () => {
    expect(isPlugin(plugin)).toBe(true);
    expect({ kind: plugin.kind, name: plugin.name, apiVersion: plugin.apiVersion }).toEqual(manifest.d7y);
  });

  it('registers a lazily built DefaultEvaluator configured from ctx.config', async () => {
    const registered = new Map<symbol | string, unknown>();
    const container = {
      register: (token: symbol | string, provider: unknown) => void registered.set(token, provider),
      resolve: () => {
        throw new Error('unused');
      },
      isRegistered: (token: symbol | string) => registered.has(token),
    };
    const parsed = defaultEvaluatorConfigSchema.safeParse({ weights: { hostType: 0.3 } });
    if (!parsed.success) throw new Error('config rejected');
    await plugin.register({ container, config: parsed.data, logger: silentLogger, egress: permissiveEgress, role: 'scheduler' });
    const provider = registered.get(TOKENS.Evaluator) as { useFactory: (c: typeof container) => Evaluator };
    const evaluator = provider.useFactory(container);
    expect(evaluator).toBeInstanceOf(DefaultEvaluator);
    expect((evaluator as DefaultEvaluator).weights).toEqual({ ...DEFAULT_WEIGHTS, hostType: 0.3 });
  });
});

describe('config schema', () => {
  it('fills defaults', () => {
    for (const input of [undefined, {}, { weights: {} }]) {
      expect(defaultEvaluatorConfigSchema.safeParse(input)).toEqual({ success: true, data: DEFAULT_CONFIG });
    }
    expect(DEFAULT_CONFIG).toEqual({
      pieceCostsWindowSize: 2000,
      weights: {
        loadQuality: 0.6,
        idcAffinity: 0.2,
        locationAffinity: 0.1,
        hostType: 0.1,
        peakBandwidthUsage: 0.5,
        bandwidthDuration: 0.3,
        concurrency: 0.2,
        finishedPiece: 0.2,
        uploadSuccess: 0.2,
        freeUpload: 0.15,
      },
    });
  });

  it('applies overrides', () => {
    expect(defaultEvaluatorConfigSchema.safeParse({ weights: { idcAffinity: 0.5 }, pieceCostsWindowSize: 30 })).toEqual({
      success: true,
      data: { weights: { ...DEFAULT_WEIGHTS, idcAffinity: 0.5 }, pieceCostsWindowSize: 30 },
    });
  });

  it.each([
    { input: 'yes', paths: [''] },
    { input: { typo: 1 }, paths: ['typo'] },
    { input: { weights: [] }, paths: ['weights'] },
    { input: { weights: { idc: 0.2, hostType: -1, concurrency: Number.NaN } }, paths: ['weights.idc', 'weights.hostType', 'weights.concurrency'] },
    { input: { weights: { finishedPiece: 0, uploadSuccess: 0, freeUpload: 0 } }, paths: ['weights'] },
    { input: { pieceCostsWindowSize: 1 }, paths: ['pieceCostsWindowSize'] },
    { input: { pieceCostsWindowSize: 2.5 }, paths: ['pieceCostsWindowSize'] },
  ])('rejects $input with issues at $paths', ({ input, paths }) => {
    const result = defaultEvaluatorConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.issues.map((issue) => issue.path.join('.'))).toEqual(paths);
  });
});

describe('through the real kernel', () => {
  it('loads the built-in package from dist, applies its config and serves a working evaluator', async () => {
    expect(staleOutputs(), 'dist/ is missing or older than src/: run `npx tsc -b plugins/scheduler-default` first').toEqual([]);
    const registry = await loadPlugins({
      role: 'scheduler',
      builtins: [{ specifier: '@d7y/plugin-scheduler-default', kind: 'evaluator', optional: false }],
      pluginConfig: { evaluator: { default: { weights: { idcAffinity: 0.25 } } } },
      container: createContainer(),
      logger: silentLogger,
      egress: permissiveEgress,
    });
    expect(registry.list()).toEqual([
      expect.objectContaining({
        kind: 'evaluator',
        name: 'default',
        origin: 'builtin',
        packageName: '@d7y/plugin-scheduler-default',
        from: expect.stringMatching(/scheduler-default[/\\]dist[/\\]index\.js$/),
      }),
    ]);

    const evaluator = registry.evaluatorFor('default');
    expect(evaluator).toBe(registry.evaluator('default'));
    // A class from dist/, not from src/: checked structurally.
    expect((evaluator as unknown as { weights: unknown }).weights).toMatchObject({ idcAffinity: 0.25, loadQuality: 0.6 });
    const child = peer('child', { idc: 'idc-a' }, { state: 'ReceivedNormal' });
    const busy = peer('busy', { maxTxBandwidth: GBPS_10, txBandwidth: 9.5e9, idc: 'idc-a' });
    const seed = peer('seed', { maxTxBandwidth: GBPS_10, type: 'super', idc: 'idc-a' });
    expect((await evaluator.evaluateParents([busy, seed], child, 0)).map((p) => p.id)).toEqual(['seed', 'busy']);
    expect(evaluator.isBadParent(peer('p', {}, { state: 'Pending' }))).toBe(true);
    expect(evaluator.isBadParent(seed)).toBe(false);
    await registry.close();
  });

  it('refuses an invalid config with D7Y_ERR_STARTUP naming the issue', async () => {
    const err = await loadPlugins({
      role: 'scheduler',
      builtins: [{ specifier: '@d7y/plugin-scheduler-default', kind: 'evaluator', optional: false }],
      pluginConfig: { evaluator: { default: { weights: { loadQuality: -1 } } } },
      container: createContainer(),
      logger: silentLogger,
      egress: permissiveEgress,
    }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(err?.code).toBe('D7Y_ERR_STARTUP');
    expect(err?.message).toMatch(/weights\.loadQuality: expected a finite number >= 0/);
  });
});
