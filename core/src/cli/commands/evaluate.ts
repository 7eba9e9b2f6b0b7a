import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';

import { loadConfig } from '../../config/index.js';
import { createError, ErrorCodes } from '../../common/errors.js';
import { createContainer, denyAllEgress, loadPlugins, silentLogger, type PluginConfigMap } from '../../kernel/index.js';
import { compareEvaluators, type EvaluatorComparison } from '../../scheduler/records/compareEvaluators.js';
import { parseRecords } from '../../scheduler/records/parseRecords.js';
import { rolePluginConfig } from '../bootstrap.js';

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');
const rate = (bps: number) => (Number.isFinite(bps) ? `${(bps / 1048576).toFixed(2)} MiB/s` : 'n/a');

/** The comparison as the lines `d7y evaluate` prints. */
export function formatComparison(name: string, c: EvaluatorComparison): string {
  return [
    `${name} vs default on ${c.replayed} of ${c.decisions} recorded decisions${c.errors ? ` (${c.errors} failed in ${name})` : ''}:`,
    `  same first choice: ${pct(c.top1Agreement)}; top-${c.k} overlap: ${pct(c.topKOverlap)}`,
    `  against observed piece rates (${c.observed.decisions} decisions, ${c.observed.pairs} parent pairs):`,
    `    pair order right: ${name} ${pct(c.observed.candidatePairAccuracy)}, default ${pct(c.observed.baselinePairAccuracy)}`,
    `    rate of the first choice: ${name} ${rate(c.observed.candidateTop1Rate)}, default ${rate(c.observed.baselineTop1Rate)}`,
  ].join('\n');
}

/**
 * `d7y evaluate --records FILE --plugin FILE [--config scheduler.yaml]`: loads the evaluator plugin file
 * through the same pipeline the scheduler uses (with `plugins.evaluator.<name>` from the config, if given),
 * replays the recorded decisions through it and the default evaluator, and prints how they compare.
 */
export async function evaluateCommand(flags: { records: string; plugin: string; config?: string }): Promise<void> {
  let text: string;
  try {
    text = readFileSync(flags.records, 'utf8');
  } catch (err) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `cannot read records ${flags.records}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const records = parseRecords(text, flags.records);
  const file = resolve(flags.plugin);
  const pluginConfig: PluginConfigMap = flags.config ? rolePluginConfig('scheduler', (await loadConfig('scheduler', { path: flags.config })).config) : {};
  const registry = await loadPlugins({
    role: 'scheduler',
    slots: [{ name: 'evaluator', dir: dirname(file), kind: 'evaluator', entry: basename(file, extname(file)), required: true }],
    pluginConfig,
    container: createContainer(),
    logger: silentLogger,
    egress: denyAllEgress,
  });
  try {
    const name = registry.list().find((p) => p.kind === 'evaluator' && p.origin === 'pluginDir')?.name ?? 'plugin';
    const candidate = registry.evaluatorFor('plugin');
    await candidate.open?.();
    const comparison = await compareEvaluators(records, candidate, registry.evaluator('default'));
    process.stdout.write(`${formatComparison(name, comparison)}\n`);
  } finally {
    await registry.close();
  }
}
