import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { PieceRecord } from '@d7y/core/plugin-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { codeOf, taskId, tempDir } from '../test/helpers.js';
import { decodeJournal, encodeHeaderLine, encodePieceLine, PieceJournal } from './PieceJournal.js';

const ID = taskId('journal');
const record = (number: number, extra: Partial<PieceRecord> = {}): PieceRecord => ({
  number,
  offset: number * 100,
  length: 100,
  digest: `crc32:${number}`,
  costMs: 1.5,
  createdAt: 1_700_000_000_000 + number,
  ...extra,
});

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('PieceJournal', () => {
  it('round-trips records, including unicode parent ids', () => {
    const bytes = Buffer.concat([encodeHeaderLine(ID), encodePieceLine(record(0)), encodePieceLine(record(1, { parentId: 'peer-ü-1' }))]);
    const decoded = decodeJournal(bytes, ID);
    expect(decoded.headerValid).toBe(true);
    expect(decoded.entries.map((entry) => entry.record)).toEqual([record(0), record(1, { parentId: 'peer-ü-1' })]);
    expect(decoded.entries.at(-1)!.end).toBe(bytes.length);
    expect(decodeJournal(bytes, taskId('other')).headerValid).toBe(false);
  });

  it('stops at the first torn or invalid line', () => {
    const good = Buffer.concat([encodeHeaderLine(ID), encodePieceLine(record(0))]);
    const next = encodePieceLine(record(1));
    for (let cut = 0; cut < next.length; cut++) {
      expect(decodeJournal(Buffer.concat([good, next.subarray(0, cut)]), ID).entries).toHaveLength(1);
    }
    const bad = Buffer.from(next);
    bad[5] ^= 1;
    expect(decodeJournal(Buffer.concat([good, bad, encodePieceLine(record(2))]), ID).entries).toHaveLength(1);
  });

  it('group-commits concurrent appends, all durable and in one piece', async () => {
    const path = join(dir, 'j');
    const journal = await PieceJournal.create(path, ID);
    await Promise.all(Array.from({ length: 50 }, (_, n) => journal.append(record(n))));
    await journal.close();
    expect(await codeOf(journal.append(record(99)))).toBe('D7Y_ERR_FAILED_PRECONDITION');
    const opened = await PieceJournal.open(path, ID);
    expect(opened.records.map((r) => r.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    await opened.journal.close();
  });

  it('cuts the file at the first record `accept` refuses', async () => {
    const path = join(dir, 'j');
    await writeFile(path, Buffer.concat([encodeHeaderLine(ID), ...[0, 1, 2].map((n) => encodePieceLine(record(n)))]));
    const opened = await PieceJournal.open(path, ID, (r) => r.number !== 1);
    expect(opened.records.map((r) => r.number)).toEqual([0]);
    await opened.journal.append(record(5));
    await opened.journal.close();
    const decoded = decodeJournal(await readFile(path), ID);
    expect(decoded.entries.map((entry) => entry.record.number)).toEqual([0, 5]);
    expect(await codeOf(PieceJournal.open(join(dir, 'missing'), ID))).toBe('ENOENT');
  });
});
