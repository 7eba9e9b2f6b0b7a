/**
 * The commit path of one piece, in the order that makes crashes safe:
 *
 * 1. stream the bytes into the content file at the piece offset, digesting them on the way
 *    (the algorithm of the expected digest, else sha256);
 * 2. compare with the expected digest — a mismatch fails here and nothing is recorded;
 * 3. fdatasync the content file;
 * 4. append the piece record to the task's journal and fdatasync it;
 * 5. publish the piece in memory, where readers see it.
 *
 * A record therefore never exists for bytes that are not durably on disk and verified.
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';

import { createError, ErrorCodes, type PieceRecord, type PieceWrite } from '@d7y/core/plugin-api';

import { createDigester, DEFAULT_DIGEST_ALGORITHM, digestsEqual, formatDigest, parseDigest, type ParsedDigest } from './digest.js';
import { errnoCode } from './fsErrors.js';
import { writePieceData } from './pieceWriter.js';
import type { TaskState } from './TaskState.js';

/** Longest accepted `parentId`. */
const MAX_PARENT_ID = 1024;

/** Runs steps 1–5 above for a piece already validated against the task's geometry. */
export async function commitPiece(
  state: TaskState,
  contentFile: string,
  piece: PieceWrite,
  expected: ParsedDigest | undefined,
  data: Readable | Uint8Array,
  writeBufferSize: number,
): Promise<PieceRecord> {
  const taskId = state.stored.id;
  let handle;
  try {
    handle = await open(contentFile, 'r+');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw taskGone(taskId);
    throw error;
  }
  let actual: ParsedDigest;
  try {
    // Checked after the open: a file opened before deleteTask is the old, unlinked one, never a new task's.
    if (state.deleted) throw taskGone(taskId);
    const digester = createDigester(expected?.algorithm ?? DEFAULT_DIGEST_ALGORITHM);
    await writePieceData({ handle, position: piece.offset, length: piece.length, number: piece.number }, data, digester, writeBufferSize);
    actual = digester.digest();
    if (expected && !digestsEqual(actual, expected)) {
      throw createError(
        ErrorCodes.DIGEST_MISMATCH,
        `piece ${piece.number} of task ${taskId}: digest mismatch, expected ${formatDigest(expected)}, got ${formatDigest(actual)}; nothing was recorded`,
        { details: { expected: formatDigest(expected), actual: formatDigest(actual), number: piece.number } },
      );
    }
    await handle.datasync();
  } finally {
    await handle.close();
  }
  if (state.deleted) throw taskGone(taskId);
  const record: PieceRecord = Object.freeze({
    number: piece.number,
    offset: piece.offset,
    length: piece.length,
    digest: formatDigest(actual),
    ...(piece.parentId !== undefined ? { parentId: piece.parentId } : {}),
    costMs: Math.round(piece.costMs ?? 0),
    createdAt: Date.now(),
  });
  try {
    await state.journal.append(record);
  } catch (error) {
    if (state.deleted) throw taskGone(taskId);
    throw error;
  }
  state.addPiece(record);
  return record;
}

/** Throws `D7Y_ERR_INVALID_ARGUMENT` for a bad `costMs` or `parentId`. */
export function checkPieceExtras(piece: PieceWrite): void {
  if (piece.costMs !== undefined && (typeof piece.costMs !== 'number' || !Number.isFinite(piece.costMs) || piece.costMs < 0)) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `piece ${piece.number}: costMs must be a non-negative number`);
  }
  if (piece.parentId !== undefined && (typeof piece.parentId !== 'string' || piece.parentId.length > MAX_PARENT_ID)) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `piece ${piece.number}: parentId must be a string of at most ${MAX_PARENT_ID} characters`);
  }
}

/**
 * A stored piece answers a repeated write only if it does not contradict the trusted digest (same algorithm,
 * other value → `D7Y_ERR_DIGEST_MISMATCH`).
 */
export function assertSameDigest(taskId: string, stored: PieceRecord, expected: ParsedDigest | undefined): void {
  if (!expected) return;
  const recorded = parseDigest(stored.digest);
  if (recorded.algorithm === expected.algorithm && !digestsEqual(recorded, expected)) {
    throw createError(
      ErrorCodes.DIGEST_MISMATCH,
      `piece ${stored.number} of task ${taskId} is stored with ${stored.digest}, which contradicts the expected ${formatDigest(expected)}`,
      { details: { expected: formatDigest(expected), actual: stored.digest, number: stored.number } },
    );
  }
}

/** `D7Y_ERR_NOT_FOUND` for a task deleted while a piece was being written. */
export function taskGone(taskId: string) {
  return createError(ErrorCodes.NOT_FOUND, `task ${taskId} was deleted`);
}
