#!/usr/bin/env node
// Writes docs/config-reference.md from the zod schemas (core/src/config/schema/*.ts) through the built
// core (run after `tsc -b`; `npm run docs:config` does both). core/src/config/reference.test.ts fails when
// the committed file differs from what this writes.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const { configReferenceMarkdown } = await import('../core/dist/config/reference.js');
const target = fileURLToPath(new URL('../docs/config-reference.md', import.meta.url));
writeFileSync(target, configReferenceMarkdown());
console.log(`wrote ${target}`);
