/**
 * Crash safety with real process deaths (security test plan G01): a child process writes pieces of several
 * tasks — some first with corrupted bytes that fail their digest — and is killed with SIGKILL at random moments,
 * over and over on the same store. After every kill the store is reopened with `keep: true` and must hold every
 * piece the child saw acknowledged, and every recorded piece must read back byte-exact with its recorded digest.
 * The child runs a transpiled plain-JS copy of the engine (see test/transpile.ts).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { bytesFor, expectBytes, openEngine, readAll, taskId, tempDir } from '../test/helpers.js';
import { transpilePlugin } from '../test/transpile.js';
import { crc32 } from './crc32.js';

const CHILD = fileURLToPath(new URL('../test/crash-child.mjs', import.meta.url));
const ROUNDS = 14;
const TASKS = [
  { id: taskId('crash-0'), seed: 'crash-0', size: 40 * 64 * 1024 + 77, pieceLength: 64 * 1024 },
  { id: taskId('crash-1'), seed: 'crash-1', size: 23 * 32 * 1024, pieceLength: 32 * 1024 },
  { id: taskId('crash-2'), seed: 'crash-2', size: 100_000, pieceLength: 16 * 1024 },
];

let work: { dir: string; cleanup: () => Promise<void> };
let engineJs: string;

beforeAll(async () => {
  work = await tempDir('d7y-storage-crash-');
  engineJs = await transpilePlugin(`${work.dir}/build`);
});
afterAll(async () => work.cleanup());

/** Seeded PRNG (mulberry32), so kill points are reproducible. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Round {
  acked: Set<string>;
  done: boolean;
  killed: boolean;
}

/** Runs the child; kills it after `killAfterAcks` acknowledgements (+ `delayMs`), or lets it finish. */
function runChild(dir: string, killAfterAcks: number | undefined, delayMs: number): Promise<Round> {
  const child = spawn(process.execPath, [CHILD, JSON.stringify({ engine: engineJs, dir, tasks: TASKS, concurrency: 6 })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const round: Round = { acked: new Set(), done: false, killed: false };
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const kill = () => {
    if (round.killed) return;
    round.killed = true;
    setTimeout(() => child.kill('SIGKILL'), delayMs);
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('ok ')) round.acked.add(line.slice(3));
    if (line === 'done') round.done = true;
    if (killAfterAcks !== undefined && (line === 'ready' ? killAfterAcks === 0 : round.acked.size >= killAfterAcks)) kill();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(round);
      else reject(new Error(`child failed (${code ?? signal}): ${stderr}`));
    });
  });
}

function digestOf(algorithmAndValue: string, data: Buffer): string {
  const algorithm = algorithmAndValue.slice(0, algorithmAndValue.indexOf(':'));
  return algorithm === 'crc32' ? `crc32:${crc32(data)}` : `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** Reopens the store and checks: acked pieces present, every recorded piece byte-exact, finished tasks whole. */
async function verify(dir: string, acked: Set<string>): Promise<{ stored: number; finished: number }> {
  const engine = await openEngine(dir, { keep: true });
  let stored = 0;
  let finished = 0;
  try {
    for (const [index, task] of TASKS.entries()) {
      const record = await engine.getTask(task.id);
      const pieces = await engine.listPieces(task.id);
      const numbers = new Set(pieces.map((piece) => piece.number));
      for (const key of acked) {
        const [i, n] = key.split(' ').map(Number);
        if (i === index) expect(numbers.has(n!), `acknowledged piece ${key} lost`).toBe(true);
      }
      for (const piece of pieces) {
        const expected = bytesFor(`${task.seed}-${piece.number}`, piece.length);
        const actual = await readAll(await engine.readPiece(task.id, piece.number));
        expectBytes(actual, expected);
        expect(piece.digest).toBe(digestOf(piece.digest, expected));
      }
      stored += pieces.length;
      if (record?.finishedAt !== undefined) {
        finished++;
        const whole = await readFile(engine.contentPath(task.id)!);
        expect(whole.length).toBe(task.size);
        for (const piece of pieces) expectBytes(whole.subarray(piece.offset, piece.offset + piece.length), bytesFor(`${task.seed}-${piece.number}`, piece.length));
      }
    }
  } finally {
    await engine.close();
  }
  return { stored, finished };
}

describe('kill -9 while writing', () => {
  it('never loses an acknowledged piece and never serves an unverified one', async () => {
    const dir = `${work.dir}/store`;
    const next = random(20261122);
    const acked = new Set<string>();
    let midRunKills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate: kill right after start-up / recovery, or after a random number of acknowledgements.
      const killAfter = round % 4 === 0 ? 0 : 1 + Math.floor(next() * 25);
      const result = await runChild(dir, killAfter, Math.floor(next() * 4));
      for (const key of result.acked) acked.add(key);
      if (result.killed && !result.done && result.acked.size > 0) midRunKills++;
      await verify(dir, acked);
      if (result.done) break;
    }
    expect(midRunKills).toBeGreaterThan(3);
    // Let the last run complete; everything must then be finished and whole.
    const last = await runChild(dir, undefined, 0);
    expect(last.done).toBe(true);
    const total = TASKS.reduce((sum, task) => sum + Math.ceil(task.size / task.pieceLength), 0);
    expect(await verify(dir, acked)).toEqual({ stored: total, finished: TASKS.length });
  });
});
