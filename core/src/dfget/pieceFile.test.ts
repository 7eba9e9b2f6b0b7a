import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { PieceFile } from './pieceFile.js';

describe('PieceFile (dfget --transfer-from-dfdaemon)', () => {
  it('writes pieces at their offsets in any order and appears at the output only on commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'd7y-piecefile-'));
    const output = join(dir, 'sub', 'out.bin');
    const file = await PieceFile.create(output);
    await file.write(5, 3, Buffer.from('fgh'));
    await file.write(0, 5, Buffer.from('abcde'));
    expect(readdirSync(join(dir, 'sub')).filter((name) => name === 'out.bin')).toEqual([]);
    await file.commit(0); // length unknown to the daemon: the file ends with its last piece
    expect(readFileSync(output, 'utf8')).toBe('abcdefgh');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['out.bin']);
  });

  it('refuses a piece whose bytes do not match its length, and leaves nothing behind when discarded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'd7y-piecefile-'));
    const file = await PieceFile.create(join(dir, 'out.bin'));
    await expect(file.write(0, 4, Buffer.from('abc'))).rejects.toThrow(/dfdaemon sent 3 bytes for a piece of 4 at offset 0/);
    await expect(file.write(0, 4, undefined)).rejects.toThrow(/sent 0 bytes/);
    await file.discard();
    expect(readdirSync(dir)).toEqual([]);
  });
});
