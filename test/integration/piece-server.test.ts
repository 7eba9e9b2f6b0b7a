import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { taskId } from '../../core/src/common/ids.js';
import { silentLogger } from '../../core/src/kernel/index.js';
import { PieceServer } from '../../core/src/dfdaemon/upload/PieceServer.js';
import { DiskStorageEngine } from '../../plugins/storage-disk/src/DiskStorageEngine.js';

const MiB = 1024 * 1024;
const id = taskId({ url: 'https://example.com/piece-server' });

async function withServer(options: { rateLimit?: number; concurrencyLimit?: number; disableShared?: boolean }, work: (port: number) => Promise<void>) {
  const server = new PieceServer({ storage, logger: silentLogger, ip: '127.0.0.1', port: 0, rateLimit: 0, concurrencyLimit: 200, disableShared: false, ...options });
  const port = await server.listen();
  try {
    await work(port);
  } finally {
    await server.close();
  }
}

function get(port: number, path: string): Promise<{ status: number; bytes: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - started }));
    })
      .on('error', reject)
      .end();
  });
}

let storage: DiskStorageEngine;

beforeAll(async () => {
  storage = new DiskStorageEngine({ dir: mkdtempSync(join(tmpdir(), 'd7y-ps-')), keep: false } as never);
  await storage.open();
  await storage.putTask({ id, url: 'https://example.com/piece-server', pieceLength: 4 * MiB, contentLength: 12 * MiB, pieceCount: 3 });
  for (let n = 0; n < 3; n++) await storage.writePiece(id, { number: n, offset: n * 4 * MiB, length: 4 * MiB }, Buffer.alloc(4 * MiB, n));
});
afterAll(() => storage.close());

describe('piece server', () => {
  it('serves stored pieces with their digest and refuses hostile requests', async () => {
    await withServer({}, async (port) => {
      expect(await get(port, `/v1/tasks/${id}/pieces/1`)).toMatchObject({ status: 200, bytes: 4 * MiB });
      expect((await get(port, `/v1/tasks/${id}/pieces/3`)).status).toBe(400);
      expect((await get(port, `/v1/tasks/${id}/pieces/01`)).status).toBe(400);
      expect((await get(port, `/v1/tasks/${'f'.repeat(64)}/pieces/0`)).status).toBe(404);
      expect((await get(port, `/v1/tasks/../../etc/passwd/pieces/0`)).status).toBe(404);
      expect((await get(port, `/`)).status).toBe(404);
    });
  });

  it('upload.disableShared serves nothing', async () => {
    await withServer({ disableShared: true }, async (port) => {
      expect((await get(port, `/v1/tasks/${id}/pieces/0`)).status).toBe(403);
    });
  });

  it('upload.rateLimit paces the bytes served', async () => {
    await withServer({ rateLimit: 4 * MiB }, async (port) => {
      const results = await Promise.all([0, 1, 2].map((n) => get(port, `/v1/tasks/${id}/pieces/${n}`)));
      // 12 MiB at 4 MiB/s with a one-second (4 MiB) burst: at least ~2 s in total.
      expect(Math.max(...results.map((r) => r.ms))).toBeGreaterThan(1800);
      expect(results.every((r) => r.bytes === 4 * MiB)).toBe(true);
    });
  });

  it('answers 503 above the upload concurrency limit', async () => {
    await withServer({ concurrencyLimit: 1, rateLimit: 2 * MiB }, async (port) => {
      const slow = get(port, `/v1/tasks/${id}/pieces/0`);
      await new Promise((r) => setTimeout(r, 100));
      expect((await get(port, `/v1/tasks/${id}/pieces/1`)).status).toBe(503);
      expect((await slow).status).toBe(200);
    });
  });
});
