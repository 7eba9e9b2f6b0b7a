/**
 * The real Scheduler on 127.0.0.1, driven by real gRPC clients playing peers. The seed peer's
 * DfdaemonUpload is a small real gRPC server in this test: it records the DownloadTask the scheduler
 * triggers, answers with a started response, and then this test plays the seed's own dfdaemon on the
 * scheduler (register -> need_back_to_source -> back-to-source pieces).
 */
import * as grpc from '@grpc/grpc-js';
import { grpcChannelOptions, grpcServerOptions, loadProtos, type commonV2, type dfdaemonV2, type schedulerV2 } from '@d7y/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseConfig } from '../../core/src/config/index.js';
import { hostId, taskId as makeTaskId } from '../../core/src/common/ids.js';
import { silentLogger } from '../../core/src/common/logging.js';
import { Scheduler } from '../../core/src/scheduler/Scheduler.js';
import { freePorts } from '../helpers/ports.js';
import { loadEvaluator, MiB } from '../helpers/schedulerKit.js';

type Req = schedulerV2.AnnouncePeerRequest;
type Res = schedulerV2.AnnouncePeerResponse__Output;

const URL = 'https://origin.example/blobs/layer.tar?X-Amz-Signature=secret';
const FILTERED = ['X-Amz-Signature'];
const TASK = makeTaskId({ url: URL, filteredQueryParams: FILTERED });
const PIECES = 3;
const DIGESTS = ['crc32:1111111111', 'crc32:2222222222', 'crc32:3333333333'];

/** One AnnouncePeer stream as a peer sees it. */
class PeerStream {
  readonly #call: grpc.ClientDuplexStream<Req, Res>;
  readonly #responses: Res[] = [];
  readonly #waiters: Array<() => void> = [];
  readonly status: Promise<grpc.StatusObject>;

  constructor(client: schedulerV2.SchedulerClient, readonly ids: { hostId: string; taskId: string; peerId: string }) {
    this.#call = client.AnnouncePeer();
    this.#call.on('data', (response: Res) => {
      this.#responses.push(response);
      this.#waiters.splice(0).forEach((wake) => wake());
    });
    this.status = new Promise((resolve) => {
      this.#call.on('status', (status: grpc.StatusObject) => {
        resolve(status);
        this.#waiters.splice(0).forEach((wake) => wake());
      });
    });
    this.#call.on('error', () => {});
  }

  send(message: Omit<Req, 'hostId' | 'taskId' | 'peerId'>, ids = this.ids): void {
    this.#call.write({ ...ids, ...message });
  }

  /** The next response (fails the test after `timeoutMs`). */
  async next(timeoutMs = 10_000): Promise<Res> {
    const deadline = Date.now() + timeoutMs;
    while (this.#responses.length === 0) {
      if (Date.now() > deadline) throw new Error('no AnnouncePeer response in time');
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.#responses.shift()!;
  }

  end(): void {
    this.#call.end();
  }
}

function hostMessage(hostname: string, port: number, seed = false): commonV2.Host & { id: string } {
  return {
    id: hostId('127.0.0.1', hostname, seed),
    type: seed ? 1 : 0,
    hostname,
    ip: '127.0.0.1',
    port,
    downloadPort: port + 1,
    network: { idc: 'idc-1', location: 'cn|hz', maxTxBandwidth: 8 * 1024 * MiB },
  };
}

function download(over: Partial<commonV2.Download> = {}): commonV2.Download {
  return {
    url: URL,
    type: 'STANDARD',
    priority: 'LEVEL6',
    filteredQueryParams: FILTERED,
    requestHeader: { 'x-trace': '1' },
    outputPath: '/tmp/never-forwarded',
    actualContentLength: PIECES * 4 * MiB,
    actualPieceLength: 4 * MiB,
    actualPieceCount: PIECES,
    ...over,
  };
}

const piece = (number: number, parentId?: string): commonV2.Piece => ({
  number,
  offset: number * 4 * MiB,
  length: 4 * MiB,
  digest: DIGESTS[number]!,
  parentId,
  cost: { seconds: 0, nanos: 20_000_000 },
});

function unary<T>(fn: (cb: (error: grpc.ServiceError | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value as T))));
}

describe('scheduler over gRPC', () => {
  const protos = loadProtos();
  let scheduler: Scheduler;
  let client: schedulerV2.SchedulerClient;
  let seedServer: grpc.Server;
  let seedPort: number;
  let metricsPort: number;
  const triggered: dfdaemonV2.DownloadTaskRequest__Output[] = [];
  let onTrigger: () => void = () => {};
  const seedHost = () => hostMessage('seed-host', seedPort, true);
  const hostA = () => hostMessage('peer-a', 41000);
  const hostB = () => hostMessage('peer-b', 42000);
  let evaluatorSource = '';

  beforeAll(async () => {
    const [schedulerPort, metrics] = await freePorts(2);
    seedServer = new grpc.Server(grpcServerOptions());
    seedServer.addService(protos.dfdaemon.v2.DfdaemonUpload.service, {
      DownloadTask: (call: grpc.ServerWritableStream<dfdaemonV2.DownloadTaskRequest__Output, dfdaemonV2.DownloadTaskResponse>) => {
        triggered.push(call.request);
        call.write({ hostId: seedHost().id, taskId: TASK, peerId: 'seed-peer', downloadTaskStartedResponse: { contentLength: PIECES * 4 * MiB } });
        call.end();
        onTrigger();
      },
    } as unknown as grpc.UntypedServiceImplementation);
    seedPort = await new Promise<number>((resolve, reject) =>
      seedServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );

    const { config } = parseConfig(
      'scheduler',
      [
        'server:',
        '  listenIP: 127.0.0.1',
        `  port: ${schedulerPort}`,
        'scheduler:',
        // Long enough that the seed registers and reports pieces before the first peer's second attempt.
        '  retryInterval: 2s',
        'metrics:',
        '  enable: true',
        `  addr: 127.0.0.1:${metrics}`,
      ].join('\n'),
      'scheduler.yaml',
    );
    const { evaluator, source } = await loadEvaluator();
    evaluatorSource = source;
    scheduler = new Scheduler(config, undefined, silentLogger(), { evaluator });
    const endpoints = await scheduler.start();
    expect(endpoints.port).toBe(schedulerPort);
    metricsPort = endpoints.metricsPort!;
    client = new protos.scheduler.v2.Scheduler(endpoints.address, grpc.credentials.createInsecure(), grpcChannelOptions());
    for (const host of [seedHost(), hostA(), hostB()]) {
      await unary((cb) => client.AnnounceHost({ host, interval: { seconds: 300 } }, cb));
    }
  });

  afterAll(async () => {
    client?.close();
    await scheduler?.stop(1000);
    seedServer?.forceShutdown();
  });

  it('lists the announced hosts, seeds by type', async () => {
    const all = await unary<schedulerV2.ListHostsResponse__Output>((cb) => client.ListHosts({}, cb));
    expect(all.hosts.map((h) => h.id).sort()).toEqual([hostA().id, hostB().id, seedHost().id].sort());
    const seeds = await unary<schedulerV2.ListHostsResponse__Output>((cb) => client.ListHosts({ type: 1 }, cb));
    expect(seeds.hosts).toMatchObject([{ id: seedHost().id, type: 1, port: seedPort, downloadPort: seedPort + 1 }]);
  });

  it('refuses an unannounced host and a stream that switches to another peer', async () => {
    const ghost = new PeerStream(client, { hostId: hostId('127.0.0.1', 'ghost'), taskId: TASK, peerId: 'ghost-peer' });
    ghost.send({ registerPeerRequest: { download: download() } });
    expect(await ghost.status).toMatchObject({ code: grpc.status.NOT_FOUND });

    const bad = new PeerStream(client, { hostId: hostA().id, taskId: TASK, peerId: 'bad-peer' });
    bad.send({ registerPeerRequest: { download: download({ needBackToSource: true, url: `${URL}&other=1` }) } });
    expect(await bad.status).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/does not match/) });
  });

  it('seed trigger -> seed back-to-source -> first peer gets the seed with trusted digests -> second peer gets both', async () => {
    const seedTriggered = new Promise<void>((resolve) => (onTrigger = resolve));

    // Peer A registers first: no peer has the task, so the scheduler triggers the seed.
    const a = new PeerStream(client, { hostId: hostA().id, taskId: TASK, peerId: 'peer-a-1' });
    a.send({ registerPeerRequest: { download: download() } });
    await seedTriggered;
    expect(triggered).toHaveLength(1);
    const forwarded = triggered[0]!.download!;
    expect(forwarded).toMatchObject({ url: URL, needBackToSource: true, filteredQueryParams: FILTERED, actualContentLength: PIECES * 4 * MiB });
    expect(forwarded.outputPath ?? undefined).toBeUndefined();

    // The seed's dfdaemon registers with the scheduler and is sent to the origin.
    const seed = new PeerStream(client, { hostId: seedHost().id, taskId: TASK, peerId: 'seed-peer' });
    seed.send({ registerPeerRequest: { download: { ...download(), needBackToSource: true, outputPath: undefined } } });
    expect(await seed.next()).toMatchObject({ response: 'needBackToSourceResponse', needBackToSourceResponse: { description: "peer's NeedBackToSource is true" } });
    seed.send({ downloadPeerBackToSourceStartedRequest: {} });
    for (let n = 0; n < PIECES; n++) seed.send({ downloadPieceBackToSourceFinishedRequest: { piece: piece(n) } });

    // Peer A's scheduling loop now finds the seed.
    const answerA = await a.next();
    expect(answerA.response).toBe('normalTaskResponse');
    const parentsA = answerA.normalTaskResponse!.candidateParents;
    expect(parentsA).toHaveLength(1);
    expect(parentsA[0]).toMatchObject({
      id: 'seed-peer',
      state: 'BackToSource',
      host: { id: seedHost().id, type: 1, ip: '127.0.0.1', port: seedPort, downloadPort: seedPort + 1, network: { idc: 'idc-1', location: 'cn|hz' } },
      task: { id: TASK, contentLength: PIECES * 4 * MiB, pieceCount: PIECES },
    });
    expect(parentsA[0]!.task!.pieces.map((p) => [p.number, p.offset, p.length, p.digest])).toEqual(
      DIGESTS.map((digest, n) => [n, n * 4 * MiB, 4 * MiB, digest]),
    );

    // StatTask returns the same trusted pieces; request headers never leave the scheduler.
    const stat = await unary<commonV2.Task__Output>((cb) => client.StatTask({ hostId: hostA().id, taskId: TASK }, cb));
    expect(stat.pieces.map((p) => p.digest)).toEqual(DIGESTS);
    expect(stat).toMatchObject({ state: 'Running', hasAvailablePeer: true, requestHeader: {} });

    // Peer A downloads two pieces from the seed.
    a.send({ downloadPeerStartedRequest: {} });
    a.send({ downloadPieceFinishedRequest: { piece: piece(0, 'seed-peer') } });
    a.send({ downloadPieceFinishedRequest: { piece: piece(1, 'seed-peer') } });
    await new Promise((r) => setTimeout(r, 200));
    const statA = await unary<commonV2.Peer__Output>((cb) => client.StatPeer({ hostId: hostA().id, taskId: TASK, peerId: 'peer-a-1' }, cb));
    expect(statA).toMatchObject({ state: 'Running' });
    expect(statA.pieces.map((p) => p.number)).toEqual([0, 1]);

    // Peer B arrives later: the task is running, so no second seed trigger; it gets both the seed and A.
    const b = new PeerStream(client, { hostId: hostB().id, taskId: TASK, peerId: 'peer-b-1' });
    b.send({ registerPeerRequest: { download: download() } });
    const answerB = await b.next();
    expect(answerB.response).toBe('normalTaskResponse');
    const parentsB = answerB.normalTaskResponse!.candidateParents;
    expect(parentsB.map((p) => p.id).sort()).toEqual(['peer-a-1', 'seed-peer']);
    for (const parent of parentsB) expect(parent.task!.pieces.map((p) => p.digest)).toEqual(DIGESTS);
    expect(parentsB.find((p) => p.id === 'peer-a-1')!.host).toMatchObject({ id: hostA().id, port: 41000, downloadPort: 41001 });
    expect(triggered).toHaveLength(1);

    // B's stream may not speak for A.
    b.send({ downloadPeerStartedRequest: {} }, { hostId: hostA().id, taskId: TASK, peerId: 'peer-a-1' });
    expect(await b.status).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/must match/) });

    // The seed finishes; the scheduler closes its stream with OK and keeps it as a parent.
    seed.send({ downloadPeerBackToSourceFinishedRequest: {} });
    expect(await seed.status).toMatchObject({ code: grpc.status.OK });
    const statSeed = await unary<commonV2.Peer__Output>((cb) => client.StatPeer({ hostId: seedHost().id, taskId: TASK, peerId: 'seed-peer' }, cb));
    expect(statSeed.state).toBe('Succeeded');

    a.send({ downloadPieceFinishedRequest: { piece: piece(2, 'seed-peer') } });
    a.send({ downloadPeerFinishedRequest: {} });
    expect(await a.status).toMatchObject({ code: grpc.status.OK });
  });

  it('serves dragonfly_scheduler_* metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(/dragonfly_scheduler_register_peer_total\{[^}]*\} [1-9]/);
    expect(text).toMatch(/dragonfly_scheduler_announce_host_total [1-9]/);
    expect(text).toMatch(/dragonfly_scheduler_download_piece_finished_total\{traffic_type="back_to_source"\} 3/);
    expect(text).toContain('dragonfly_scheduler_schedule_duration_milliseconds_bucket');
    expect(['plugin', 'inline']).toContain(evaluatorSource);
  });

  it('stays healthy after malformed unary requests', async () => {
    await expect(unary((cb) => client.AnnounceHost({ host: { ...hostA(), id: 'x' } }, cb))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(unary((cb) => client.StatTask({ taskId: 'nothex' }, cb))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(unary((cb) => client.StatPeer({ peerId: 'nobody' }, cb))).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(unary((cb) => client.DeleteHost({ hostId: 'nobody' }, cb))).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    const hosts = await unary<schedulerV2.ListHostsResponse__Output>((cb) => client.ListHosts({}, cb));
    expect(hosts.hosts.length).toBe(3);
  });
});
