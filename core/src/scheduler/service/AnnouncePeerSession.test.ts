import { EventEmitter } from 'node:events';

import { Metadata, type ServerDuplexStream } from '@grpc/grpc-js';
import type { schedulerV2 } from '@d7y/proto';
import { describe, expect, it } from 'vitest';

import { inlineEvaluator, MiB, World } from '../../../../test/helpers/schedulerKit.js';
import { taskId as makeTaskId } from '../../common/ids.js';
import { silentLogger } from '../../common/logging.js';
import { SchedulerMetrics } from '../metrics/SchedulerMetrics.js';
import type { Host } from '../resource/Host.js';
import { Scheduling } from '../scheduling/Scheduling.js';
import type { SeedPeer } from '../seedpeer/SeedPeer.js';
import { AnnouncePeerSession } from './AnnouncePeerSession.js';
import type { ServiceContext } from './ServiceContext.js';

type Req = schedulerV2.AnnouncePeerRequest__Output;
type Res = schedulerV2.AnnouncePeerResponse;

/** A stand-in for grpc-js's ServerDuplexStream: records writes, the end and the error status. */
class FakeCall extends EventEmitter {
  readonly written: Res[] = [];
  readonly metadata = new Metadata();
  ended = false;
  error: { code?: number; details?: string } | undefined;
  constructor(private readonly peerAddress = '127.0.0.1:40000') {
    super();
    this.on('error', (error: { code?: number; details?: string }) => {
      this.error = error;
      this.ended = true;
    });
  }
  getPeer(): string {
    return this.peerAddress;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  write(message: Res): boolean {
    this.written.push(message);
    return true;
  }
  end(): void {
    this.ended = true;
  }
}

const URL_A = 'https://origin.example/a.bin';
const TASK_A = makeTaskId({ url: URL_A });

function context(world: World, triggered: string[] = []): ServiceContext {
  const seedPeer = {
    trigger: (task: { id: string }) => {
      if (!world.resource.hosts.seeds().length) return false;
      triggered.push(task.id);
      return true;
    },
  } as unknown as SeedPeer;
  return {
    resource: world.resource,
    scheduling: new Scheduling(inlineEvaluator, { retryLimit: 5, retryBackToSourceLimit: 4, retryIntervalMs: 1, candidateParentLimit: 3, filterParentLimit: 15 }, silentLogger(), async () => {}),
    seedPeer,
    metrics: new SchedulerMetrics('test', { defaultMetrics: false }),
    logger: silentLogger(),
    settings: {
      backToSourceCount: 200,
      filterParentLimit: 15,
      streamIdleTimeoutMs: 60_000,
      registerTimeoutMs: 60_000,
      bindHostToSourceAddress: true,
      registerDelay: false,
    },
    sleep: async () => {},
    activeStreams: 0,
  };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

function open(ctx: ServiceContext, address?: string): FakeCall {
  const call = new FakeCall(address);
  ctx.activeStreams++;
  new AnnouncePeerSession(call as unknown as ServerDuplexStream<Req, Res>, ctx).start();
  return call;
}

async function send(call: FakeCall, message: Partial<Req>): Promise<void> {
  call.emit('data', message as Req);
  await settle();
}

function register(host: Host, peerId: string, over: Record<string, unknown> = {}, taskId = TASK_A): Partial<Req> {
  return {
    hostId: host.id,
    taskId,
    peerId,
    request: 'registerPeerRequest',
    registerPeerRequest: {
      download: {
        url: URL_A,
        type: 'STANDARD',
        priority: 'LEVEL6',
        filteredQueryParams: [],
        requestHeader: {},
        actualContentLength: 10 * 4 * MiB,
        actualPieceLength: 4 * MiB,
        actualPieceCount: 10,
        ...over,
      },
    } as unknown as Req['registerPeerRequest'],
  };
}

const ids = (host: Host, peerId: string, taskId = TASK_A) => ({ hostId: host.id, taskId, peerId });
const piece = (number: number, digest: string, parentId?: string) => ({
  number,
  offset: number * 4 * MiB,
  length: 4 * MiB,
  digest,
  parentId,
  cost: { seconds: 0, nanos: 5_000_000 },
});

/** A seed that registered, started back-to-source and reported pieces 0..n-1 with digests crc32:<n>. */
async function seedWithPieces(ctx: ServiceContext, world: World, pieces: number): Promise<{ call: FakeCall; host: Host }> {
  const host = world.host('seed', { seed: true });
  const call = open(ctx);
  await send(call, register(host, 'seed-peer'));
  expect(call.written[0]).toEqual({ needBackToSourceResponse: { description: "peer's NeedBackToSource is true" } });
  await send(call, { ...ids(host, 'seed-peer'), request: 'downloadPeerBackToSourceStartedRequest', downloadPeerBackToSourceStartedRequest: {} });
  for (let n = 0; n < pieces; n++) {
    await send(call, { ...ids(host, 'seed-peer'), request: 'downloadPieceBackToSourceFinishedRequest', downloadPieceBackToSourceFinishedRequest: { piece: piece(n, `crc32:${n + 100}`) as never } });
  }
  return { call, host };
}

describe('AnnouncePeer stream binding', () => {
  it('the first message must be register_peer_request', async () => {
    const world = new World();
    const host = world.host('a');
    const call = open(context(world));
    await send(call, { ...ids(host, 'p1'), request: 'downloadPeerStartedRequest', downloadPeerStartedRequest: {} });
    expect(call.error).toMatchObject({ code: 3, details: expect.stringMatching(/first message/) });
  });

  it('an unannounced host is NOT_FOUND', async () => {
    const world = new World();
    const ghost = world.host('ghost');
    world.resource.hosts.delete(ghost.id);
    const call = open(context(world));
    await send(call, register(ghost, 'p1'));
    expect(call.error).toMatchObject({ code: 5, details: expect.stringMatching(/not found/) });
  });

  it.each([
    { name: 'a task id that is not hex', taskId: 'ABC', pattern: /task_id/ },
    { name: 'a task id of another download', taskId: makeTaskId({ url: 'https://origin.example/b.bin' }), pattern: /does not match/ },
  ])('refuses $name', async ({ taskId, pattern }) => {
    const world = new World();
    const host = world.host('a');
    const call = open(context(world));
    await send(call, register(host, 'p1', {}, taskId));
    expect(call.error).toMatchObject({ code: 3, details: expect.stringMatching(pattern) });
  });

  it('a later message with another peer id ends the stream, and the peer leaves', async () => {
    const world = new World();
    const ctx = context(world);
    const host = world.host('seed', { seed: true });
    const call = open(ctx);
    await send(call, register(host, 'p1'));
    expect(call.written).toHaveLength(1);
    await send(call, { ...ids(host, 'someone-else'), request: 'downloadPeerBackToSourceStartedRequest', downloadPeerBackToSourceStartedRequest: {} });
    expect(call.error).toMatchObject({ code: 3, details: expect.stringMatching(/must match/) });
    expect(world.resource.peers.get('p1')?.state).toBe('Leave');
  });

  it('a second register on one stream is refused', async () => {
    const world = new World();
    const host = world.host('seed', { seed: true });
    const call = open(context(world));
    await send(call, register(host, 'p1'));
    await send(call, register(host, 'p1'));
    expect(call.error).toMatchObject({ code: 3, details: expect.stringMatching(/only once/) });
  });

  it('a host announced from another address cannot register peers', async () => {
    const world = new World();
    const host = world.host('a');
    host.observedIp = '10.0.0.9';
    const call = open(context(world), '10.0.0.66:5000');
    await send(call, register(host, 'p1'));
    expect(call.error).toMatchObject({ code: 7 });
  });

  it('a peer id already registered is refused', async () => {
    const world = new World();
    const ctx = context(world);
    const host = world.host('seed', { seed: true });
    await send(open(ctx), register(host, 'p1'));
    const second = open(ctx);
    await send(second, register(host, 'p1'));
    expect(second.error).toMatchObject({ code: 6 });
  });
});

describe('registration decisions (spec 4.2)', () => {
  it('the first normal peer triggers a seed peer once; the task is Running', async () => {
    const world = new World();
    const triggered: string[] = [];
    const ctx = context(world, triggered);
    world.host('seed', { seed: true });
    const a = world.host('a');
    const b = world.host('b');
    const callA = open(ctx);
    await send(callA, register(a, 'pa'));
    const callB = open(ctx);
    await send(callB, register(b, 'pb'));
    expect(triggered).toEqual([TASK_A]);
    expect(world.resource.tasks.get(TASK_A)?.state).toBe('Running');
    // Nobody can serve yet: after retryBackToSourceLimit attempts both go back-to-source.
    expect(callA.written).toEqual([{ needBackToSourceResponse: { description: 'scheduling exceeded RetryBackToSourceLimit' } }]);
  });

  it.each([
    { priority: 'LEVEL1', code: 9 },
    { priority: 'LEVEL2', code: 5 },
  ])('$priority on a first download ends with code $code', async ({ priority, code }) => {
    const world = new World();
    const host = world.host('a');
    const call = open(context(world));
    await send(call, register(host, 'p1', { priority }));
    expect(call.error).toMatchObject({ code });
  });

  it.each([
    { name: 'LEVEL3', over: { priority: 'LEVEL3' }, seeds: true },
    { name: 'need_back_to_source', over: { needBackToSource: true }, seeds: true },
    { name: 'no seed host', over: {}, seeds: false },
  ])('$name -> need_back_to_source_response at once', async ({ over, seeds }) => {
    const world = new World();
    const triggered: string[] = [];
    if (seeds) world.host('seed', { seed: true });
    const host = world.host('a');
    const call = open(context(world, triggered));
    await send(call, register(host, 'p1', over));
    expect(call.written).toEqual([{ needBackToSourceResponse: { description: "peer's NeedBackToSource is true" } }]);
    expect(triggered).toEqual([]);
  });

  it('an empty task gets empty_task_response', async () => {
    const world = new World();
    const host = world.host('a');
    const call = open(context(world));
    await send(call, register(host, 'p1', { actualContentLength: 0, actualPieceCount: 0 }));
    expect(call.written).toEqual([{ emptyTaskResponse: {} }]);
    await send(call, { ...ids(host, 'p1'), request: 'downloadPeerStartedRequest', downloadPeerStartedRequest: {} });
    await send(call, { ...ids(host, 'p1'), request: 'downloadPeerFinishedRequest', downloadPeerFinishedRequest: {} });
    expect(call.ended).toBe(true);
    expect(world.resource.peers.get('p1')?.state).toBe('Succeeded');
  });

  it('a peer that downloaded only a range is Succeeded but does not complete the task; a whole download does', async () => {
    const world = new World();
    const host = world.host('a', {});
    const ctx = context(world);
    const ranged = open(ctx);
    // 40 MiB task; the range covers pieces 0 and 1 only.
    await send(ranged, register(host, 'ranged', { needBackToSource: true, range: { start: 0, length: 5 * MiB } }));
    await send(ranged, { ...ids(host, 'ranged'), request: 'downloadPeerBackToSourceStartedRequest', downloadPeerBackToSourceStartedRequest: {} });
    for (const n of [0, 1]) {
      await send(ranged, { ...ids(host, 'ranged'), request: 'downloadPieceBackToSourceFinishedRequest', downloadPieceBackToSourceFinishedRequest: { piece: piece(n, `crc32:${n}`) as never } });
    }
    await send(ranged, { ...ids(host, 'ranged'), request: 'downloadPeerBackToSourceFinishedRequest', downloadPeerBackToSourceFinishedRequest: {} });
    const task = world.resource.tasks.get(TASK_A)!;
    expect(world.resource.peers.get('ranged')?.state).toBe('Succeeded');
    expect(task.fsm.current).not.toBe('Succeeded');
    expect(world.resource.peers.get('ranged')?.holdsWholeTask()).toBe(false);

    const other = world.host('b', {});
    const whole = open(ctx);
    await send(whole, register(other, 'whole', { needBackToSource: true, range: { start: 0, length: 10 * 4 * MiB } }));
    await send(whole, { ...ids(other, 'whole'), request: 'downloadPeerBackToSourceStartedRequest', downloadPeerBackToSourceStartedRequest: {} });
    await send(whole, { ...ids(other, 'whole'), request: 'downloadPeerBackToSourceFinishedRequest', downloadPeerBackToSourceFinishedRequest: {} });
    expect(task.fsm.current).toBe('Succeeded');
  });

  it('a piece count that contradicts the sizes is refused', async () => {
    const world = new World();
    const host = world.host('a');
    const call = open(context(world));
    await send(call, register(host, 'p1', { actualPieceCount: 11 }));
    expect(call.error).toMatchObject({ code: 3, details: expect.stringMatching(/actual_piece_count/) });
  });
});

describe('trusted piece digests', () => {
  it('are recorded from the sanctioned back-to-source peer; conflicts are ignored', async () => {
    const world = new World();
    const ctx = context(world);
    const { call, host } = await seedWithPieces(ctx, world, 3);
    const task = world.resource.tasks.get(TASK_A)!;
    expect(task.trustedPieces.list().map((p) => p.digest)).toEqual(['crc32:100', 'crc32:101', 'crc32:102']);
    await send(call, { ...ids(host, 'seed-peer'), request: 'downloadPieceBackToSourceFinishedRequest', downloadPieceBackToSourceFinishedRequest: { piece: piece(1, 'crc32:666') as never } });
    expect(task.trustedPieces.get(1)?.digest).toBe('crc32:101');
    expect(call.error).toBeUndefined();
  });

  it('back-to-source reports of a peer the scheduler did not send to the source are not trusted', async () => {
    const world = new World();
    const ctx = context(world);
    await seedWithPieces(ctx, world, 1);
    const a = world.host('a');
    const call = open(ctx);
    await send(call, register(a, 'pa'));
    expect(call.written[0]?.normalTaskResponse?.candidateParents?.[0]?.id).toBe('seed-peer');
    await send(call, { ...ids(a, 'pa'), request: 'downloadPeerBackToSourceStartedRequest', downloadPeerBackToSourceStartedRequest: {} });
    await send(call, { ...ids(a, 'pa'), request: 'downloadPieceBackToSourceFinishedRequest', downloadPieceBackToSourceFinishedRequest: { piece: piece(5, 'crc32:5') as never } });
    const task = world.resource.tasks.get(TASK_A)!;
    expect(task.trustedPieces.get(5)).toBeUndefined();
    expect(world.resource.peers.get('pa')!.finishedPieces.has(5)).toBe(true);
  });

  it('candidate parents carry the task with the trusted pieces', async () => {
    const world = new World();
    const ctx = context(world);
    await seedWithPieces(ctx, world, 2);
    const a = world.host('a');
    const call = open(ctx);
    await send(call, register(a, 'pa'));
    const parent = call.written[0]?.normalTaskResponse?.candidateParents?.[0];
    expect(parent).toMatchObject({
      id: 'seed-peer',
      state: 'BackToSource',
      host: { id: world.resource.hosts.seeds()[0]!.id, type: 1, ip: '127.0.0.1', port: 4000, downloadPort: 4005 },
      task: { id: TASK_A, contentLength: 40 * MiB, pieceCount: 10 },
    });
    expect(parent?.task?.pieces?.map((p) => [p.number, p.digest])).toEqual([
      [0, 'crc32:100'],
      [1, 'crc32:101'],
    ]);
  });

  it('a peer-to-peer report that contradicts a trusted digest is ignored and blocks that parent', async () => {
    const world = new World();
    const ctx = context(world);
    const { host: seedHost } = await seedWithPieces(ctx, world, 2);
    const a = world.host('a');
    const call = open(ctx);
    await send(call, register(a, 'pa'));
    await send(call, { ...ids(a, 'pa'), request: 'downloadPeerStartedRequest', downloadPeerStartedRequest: {} });
    await send(call, { ...ids(a, 'pa'), request: 'downloadPieceFinishedRequest', downloadPieceFinishedRequest: { piece: piece(0, 'crc32:100', 'seed-peer') as never } });
    await send(call, { ...ids(a, 'pa'), request: 'downloadPieceFinishedRequest', downloadPieceFinishedRequest: { piece: piece(1, 'crc32:999', 'seed-peer') as never } });
    const peer = world.resource.peers.get('pa')!;
    expect([...peer.finishedPieces]).toEqual([0]);
    expect(peer.blockParents.has('seed-peer')).toBe(true);
    expect(seedHost).toMatchObject({ uploadCount: 1, uploadFailedCount: 1 });
    expect(call.error).toBeUndefined();
  });
});

describe('bounds and piece events', () => {
  it('a piece number beyond the piece count is INVALID_ARGUMENT', async () => {
    const world = new World();
    const ctx = context(world);
    const { call, host } = await seedWithPieces(ctx, world, 0);
    await send(call, { ...ids(host, 'seed-peer'), request: 'downloadPieceBackToSourceFinishedRequest', downloadPieceBackToSourceFinishedRequest: { piece: { ...piece(10, 'crc32:1'), number: 10 } as never } });
    expect(call.error).toMatchObject({ code: 3, details: expect.stringMatching(/below 10/) });
  });

  it.each([
    { name: 'wrong offset', p: { ...piece(1, 'crc32:1'), offset: 7 } },
    { name: 'overflowing length', p: { ...piece(1, 'crc32:1'), length: 2 ** 40 } },
    { name: 'negative cost', p: { ...piece(1, 'crc32:1'), cost: { seconds: -1, nanos: 0 } } },
    { name: 'malformed digest', p: piece(1, 'md5:zz') },
    { name: 'missing piece', p: undefined },
  ])('a piece with $name is INVALID_ARGUMENT', async ({ p }) => {
    const world = new World();
    const ctx = context(world);
    const { call, host } = await seedWithPieces(ctx, world, 0);
    await send(call, { ...ids(host, 'seed-peer'), request: 'downloadPieceBackToSourceFinishedRequest', downloadPieceBackToSourceFinishedRequest: { piece: p as never } });
    expect(call.error).toMatchObject({ code: 3 });
  });

  it('reschedule lists at most filter_parent_limit parents', async () => {
    const world = new World();
    const ctx = context(world);
    const { call, host } = await seedWithPieces(ctx, world, 0);
    const parents = Array.from({ length: 16 }, (_, i) => ({ id: `x${i}` }));
    await send(call, { ...ids(host, 'seed-peer'), request: 'reschedulePeerRequest', reschedulePeerRequest: { candidateParents: parents as never, description: 'x' } });
    expect(call.error).toMatchObject({ code: 3, details: expect.stringMatching(/more than 15/) });
  });

  it('reschedule blocks the listed parents and answers again', async () => {
    const world = new World();
    const ctx = context(world);
    await seedWithPieces(ctx, world, 1);
    const a = world.host('a');
    const call = open(ctx);
    await send(call, register(a, 'pa'));
    await send(call, { ...ids(a, 'pa'), request: 'downloadPeerStartedRequest', downloadPeerStartedRequest: {} });
    await send(call, { ...ids(a, 'pa'), request: 'reschedulePeerRequest', reschedulePeerRequest: { candidateParents: [{ id: 'seed-peer' }] as never } });
    expect(call.written[1]).toEqual({ needBackToSourceResponse: { description: 'scheduling exceeded RetryBackToSourceLimit' } });
  });

  it('temporary piece failures block the parent; only assigned parents are charged, once (C05)', async () => {
    const world = new World();
    const ctx = context(world);
    const { host: seedHost } = await seedWithPieces(ctx, world, 1);
    const a = world.host('a');
    const call = open(ctx);
    await send(call, register(a, 'pa'));
    expect(call.written[0]!.normalTaskResponse!.candidateParents!.map((p) => p.id)).toEqual(['seed-peer']);
    // A peer that was never offered to this child.
    const other = world.host('other', { seed: true });
    world.peer(world.resource.tasks.get(TASK_A)!, other, 'BackToSource', { id: 'never-assigned' });
    for (const parentId of ['seed-peer', 'seed-peer', 'never-assigned']) {
      await send(call, { ...ids(a, 'pa'), request: 'downloadPieceFailedRequest', downloadPieceFailedRequest: { pieceNumber: 0, parentId, temporary: true } });
    }
    const peer = world.resource.peers.get('pa')!;
    expect(peer.blockParents.has('seed-peer')).toBe(true);
    expect(peer.blockParents.has('never-assigned')).toBe(true);
    expect(seedHost.uploadFailedCount).toBe(1);
    expect(other.uploadFailedCount).toBe(0);
    expect(call.error).toBeUndefined();
  });

  it('a non-temporary piece failure ends the stream with FAILED_PRECONDITION', async () => {
    const world = new World();
    const ctx = context(world);
    await seedWithPieces(ctx, world, 1);
    const a = world.host('a');
    const call = open(ctx);
    await send(call, register(a, 'pa'));
    await send(call, { ...ids(a, 'pa'), request: 'downloadPieceFailedRequest', downloadPieceFailedRequest: { parentId: 'seed-peer', temporary: false } });
    expect(call.error).toMatchObject({ code: 9 });
  });

  it('finished closes the stream and keeps the peer; a failed back-to-source resets the task', async () => {
    const world = new World();
    const ctx = context(world);
    const { call, host } = await seedWithPieces(ctx, world, 1);
    await send(call, { ...ids(host, 'seed-peer'), request: 'downloadPeerBackToSourceFailedRequest', downloadPeerBackToSourceFailedRequest: { description: 'origin 500' } });
    expect(call.ended).toBe(true);
    const task = world.resource.tasks.get(TASK_A)!;
    expect(task).toMatchObject({ contentLength: -1, pieceCount: 0 });
    expect(task.state).toBe('Failed');
    expect(task.isSeedPeerFailed()).toBe(true);
    expect(world.resource.peers.get('seed-peer')?.state).toBe('Leave');
  });

  it('a stream that ends without finished makes the peer leave; finished keeps it Succeeded', async () => {
    const world = new World();
    const ctx = context(world);
    const { call, host } = await seedWithPieces(ctx, world, 10);
    await send(call, { ...ids(host, 'seed-peer'), request: 'downloadPeerBackToSourceFinishedRequest', downloadPeerBackToSourceFinishedRequest: {} });
    expect(call.ended).toBe(true);
    expect(world.resource.peers.get('seed-peer')?.state).toBe('Succeeded');
    expect(world.resource.tasks.get(TASK_A)?.state).toBe('Succeeded');

    const a = world.host('a');
    const other = open(ctx);
    await send(other, register(a, 'pa'));
    other.emit('end');
    await settle();
    expect(world.resource.peers.get('pa')?.state).toBe('Leave');
  });

  it('more than 100 reschedules on one stream is RESOURCE_EXHAUSTED', async () => {
    const world = new World();
    const ctx = context(world);
    const { call, host } = await seedWithPieces(ctx, world, 0);
    for (let i = 0; i <= 100 && !call.error; i++) {
      await send(call, { ...ids(host, 'seed-peer'), request: 'reschedulePeerRequest', reschedulePeerRequest: { candidateParents: [] } });
    }
    expect(call.error).toMatchObject({ code: 8 });
  });
});
