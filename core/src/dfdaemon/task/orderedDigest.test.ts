import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { digestOf } from '../../common/digests.js';
import type { StorageEngine } from '../../plugin-api/index.js';
import { OrderedDigest } from './orderedDigest.js';

/** Only `readPiece`, over pieces held in memory; `reads` records the order pieces were read in. */
function pieceStore(pieces: Buffer[], failOn?: number) {
  const reads: number[] = [];
  const storage = {
    readPiece: async (_taskId: string, number: number) => {
      reads.push(number);
      if (number === failOn) throw new Error('disk gone');
      await new Promise((r) => setTimeout(r, 1));
      return Readable.from([pieces[number]!.subarray(0, 7), pieces[number]!.subarray(7)]);
    },
  } as unknown as StorageEngine;
  return { storage, reads };
}

describe('OrderedDigest', () => {
  const pieces = [randomBytes(100), randomBytes(100), randomBytes(100), randomBytes(37)];
  const whole = digestOf('sha256', Buffer.concat(pieces));

  it('hashes pieces stored out of order in content order, each read once, as soon as they are next', async () => {
    const { storage, reads } = pieceStore(pieces);
    const ordered = new OrderedDigest(storage, 't', 'sha256', 4);
    ordered.stored(2);
    ordered.stored(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(ordered.fed).toBe(0); // piece 0 is missing: nothing can be hashed yet
    ordered.stored(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(ordered.fed).toBe(3);
    ordered.stored(3);
    expect(await ordered.digest()).toBe(whole);
    expect(reads).toEqual([0, 1, 2, 3]);
  });

  it('rejects when a piece was never stored, or could not be read back', async () => {
    const missing = new OrderedDigest(pieceStore(pieces).storage, 't', 'sha256', 4);
    for (const n of [0, 1, 3]) missing.stored(n);
    await expect(missing.digest()).rejects.toThrow(/pieces 2\.\. of 4 were never stored/);
    const broken = new OrderedDigest(pieceStore(pieces, 1).storage, 't', 'sha256', 4);
    for (const n of [0, 1, 2, 3]) broken.stored(n);
    await expect(broken.digest()).rejects.toThrow(/disk gone/);
  });

  it('works for crc32 and for a one-piece task', async () => {
    const single = new OrderedDigest(pieceStore([pieces[0]!]).storage, 't', 'crc32', 1);
    single.stored(0);
    expect(await single.digest()).toBe(digestOf('crc32', pieces[0]!));
  });
});
