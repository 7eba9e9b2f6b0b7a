import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { placeOutput } from './output.js';

describe('placeOutput', () => {
  const dir = mkdtempSync(join(tmpdir(), 'd7y-output-'));
  const content = join(dir, 'content');
  writeFileSync(content, 'payload');

  it('hard-links the content into place, creating directories', async () => {
    const target = join(dir, 'a', 'b', 'out');
    expect(await placeOutput(content, target)).toBe('hardlink');
    expect(readFileSync(target, 'utf8')).toBe('payload');
    expect(statSync(target).ino).toBe(statSync(content).ino);
  });

  it('refuses to replace an existing file without overwrite, and leaves no temporary file', async () => {
    const target = join(dir, 'existing');
    writeFileSync(target, 'mine');
    await expect(placeOutput(content, target)).rejects.toMatchObject({ code: 'D7Y_ERR_ALREADY_EXISTS' });
    expect(readFileSync(target, 'utf8')).toBe('mine');
    await placeOutput(content, target, { overwrite: true });
    expect(readFileSync(target, 'utf8')).toBe('payload');
    expect(readdirSync(dir).filter((name) => name.includes('.d7y-'))).toEqual([]);
  });

  it('rejects relative paths and directories', async () => {
    await expect(placeOutput(content, 'relative/out')).rejects.toMatchObject({ code: 'D7Y_ERR_INVALID_ARGUMENT' });
    await expect(placeOutput(content, dir, { overwrite: true })).rejects.toMatchObject({ code: 'D7Y_ERR_INVALID_ARGUMENT' });
  });
});
