import { readdir, readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { bytesFor, chunked, codeOf, expectBytes, openEngine, readAll, sha256, spans, taskId, tempDir } from '../test/helpers.js';
import { crc32 } from './crc32.js';
import type { DiskStorageEngine } from './DiskStorageEngine.js';

const PIECE = 64 * 1024;
const SIZE = 5 * PIECE + 1234; // 6 pieces, the last one short
const ID = taskId('engine-test');
const DATA = bytesFor('engine-test', SIZE);
const PIECES = spans(SIZE, PIECE);

let dir: string;
let cleanup: () => Promise<void>;
let engine: DiskStorageEngine;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  engine = await openEngine(dir, { keep: false });
});

afterEach(async () => {
  await engine.close();
  await cleanup();
});

const put = (id = ID, contentLength = SIZE) =>
  engine.putTask({ id, url: 'https://example.com/file', pieceLength: PIECE, contentLength, pieceCount: Math.ceil(contentLength / PIECE) });
const slice = (n: number) => DATA.subarray(PIECES[n]!.offset, PIECES[n]!.offset + PIECES[n]!.length);
const write = (n: number, data: Readable | Uint8Array = slice(n), extra: Record<string, unknown> = {}) =>
  engine.writePiece(ID, { ...PIECES[n]!, ...extra }, data);

describe('tasks', () => {
  it('creates, reads back and updates a task idempotently', async () => {
    const created = await engine.putTask({
      id: ID,
      url: 'https://example.com/file',
      pieceLength: PIECE,
      contentLength: SIZE,
      pieceCount: 6,
      responseHeader: { ETag: '"x"' },
    });
    expect(created).toMatchObject({ id: ID, pieceLength: PIECE, contentLength: SIZE, pieceCount: 6, finishedPieceCount: 0, responseHeader: { etag: '"x"' } });
    expect(await put()).toMatchObject({ createdAt: created.createdAt, responseHeader: { etag: '"x"' } });
    expect(await engine.getTask(ID)).toMatchObject({ id: ID });
    expect((await engine.listTasks()).map((task) => task.id)).toEqual([ID]);
    expect(await engine.getTask(taskId('other'))).toBeUndefined();
  });

  it('refuses a changed piece length and an inconsistent piece count', async () => {
    await put();
    expect(await codeOf(engine.putTask({ id: ID, url: 'u', pieceLength: PIECE * 2, contentLength: SIZE, pieceCount: 3 }))).toBe('D7Y_ERR_FAILED_PRECONDITION');
    expect(await codeOf(engine.putTask({ id: ID, url: 'u', pieceLength: PIECE, contentLength: SIZE, pieceCount: 5 }))).toBe('D7Y_ERR_INVALID_ARGUMENT');
    expect(await codeOf(engine.putTask({ id: ID, url: 'u', pieceLength: 0, contentLength: SIZE, pieceCount: 0 }))).toBe('D7Y_ERR_INVALID_ARGUMENT');
    expect(await codeOf(engine.putTask({ id: ID, url: 'u', pieceLength: PIECE, contentLength: -2, pieceCount: 0 }))).toBe('D7Y_ERR_INVALID_ARGUMENT');
  });

  it('learns the size of a task written while its length was unknown', async () => {
    await put(ID, -1);
    for (const n of [0, 1, 2, 3, 4, 5]) await write(n);
    expect(await codeOf(engine.finishTask(ID))).toBe('D7Y_ERR_FAILED_PRECONDITION');
    // A size that contradicts the stored pieces is refused; the true one is accepted.
    expect(await codeOf(put(ID, SIZE + 1))).toBe('D7Y_ERR_FAILED_PRECONDITION');
    expect(await put(ID, SIZE)).toMatchObject({ contentLength: SIZE, pieceCount: 6, finishedPieceCount: 6 });
    const finished = await engine.finishTask(ID, sha256(DATA));
    expect(finished.finishedAt).toBeTypeOf('number');
    expectBytes(await readFile(engine.contentPath(ID)!), DATA);
  });

  it('finishes only when every piece is stored, and exposes the content path only then', async () => {
    await put();
    for (const n of [0, 1, 2, 3, 4]) await write(n);
    expect(await codeOf(engine.finishTask(ID))).toBe('D7Y_ERR_FAILED_PRECONDITION');
    expect(engine.contentPath(ID)).toBeUndefined();
    await write(5);
    const digest = sha256(DATA).toUpperCase().replace('SHA256', 'sha256');
    const finished = await engine.finishTask(ID, digest);
    expect(finished).toMatchObject({ finishedPieceCount: 6, digest: sha256(DATA) });
    expect(finished.finishedAt).toBeTypeOf('number');
    expect(await engine.finishTask(ID)).toMatchObject({ finishedAt: finished.finishedAt, digest: sha256(DATA) });
    expect(await codeOf(engine.finishTask(ID, 'md5:abc'))).toBe('D7Y_ERR_INVALID_ARGUMENT');
    expectBytes(await readFile(engine.contentPath(ID)!), DATA);
    expect(await codeOf(put(ID, SIZE - 1))).toBe('D7Y_ERR_FAILED_PRECONDITION');
  });

  it('finishes an empty task at once, with an empty content file', async () => {
    await engine.putTask({ id: ID, url: 'u', pieceLength: PIECE, contentLength: 0, pieceCount: 0 });
    const finished = await engine.finishTask(ID, sha256(Buffer.alloc(0)));
    expect(finished).toMatchObject({ pieceCount: 0, finishedPieceCount: 0 });
    expect((await readFile(engine.contentPath(ID)!)).length).toBe(0);
    expect(await readAll(await engine.readRange(ID, 0, 0))).toHaveLength(0);
    expect(await codeOf(engine.writePiece(ID, { number: 0, offset: 0, length: 1 }, Buffer.alloc(1)))).toBe('D7Y_ERR_INVALID_ARGUMENT');
  });

  it('marks failed and touched tasks, and reports allocated bytes', async () => {
    await put();
    await write(3);
    const before = (await engine.usage())[0]!;
    expect(before).toMatchObject({ id: ID, finished: false, failed: false });
    // Sparse: one piece written, so far fewer bytes than the whole size are allocated.
    expect(before.bytes).toBeGreaterThanOrEqual(PIECE);
    expect(before.bytes).toBeLessThan(SIZE);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await engine.touchTask(ID);
    await engine.failTask(ID);
    const after = (await engine.usage())[0]!;
    expect(after.failed).toBe(true);
    expect(after.updatedAt).toBeGreaterThan(before.updatedAt);
    expect((await engine.getTask(ID))!.failedAt).toBeTypeOf('number');
    expectBytes(await readAll(await engine.readPiece(ID, 3)), slice(3));
    expect(await codeOf(engine.touchTask(taskId('missing')))).toBe('D7Y_ERR_NOT_FOUND');
  });
});

describe('writing pieces', () => {
  it('stores pieces written out of order and concurrently, from buffers and streams, byte-exact', async () => {
    await put();
    const order = [4, 1, 5, 0, 3, 2];
    const records = await Promise.all(order.map((n, i) => write(n, i % 2 === 0 ? slice(n) : chunked(Buffer.from(slice(n)), 1000 + n * 333))));
    records.forEach((record, i) => expect(record).toMatchObject({ number: order[i], digest: sha256(slice(order[i]!)) }));
    expect((await engine.listPieces(ID)).map((piece) => piece.number)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const n of order) expectBytes(await readAll(await engine.readPiece(ID, n)), Buffer.from(slice(n)));
    expectBytes(await readAll(await engine.readRange(ID, 0, SIZE)), DATA);
    for (const [start, length] of [[1, 1], [PIECE - 3, 7], [PIECE, PIECE], [PIECE * 2 + 5, PIECE * 3 + 1000], [SIZE - 1, 1], [SIZE, 0]] as const) {
      expectBytes(await readAll(await engine.readRange(ID, start, length)), DATA.subarray(start, start + length));
    }
  });

  it('checks the expected digest in its own algorithm and records it normalised', async () => {
    await put();
    const crc = await write(0, slice(0), { expectedDigest: `crc32:0${crc32(slice(0))}` });
    expect(crc.digest).toBe(`crc32:${crc32(slice(0))}`);
    const { createHash } = await import('node:crypto');
    const sha512 = `sha512:${createHash('sha512').update(slice(1)).digest('hex').toUpperCase()}`;
    expect((await write(1, slice(1), { expectedDigest: sha512 })).digest).toBe(sha512.toLowerCase());
    expect(await codeOf(write(2, slice(2), { expectedDigest: 'md5:00' }))).toBe('D7Y_ERR_INVALID_ARGUMENT');
  });

  it('records nothing when the digest does not match', async () => {
    await put();
    const wrong = sha256(slice(1));
    expect(await codeOf(write(0, slice(0), { expectedDigest: wrong }))).toBe('D7Y_ERR_DIGEST_MISMATCH');
    expect(await codeOf(write(0, chunked(Buffer.from(slice(0)), 4096), { expectedDigest: wrong }))).toBe('D7Y_ERR_DIGEST_MISMATCH');
    expect(await engine.getPiece(ID, 0)).toBeUndefined();
    expect(await codeOf(engine.readPiece(ID, 0))).toBe('D7Y_ERR_NOT_FOUND');
    expect(await codeOf(engine.readRange(ID, 0, 10))).toBe('D7Y_ERR_NOT_FOUND');
    // The right bytes afterwards are stored normally.
    expect((await write(0, slice(0), { expectedDigest: sha256(slice(0)) })).digest).toBe(sha256(slice(0)));
  });

  it('fails on too few or too many bytes and records nothing', async () => {
    await put();
    const data = Buffer.from(slice(0));
    expect(await codeOf(write(0, data.subarray(1)))).toBe('D7Y_ERR_INVALID_ARGUMENT');
    expect(await codeOf(write(0, Buffer.concat([data, Buffer.from('x')])))).toBe('D7Y_ERR_INVALID_ARGUMENT');
    expect(await codeOf(write(0, chunked(data.subarray(0, PIECE - 1), 5000)))).toBe('D7Y_ERR_DATA_CORRUPTED');
    const long = chunked(Buffer.concat([data, Buffer.alloc(10)]), 5000);
    expect(await codeOf(write(0, long))).toBe('D7Y_ERR_DATA_CORRUPTED');
    expect(long.destroyed).toBe(true);
    const failing = new Readable({ read() {} });
    failing.push(data.subarray(0, 100));
    setImmediate(() => failing.destroy(new Error('peer went away')));
    expect(await codeOf(write(0, failing))).toBe('D7Y_ERR_INTERNAL');
    expect(await engine.listPieces(ID)).toEqual([]);
    expect((await engine.getTask(ID))!.finishedPieceCount).toBe(0);
  });

  it('rejects pieces outside the task', async () => {
    await put();
    const cases = [
      { number: 6, offset: 6 * PIECE, length: 10 },
      { number: 1, offset: 0, length: PIECE },
      { number: 0, offset: 0, length: PIECE - 1 },
      { number: 5, offset: 5 * PIECE, length: PIECE },
      { number: -1, offset: 0, length: PIECE },
      { number: 1.5, offset: PIECE, length: PIECE },
      { number: 2 ** 60, offset: 0, length: PIECE },
    ];
    for (const piece of cases) expect(await codeOf(engine.writePiece(ID, piece, Buffer.alloc(piece.length > 0 ? piece.length : 0)))).toBe('D7Y_ERR_INVALID_ARGUMENT');
    expect(await codeOf(engine.writePiece(taskId('unknown'), PIECES[0]!, slice(0)))).toBe('D7Y_ERR_NOT_FOUND');
    expect(await codeOf(engine.readRange(ID, SIZE - 1, 2))).toBe('D7Y_ERR_INVALID_ARGUMENT');
    expect(await codeOf(engine.readRange(ID, -1, 2))).toBe('D7Y_ERR_INVALID_ARGUMENT');
  });

  it('answers a second write of a stored piece with the stored record, without rewriting', async () => {
    await put();
    const first = await write(2);
    const other = chunked(Buffer.alloc(PIECES[2]!.length, 7), 4096);
    expect(await write(2, other)).toBe(first);
    expect(other.destroyed).toBe(true);
    expectBytes(await readAll(await engine.readPiece(ID, 2)), Buffer.from(slice(2)));
    // A contradicting trusted digest is not silently accepted.
    expect(await codeOf(write(2, slice(2), { expectedDigest: sha256(Buffer.alloc(1)) }))).toBe('D7Y_ERR_DIGEST_MISMATCH');
    // Concurrent writers of one piece get one record.
    const [a, b] = await Promise.all([write(3, chunked(Buffer.from(slice(3)), 999)), write(3)]);
    expect(a).toBe(b);
  });

  it('keeps readers working while the task is deleted and fails writers', async () => {
    await put();
    await write(0);
    const reading = await engine.readPiece(ID, 0);
    const slow = new Readable({ read() {} });
    slow.push(slice(1).subarray(0, 1000));
    const writing = write(1, slow);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await engine.deleteTask(ID);
    slow.push(slice(1).subarray(1000));
    slow.push(null);
    expect(await codeOf(writing)).toBe('D7Y_ERR_NOT_FOUND');
    expectBytes(await readAll(reading), Buffer.from(slice(0)));
    expect(await engine.getTask(ID)).toBeUndefined();
    expect(await codeOf(engine.readPiece(ID, 0))).toBe('D7Y_ERR_NOT_FOUND');
    await engine.deleteTask(ID);
    expect(await readdir(engine.paths.contentDir(ID))).toEqual([]);
    expect(await readdir(engine.paths.metadataDir(ID))).toEqual([]);
    // The id can be reused at once, starting empty.
    expect((await put()).finishedPieceCount).toBe(0);
  });
});

describe('hostile input', () => {
  const hostile: unknown[] = [
    '../../../../etc/passwd',
    `${'a'.repeat(63)}/`,
    'A'.repeat(64),
    'a'.repeat(63),
    'a'.repeat(65),
    `${'a'.repeat(63)}\0`,
    `../${'a'.repeat(61)}`,
    '',
    42,
    undefined,
  ];

  it('rejects task ids that are not 64 lower-case hex characters before touching the disk', async () => {
    const before = await readdir(dir, { recursive: true });
    for (const id of hostile as string[]) {
      expect(await codeOf(engine.putTask({ id, url: 'u', pieceLength: PIECE, contentLength: 1, pieceCount: 1 }))).toBe('D7Y_ERR_INVALID_ARGUMENT');
      expect(await codeOf(engine.getTask(id))).toBe('D7Y_ERR_INVALID_ARGUMENT');
      expect(await codeOf(engine.writePiece(id, PIECES[0]!, slice(0)))).toBe('D7Y_ERR_INVALID_ARGUMENT');
      expect(await codeOf(engine.readPiece(id, 0))).toBe('D7Y_ERR_INVALID_ARGUMENT');
      expect(await codeOf(engine.readRange(id, 0, 1))).toBe('D7Y_ERR_INVALID_ARGUMENT');
      expect(await codeOf(engine.deleteTask(id))).toBe('D7Y_ERR_INVALID_ARGUMENT');
      expect(await codeOf(engine.finishTask(id))).toBe('D7Y_ERR_INVALID_ARGUMENT');
      expect(await codeOf(() => engine.contentPath(id))).toBe('D7Y_ERR_INVALID_ARGUMENT');
    }
    expect(await readdir(dir, { recursive: true })).toEqual(before);
  });

  it('keeps a hostile __proto__ response header as plain data', async () => {
    const header = JSON.parse('{"__proto__": "x", "Content-Type": "a/b"}') as Record<string, string>;
    const task = await engine.putTask({ id: ID, url: 'u', pieceLength: PIECE, contentLength: 1, pieceCount: 1, responseHeader: header });
    expect(Object.getPrototypeOf(task.responseHeader)).toBe(Object.prototype);
    expect(Object.keys(task.responseHeader).sort()).toEqual(['__proto__', 'content-type']);
  });
});

describe('lifecycle', () => {
  it('refuses calls after close and waits for running writes', async () => {
    await put();
    const slow = new Readable({ read() {} });
    const writing = write(0, slow);
    const closing = engine.close();
    slow.push(slice(0));
    slow.push(null);
    expect((await writing).number).toBe(0);
    await closing;
    expect(await codeOf(engine.getTask(ID))).toBe('D7Y_ERR_FAILED_PRECONDITION');
    expect(await codeOf(write(1))).toBe('D7Y_ERR_FAILED_PRECONDITION');
    expect(engine.contentPath(ID)).toBeUndefined();
  });

  it('creates files with the documented layout', async () => {
    await put();
    await write(0);
    expect((await stat(`${dir}/content/tasks/${ID.slice(0, 3)}/${ID}`)).isFile()).toBe(true);
    expect(JSON.parse(await readFile(`${dir}/metadata/tasks/${ID.slice(0, 3)}/${ID}.json`, 'utf8'))).toMatchObject({ v: 1, id: ID });
    const journal = (await readFile(`${dir}/metadata/tasks/${ID.slice(0, 3)}/${ID}.pieces`, 'utf8')).split('\n');
    expect(journal).toHaveLength(3);
    expect(journal[1]).toMatch(/^\{"n":0,"o":0,"l":65536,"d":"sha256:[0-9a-f]{64}","c":0,"t":\d+\} [0-9a-f]{8}$/);
  });
});
