import { type Command, CommanderError } from 'commander';

import { EXIT_USAGE } from './fatal.js';

/** Parses argv, turning commander's usage errors into exit code 2. */
export async function runProgram(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
    throw error;
  }
}
