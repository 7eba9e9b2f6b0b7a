/**
 * The data path of `writePiece`: moves exactly `length` bytes from a buffer or a stream into the content file
 * at `position`, feeding every byte to a digester on the way. No byte is copied: buffers are written as given
 * and stream chunks are gathered (up to `bufferSize` bytes) into one vectored positional write. One write is in
 * flight while the next batch is read and hashed, so hashing overlaps with the disk.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

import { createError, ErrorCodes } from '@d7y/core/plugin-api';

import type { Digester } from './digest.js';
import { writeFully, writevFully } from './fileIo.js';

/** Most chunks gathered into one vectored write (below IOV_MAX). */
const MAX_GATHER = 512;

/** Where and how much to write, and what to name in errors. */
export interface PieceTarget {
  readonly handle: FileHandle;
  readonly position: number;
  readonly length: number;
  /** Piece number, for messages. */
  readonly number: number;
}

/**
 * Writes `data` (exactly `target.length` bytes) at `target.position`, digesting it. A buffer of another size is
 * `D7Y_ERR_INVALID_ARGUMENT`; a stream that ends early or runs long is `D7Y_ERR_DATA_CORRUPTED` (bytes past the
 * piece are never written). Resolves once every write has completed; it does not sync.
 */
export async function writePieceData(target: PieceTarget, data: Readable | Uint8Array, digester: Digester, bufferSize: number): Promise<void> {
  if (data instanceof Uint8Array) {
    if (data.byteLength !== target.length) {
      throw createError(ErrorCodes.INVALID_ARGUMENT, `piece ${target.number}: got ${data.byteLength} bytes, expected exactly ${target.length}`);
    }
    const writing = writeFully(target.handle, data, target.position);
    writing.catch(() => undefined);
    digester.update(data);
    await writing;
    return;
  }
  await writeStream(target, data, digester, bufferSize);
}

async function writeStream(target: PieceTarget, stream: Readable, digester: Digester, bufferSize: number): Promise<void> {
  const { handle, length, number } = target;
  let received = 0;
  let position = target.position;
  let batch: Uint8Array[] = [];
  let batched = 0;
  let inflight: Promise<void> | undefined;
  const flush = async () => {
    const chunks = batch;
    const at = position;
    position += batched;
    batch = [];
    batched = 0;
    if (inflight) await inflight;
    inflight = writevFully(handle, chunks, at);
    inflight.catch(() => undefined);
  };
  try {
    for await (const chunk of stream as AsyncIterable<unknown>) {
      if (!(chunk instanceof Uint8Array)) {
        throw createError(ErrorCodes.INVALID_ARGUMENT, `piece ${number}: stream must yield bytes, got ${typeof chunk}`);
      }
      if (chunk.byteLength === 0) continue;
      if (received + chunk.byteLength > length) {
        throw createError(ErrorCodes.DATA_CORRUPTED, `piece ${number}: stream carries more than the expected ${length} bytes`, {
          details: { expected: length },
        });
      }
      received += chunk.byteLength;
      digester.update(chunk);
      batch.push(chunk);
      batched += chunk.byteLength;
      if (batched >= bufferSize || batch.length >= MAX_GATHER) await flush();
    }
    if (received !== length) {
      throw createError(ErrorCodes.DATA_CORRUPTED, `piece ${number}: stream ended after ${received} of ${length} bytes`, {
        details: { expected: length, received },
      });
    }
    if (batched > 0) await flush();
    await inflight;
  } finally {
    // Never let the caller close the file while a write is still running.
    if (inflight) await inflight.catch(() => undefined);
  }
}
