import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { lineDiff } from './diff.js';
import { applyPlan } from './plan.js';

describe('applyPlan', () => {
  it('creates, updates and leaves equal files alone; dry-run writes nothing and shows the diff', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'd7y-init-'));
    const a = join(dir, 'sub', 'a.toml');
    const b = join(dir, 'b.toml');
    writeFileSync(b, 'x = 1\ny = 2\n');
    const files = [
      { path: a, content: 'new\n' },
      { path: b, content: 'x = 1\ny = 3\n' },
    ];
    const dry = await applyPlan(files, { dryRun: true });
    expect(dry.map((c) => c.action)).toEqual(['create', 'update']);
    expect(dry[1]!.diff).toBe(`--- ${b}\n+++ ${b}\n x = 1\n-y = 2\n+y = 3\n`);
    expect(dry[0]!.diff).toContain('--- /dev/null');
    expect(readFileSync(b, 'utf8')).toBe('x = 1\ny = 2\n');
    expect((await applyPlan(files, { dryRun: false })).map((c) => c.action)).toEqual(['create', 'update']);
    expect(readFileSync(a, 'utf8')).toBe('new\n');
    expect((await applyPlan(files, { dryRun: false })).map((c) => c.action)).toEqual(['unchanged', 'unchanged']);
  });

  it('diffs lines by longest common subsequence', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nc\nd\n')).toEqual([' a', '-b', ' c', '+d']);
  });
});
