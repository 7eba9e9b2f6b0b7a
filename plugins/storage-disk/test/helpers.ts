/** Shared helpers for the storage-disk tests (kept outside src/ so they are not built into dist). */
import { createCipheriv, createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { DiskStorageEngine, type DiskStorageEngineOptions } from '../src/DiskStorageEngine.js';

/** A 64-hex task id derived from a name. */
export function taskId(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** Deterministic pseudo-random bytes for (seed, length): AES-128-CTR over zeros. */
export function bytesFor(seed: string, length: number): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

/** `sha256:<hex>` of bytes. */
export function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Collects a stream into one buffer. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A stream yielding `data` in chunks of `chunkSize` bytes (asynchronously, like a socket). */
export function chunked(data: Buffer, chunkSize: number): Readable {
  return Readable.from(
    (async function* () {
      for (let offset = 0; offset < data.length; offset += chunkSize) {
        await new Promise((resolve) => setImmediate(resolve));
        yield data.subarray(offset, offset + chunkSize);
      }
    })(),
  );
}

/** A fresh temporary directory and its cleanup. */
export async function tempDir(prefix = 'd7y-storage-disk-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Opens an engine on `dir`. */
export async function openEngine(dir: string, options: Partial<DiskStorageEngineOptions> = {}): Promise<DiskStorageEngine> {
  const engine = new DiskStorageEngine({ dir, keep: true, ...options });
  await engine.open();
  return engine;
}

/** The rejection code of a promise (fails if it resolves). */
export async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
  throw new Error('expected a rejection');
}

/** Geometry of a task split into pieces. */
export function spans(contentLength: number, pieceLength: number): Array<{ number: number; offset: number; length: number }> {
  const result = [];
  for (let offset = 0, number = 0; offset < contentLength; offset += pieceLength, number++) {
    result.push({ number, offset, length: Math.min(pieceLength, contentLength - offset) });
  }
  return result;
}

/** Asserts byte equality quickly (deep `toEqual` on large buffers is slow), naming the first difference. */
export function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) return;
  let at = 0;
  while (at < Math.min(a.length, b.length) && a[at] === b[at]) at++;
  throw new Error(`bytes differ: lengths ${a.length} vs ${b.length}, first difference at offset ${at}`);
}
