#!/usr/bin/env node
import { Command } from 'commander';

import { coreVersion } from '../dfdaemon/version.js';
import { runDfdaemon } from './commands/dfdaemon.js';
import { withRoleFlags } from './commands/roleCommand.js';
import { exitWithError } from './fatal.js';
import { runProgram } from './runProgram.js';

const program = withRoleFlags(
  new Command('dfdaemon').description('d7y peer daemon (a seed peer with seedPeer.enable: true)').version(coreVersion(), '-v, --version').exitOverride(),
  'dfdaemon',
).action((flags) => runDfdaemon(flags).catch((error: unknown) => exitWithError('dfdaemon', error)));

await runProgram(program, process.argv);
