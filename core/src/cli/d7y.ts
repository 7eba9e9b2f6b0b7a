#!/usr/bin/env node
import { d7yProgram, runProgram } from './program.js';

await runProgram(d7yProgram(), process.argv);
