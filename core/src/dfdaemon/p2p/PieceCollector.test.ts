import { Server, ServerCredentials, type ServerWritableStream } from '@grpc/grpc-js';
import { loadProtos, type commonV2 } from '@d7y/proto';
import { afterEach, describe, expect, it } from 'vitest';

import { silentLogger } from '../../common/logging.js';
import { ByteRateLimiter } from '../../common/rateLimit.js';
import type { StorageEngine } from '../../plugin-api/index.js';
import { PieceCollector } from './PieceCollector.js';
import { TrustedDigests } from './TrustedDigests.js';

/** A parent whose SyncPieces stream stays open and never announces a piece (a parent stuck in its own download). */
async function silentParent(): Promise<{ server: Server; port: number; syncs: () => number }> {
  let syncs = 0;
  const server = new Server();
  server.addService(loadProtos().dfdaemon.v2.DfdaemonUpload.service, {
    SyncPieces: (_call: ServerWritableStream<unknown, unknown>) => void syncs++,
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))));
  return { server, port, syncs: () => syncs };
}

describe('PieceCollector', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.forceShutdown();
  });

  it('after download.collectedPieceTimeout without progress, blocks the silent parents and asks to be rescheduled', async () => {
    const parent = await silentParent();
    servers.push(parent.server);
    const starved: string[][] = [];
    const collector = new PieceCollector({
      taskId: 'a'.repeat(64),
      hostId: 'child-host',
      missing: [{ number: 0, offset: 0, length: 4 }],
      storage: {} as StorageEngine,
      limiter: new ByteRateLimiter(0),
      concurrency: 4,
      pieceTimeoutMs: 10_000,
      collectedPieceTimeoutMs: 300,
      digests: new TrustedDigests(async () => undefined),
      logger: silentLogger(),
      events: { onPiece: () => undefined, onPieceFailed: () => undefined, onStarved: (blocked) => starved.push(blocked) },
    });
    collector.addParents([{ id: 'stuck-parent', host: { ip: '127.0.0.1', port: parent.port, downloadPort: 1, type: 0 } } as unknown as commonV2.Peer__Output]);
    await expect.poll(() => parent.syncs()).toBe(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(starved).toEqual([]); // still within the timeout
    await expect.poll(() => starved.length, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    expect(starved[0]).toEqual(['stuck-parent']);
    expect(collector.blockedParents).toEqual(['stuck-parent']);
    await collector.stop();
  });
});
