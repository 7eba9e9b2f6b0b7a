/** Validation of `putTask` input and of the size changes it may make to an existing task. */
import { createError, ErrorCodes, type PieceRecord, type TaskInit } from '@d7y/core/plugin-api';

import { expectedPieceCount, pieceMisfit } from './geometry.js';
import { assertTaskId } from './paths.js';
import type { StoredTask } from './TaskMetadataStore.js';

/** Longest accepted URL, header name and header value, and most headers kept. */
const MAX_URL = 64 * 1024;
const MAX_HEADER_NAME = 256;
const MAX_HEADER_VALUE = 8 * 1024;
const MAX_HEADERS = 128;

/** `TaskInit` checked and normalised (header names lower-cased). */
export interface ValidTaskInit {
  readonly id: string;
  readonly url: string;
  readonly pieceLength: number;
  readonly contentLength: number;
  readonly pieceCount: number;
  /** Undefined when the caller gave none (an update then keeps the stored headers). */
  readonly responseHeader?: Readonly<Record<string, string>>;
}

const invalid = (message: string) => createError(ErrorCodes.INVALID_ARGUMENT, message);

/** Checks `putTask` input; throws `D7Y_ERR_INVALID_ARGUMENT` naming the first bad field. */
export function validateTaskInit(init: TaskInit): ValidTaskInit {
  if (typeof init !== 'object' || init === null) throw invalid('task must be an object');
  assertTaskId(init.id);
  const { url, pieceLength, contentLength, pieceCount } = init;
  if (typeof url !== 'string' || url.length > MAX_URL) throw invalid(`task ${init.id}: url must be a string of at most ${MAX_URL} characters`);
  if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0) throw invalid(`task ${init.id}: pieceLength must be a positive integer, got ${String(pieceLength)}`);
  if (!Number.isSafeInteger(contentLength) || contentLength < -1) {
    throw invalid(`task ${init.id}: contentLength must be an integer >= -1, got ${String(contentLength)}`);
  }
  const count = expectedPieceCount(contentLength, pieceLength);
  if (pieceCount !== count) {
    throw invalid(`task ${init.id}: pieceCount ${String(pieceCount)} does not match contentLength ${contentLength} / pieceLength ${pieceLength} (expected ${count})`);
  }
  return {
    id: init.id,
    url,
    pieceLength,
    contentLength,
    pieceCount,
    ...(init.responseHeader !== undefined ? { responseHeader: validateHeaders(init.id, init.responseHeader) } : {}),
  };
}

function validateHeaders(id: string, headers: Record<string, string>): Record<string, string> {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw invalid(`task ${id}: responseHeader must be an object`);
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) throw invalid(`task ${id}: at most ${MAX_HEADERS} response headers are kept, got ${entries.length}`);
  const result = new Map<string, string>();
  for (const [name, value] of entries) {
    if (name.length === 0 || name.length > MAX_HEADER_NAME || typeof value !== 'string' || value.length > MAX_HEADER_VALUE) {
      throw invalid(`task ${id}: response header ${JSON.stringify(name.slice(0, 64))} is empty, too long or not a string`);
    }
    result.set(name.toLowerCase(), value);
  }
  // fromEntries defines own properties, so a hostile `__proto__` header stays a plain key.
  return Object.fromEntries(result);
}

/**
 * Throws `D7Y_ERR_FAILED_PRECONDITION` if `next` may not replace the sizes of `current`: the piece length never
 * changes, a finished task's size never changes, and every stored piece must still fit the new size.
 */
export function assertSizeChangeAllowed(current: StoredTask, next: ValidTaskInit, pieces: Iterable<PieceRecord>): void {
  const refuse = (why: string) => createError(ErrorCodes.FAILED_PRECONDITION, `task ${current.id}: ${why}`);
  if (next.pieceLength !== current.pieceLength) {
    throw refuse(`piece length is ${current.pieceLength} and cannot change to ${next.pieceLength}; delete the task first`);
  }
  if (next.contentLength === current.contentLength) return;
  if (current.finishedAt !== undefined) {
    throw refuse(`finished with ${current.contentLength} bytes; its size cannot change to ${next.contentLength}`);
  }
  for (const piece of pieces) {
    const misfit = pieceMisfit(next, piece);
    if (misfit !== undefined) throw refuse(`stored piece ${piece.number} does not fit content length ${next.contentLength} (${misfit})`);
  }
}
