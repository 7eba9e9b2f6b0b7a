// Child process of crash.test.ts: writes pieces of several tasks as fast as it can, printing `ok <task> <n>`
// after each write resolves, until the parent kills it with SIGKILL. Plain JS: it imports a transpiled copy of
// the engine. Argument: JSON { engine, dir, tasks: [{ id, seed, size, pieceLength }], concurrency }.
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const options = JSON.parse(process.argv[2]);
const { DiskStorageEngine } = await import(pathToFileURL(options.engine).href);

const bytesFor = (seed, length) => {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
};
const say = (line) => process.stdout.write(`${line}\n`);

const engine = new DiskStorageEngine({ dir: options.dir, keep: true, writeBufferSize: 16 * 1024 });
await engine.open();
const jobs = [];
for (const [index, task] of options.tasks.entries()) {
  const count = Math.ceil(task.size / task.pieceLength);
  await engine.putTask({ id: task.id, url: `https://example.com/${index}`, pieceLength: task.pieceLength, contentLength: task.size, pieceCount: count });
  const stored = new Set((await engine.listPieces(task.id)).map((piece) => piece.number));
  for (let n = 0; n < count; n++) if (!stored.has(n)) jobs.push({ index, task, n });
}
jobs.sort(() => Math.random() - 0.5);
say('ready');

const writeOne = async ({ index, task, n }) => {
  const offset = n * task.pieceLength;
  const length = Math.min(task.pieceLength, task.size - offset);
  const data = bytesFor(`${task.seed}-${n}`, length);
  const sha = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const piece = { number: n, offset, length };
  if (Math.random() < 0.25) {
    // Bytes that fail their trusted digest land in the content file but must never be recorded.
    const bad = Buffer.from(data);
    bad[Math.floor(Math.random() * length)] ^= 0xff;
    await engine.writePiece(task.id, { ...piece, expectedDigest: sha }, bad).then(
      () => { throw new Error('corrupt piece accepted'); },
      (error) => { if (error.code !== 'D7Y_ERR_DIGEST_MISMATCH') throw error; },
    );
  }
  const input = Math.random() < 0.5 ? data : Readable.from((function* () { for (let o = 0; o < length; o += 7000) yield data.subarray(o, o + 7000); })());
  await engine.writePiece(task.id, { ...piece, ...(Math.random() < 0.5 ? { expectedDigest: sha } : {}) }, input);
  say(`ok ${index} ${n}`);
};

let next = 0;
await Promise.all(Array.from({ length: options.concurrency }, async () => {
  while (next < jobs.length) await writeOne(jobs[next++]);
}));
for (const [index, task] of options.tasks.entries()) {
  await engine.finishTask(task.id);
  say(`finished ${index}`);
}
await engine.close();
say('done');
