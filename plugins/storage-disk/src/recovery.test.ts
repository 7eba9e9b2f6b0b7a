import { appendFile, mkdir, open, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { bytesFor, codeOf, expectBytes, openEngine, readAll, sha256, spans, taskId, tempDir } from '../test/helpers.js';
import type { DiskStorageEngine } from './DiskStorageEngine.js';
import { StoragePaths } from './paths.js';

const PIECE = 32 * 1024;
const SIZE = 4 * PIECE; // 4 pieces
const PIECES = spans(SIZE, PIECE);
const A = taskId('recovery-a');
const B = taskId('recovery-b');
const dataOf = (id: string) => bytesFor(id, SIZE);
const slice = (id: string, n: number) => dataOf(id).subarray(n * PIECE, (n + 1) * PIECE);

let dir: string;
let cleanup: () => Promise<void>;
let paths: StoragePaths;
const engines: DiskStorageEngine[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  paths = new StoragePaths(dir);
});

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
  await cleanup();
});

async function start(keep = true): Promise<DiskStorageEngine> {
  const engine = await openEngine(dir, { keep });
  engines.push(engine);
  return engine;
}

async function restart(engine: DiskStorageEngine, keep = true): Promise<DiskStorageEngine> {
  await engine.close();
  return start(keep);
}

/** Task A with pieces `numbers` stored, task B finished. */
async function seed(numbers: number[] = [0, 1, 2]): Promise<DiskStorageEngine> {
  const engine = await start();
  for (const id of [A, B]) await engine.putTask({ id, url: `https://example.com/${id}`, pieceLength: PIECE, contentLength: SIZE, pieceCount: 4 });
  for (const n of numbers) await engine.writePiece(A, PIECES[n]!, slice(A, n), );
  for (const n of [3, 1, 0, 2]) await engine.writePiece(B, { ...PIECES[n]!, parentId: 'peer-1', costMs: 12 }, slice(B, n));
  await engine.finishTask(B, sha256(dataOf(B)));
  return engine;
}

describe('keep', () => {
  it('recovers tasks, pieces and finished state after a restart', async () => {
    const first = await seed();
    const before = { a: await first.getTask(A), b: await first.getTask(B), pieces: await first.listPieces(B) };
    const engine = await restart(first);
    expect(await engine.getTask(A)).toEqual(before.a);
    expect(await engine.getTask(B)).toEqual(before.b);
    expect(await engine.listPieces(B)).toEqual(before.pieces);
    expect((await engine.listPieces(A)).map((piece) => piece.number)).toEqual([0, 1, 2]);
    expectBytes(await readAll(await engine.readRange(A, 0, 3 * PIECE)), dataOf(A).subarray(0, 3 * PIECE));
    expectBytes(await readFile(engine.contentPath(B)!), dataOf(B));
    // Writing continues where it stopped.
    await engine.writePiece(A, PIECES[3]!, slice(A, 3));
    await engine.finishTask(A);
    expectBytes(await readFile(engine.contentPath(A)!), dataOf(A));
  });

  it('wipes everything when keep is off', async () => {
    const first = await seed();
    const engine = await restart(first, false);
    expect(await engine.listTasks()).toEqual([]);
    expect(await readdir(paths.contentTasks)).toEqual([]);
    expect(await readdir(paths.metadataTasks)).toEqual([]);
  });
});

describe('crash damage', () => {
  it('ignores a torn journal tail and appends cleanly after it', async () => {
    const first = await seed();
    await first.close();
    const journal = paths.journalFile(A);
    const size = (await stat(journal)).size;
    await truncate(journal, size - 20); // the last record (piece 2) loses its end
    let engine = await start();
    expect((await engine.listPieces(A)).map((piece) => piece.number)).toEqual([0, 1]);
    expect(await codeOf(engine.readPiece(A, 2))).toBe('D7Y_ERR_NOT_FOUND');
    expect(await codeOf(engine.readRange(A, 0, 3 * PIECE))).toBe('D7Y_ERR_NOT_FOUND');
    const lines = (await readFile(journal, 'utf8')).split('\n');
    expect(lines).toHaveLength(4); // header, 0, 1, and the empty string after the last newline
    await engine.writePiece(A, PIECES[2]!, slice(A, 2));
    await engine.writePiece(A, PIECES[3]!, slice(A, 3));
    engine = await restart(engine);
    expect((await engine.listPieces(A)).map((piece) => piece.number)).toEqual([0, 1, 2, 3]);
    expectBytes(await readAll(await engine.readRange(A, 0, SIZE)), dataOf(A));
  });

  it('stops at a damaged record: checksum mismatch, garbage, or a record outside the task', async () => {
    const first = await seed();
    await first.close();
    const journal = paths.journalFile(A);
    const text = await readFile(journal, 'utf8');
    const lines = text.split('\n');
    // Flip one digit inside piece 1's record: its checksum no longer matches.
    lines[2] = lines[2]!.replace('"n":1', '"n":3');
    await writeFile(journal, lines.join('\n'));
    let engine = await start();
    expect((await engine.listPieces(A)).map((piece) => piece.number)).toEqual([0]);
    await engine.close();
    await appendFile(journal, 'garbage without newline');
    await appendFile(paths.journalFile(B), '\0\0\0\0\n{"n":9} 00000000\n');
    engine = await start();
    expect((await engine.listPieces(A)).map((piece) => piece.number)).toEqual([0]);
    expect((await engine.listPieces(B)).length).toBe(4);
    expect((await engine.getTask(B))!.finishedAt).toBeTypeOf('number');
  });

  it('serves nothing whose bytes reached the content file without a record', async () => {
    const first = await seed([0]);
    await first.close();
    // Bytes of piece 1 written and even synced, but the process died before the journal record.
    const handle = await open(paths.contentFile(A), 'r+');
    await handle.write(slice(A, 1), 0, PIECE, PIECE);
    await handle.sync();
    await handle.close();
    const engine = await start();
    expect(await engine.getPiece(A, 1)).toBeUndefined();
    expect(await codeOf(engine.readPiece(A, 1))).toBe('D7Y_ERR_NOT_FOUND');
    expect(await codeOf(engine.readRange(A, PIECE - 1, 2))).toBe('D7Y_ERR_NOT_FOUND');
    expect((await engine.getTask(A))!.finishedPieceCount).toBe(1);
  });

  it('drops a task whose content is shorter than its records or missing', async () => {
    const first = await seed();
    await first.close();
    await truncate(paths.contentFile(A), 2 * PIECE + 10); // piece 2 is recorded up to 3 * PIECE
    await rm(paths.contentFile(B));
    const engine = await start();
    expect(await engine.listTasks()).toEqual([]);
    expect(await readdir(paths.metadataDir(A))).toEqual([]);
    expect(await readdir(paths.contentDir(A)).catch(() => [])).toEqual([]);
  });

  it('drops a task with a damaged task file or journal header', async () => {
    const first = await seed();
    await first.close();
    await writeFile(paths.taskFile(A), '{"v":1,"id":"');
    await writeFile(paths.journalFile(B), 'not a journal\n');
    const engine = await start();
    expect(await engine.listTasks()).toEqual([]);
    expect(await readdir(paths.metadataTasks, { recursive: true })).not.toContain(`${A.slice(0, 3)}/${A}.pieces`);
  });

  it('un-finishes a finished task whose journal lost a piece', async () => {
    const first = await seed();
    await first.close();
    const journal = paths.journalFile(B);
    await truncate(journal, (await stat(journal)).size - 1); // the last record loses its newline
    const engine = await start();
    const task = (await engine.getTask(B))!;
    expect(task.finishedAt).toBeUndefined();
    expect(task.digest).toBeUndefined();
    expect(task.finishedPieceCount).toBe(3);
    expect(engine.contentPath(B)).toBeUndefined();
    // ...and stays so across another restart (the task file was rewritten).
    expect((await (await restart(engine)).getTask(B))!.finishedAt).toBeUndefined();
  });

  it('sweeps temporary files and orphans, and leaves unknown files alone', async () => {
    const first = await seed();
    await first.close();
    const orphan = taskId('orphan');
    await mkdir(paths.contentDir(orphan), { recursive: true });
    await mkdir(paths.metadataDir(orphan), { recursive: true });
    await writeFile(paths.contentFile(orphan), 'x');
    await writeFile(paths.journalFile(orphan), 'x');
    await writeFile(`${paths.taskFile(A)}.tmp-123-1`, '{');
    await writeFile(join(paths.contentDir(A), `${A}.tmp-9`), '');
    await writeFile(join(paths.metadataDir(A), 'README'), 'mine');
    const engine = await start();
    expect((await engine.listTasks()).length).toBe(2);
    const files = await readdir(dir, { recursive: true });
    expect(files.filter((file) => file.includes('.tmp-') || file.includes(orphan))).toEqual([]);
    expect(files).toContain(join('metadata', 'tasks', A.slice(0, 3), 'README'));
  });
});
