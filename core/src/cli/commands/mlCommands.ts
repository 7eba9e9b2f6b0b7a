import type { Command } from 'commander';

import { exitWithError } from '../fatal.js';

// Imported when they run, like the other commands.
const recordsExport = async (flags: Parameters<typeof import('./recordsExport.js').recordsExport>[0]) => (await import('./recordsExport.js')).recordsExport(flags);
const train = async (flags: Parameters<typeof import('./train.js').trainCommand>[0]) => (await import('./train.js')).trainCommand(flags);
const evaluate = async (flags: Parameters<typeof import('./evaluate.js').evaluateCommand>[0]) => (await import('./evaluate.js')).evaluateCommand(flags);

/** Adds `d7y records export`, `d7y train` and `d7y evaluate` (the learned and custom evaluators' tools). */
export function addMlCommands(program: Command): void {
  const records = program.command('records').description("work with a scheduler's download records (scheduler.records.enable)");
  records
    .command('export')
    .description('fetch the download records of a running scheduler (GET /records on its metrics port) as NDJSON')
    .requiredOption('-s, --scheduler <addr>', "the scheduler's metrics address, host:port (metrics.addr)")
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .option('--timeout <ms>', 'give up after this many milliseconds', '30000')
    .action((flags) => recordsExport(flags).catch((error: unknown) => exitWithError('d7y records export', error)));

  program
    .command('train')
    .description('fit the ml evaluator model on exported records and write it as ONNX (+ .meta.json)')
    .requiredOption('--records <file>', 'records from d7y records export')
    .requiredOption('--out <file>', 'model path, e.g. model.onnx; the metadata goes to model.meta.json')
    .option('--hidden <n>', 'hidden units of the MLP', '8')
    .option('--epochs <n>', 'passes over the data (default: by data size)')
    .option('--holdout <fraction>', 'share of decisions held out for validation', '0.2')
    .option('--seed <n>', 'random seed', '1')
    .action((flags) => train(flags).catch((error: unknown) => exitWithError('d7y train', error)));

  program
    .command('evaluate')
    .description('compare an evaluator plugin file with the default evaluator on recorded decisions')
    .requiredOption('--records <file>', 'records from d7y records export')
    .requiredOption('--plugin <file>', 'the evaluator plugin (.js, .mjs or .cjs), as it would sit in pluginDir')
    .option('-c, --config <path>', 'scheduler config whose plugins.evaluator.<name> section configures the plugin')
    .action((flags) => evaluate(flags).catch((error: unknown) => exitWithError('d7y evaluate', error)));
}
