/** Positional write helpers that never leave a short write unnoticed. */
import type { FileHandle } from 'node:fs/promises';

import { createError, ErrorCodes } from '@d7y/core/plugin-api';

/** Writes all of `bytes` at `position`, looping over short writes. */
export async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten <= 0) throw createError(ErrorCodes.INTERNAL, `write at offset ${position + done} made no progress`);
    done += bytesWritten;
  }
}

/**
 * Writes the concatenation of `chunks` at `position` with one gathering write (no copy into a joint buffer),
 * finishing any short write chunk by chunk.
 */
export async function writevFully(handle: FileHandle, chunks: readonly Uint8Array[], position: number): Promise<void> {
  if (chunks.length === 1) return writeFully(handle, chunks[0]!, position);
  const { bytesWritten } = await handle.writev(chunks as Uint8Array[], position);
  let skip = bytesWritten;
  let at = position;
  for (const chunk of chunks) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      at += chunk.length;
      continue;
    }
    await writeFully(handle, skip === 0 ? chunk : chunk.subarray(skip), at + skip);
    at += chunk.length;
    skip = 0;
  }
}
