// End-to-end checks of the protocol package against real @grpc/grpc-js servers: the generated
// types, the loader options (camelCase, enum names, uint64 as number, oneof discriminators) and
// the message-size bounds as they behave on the wire.
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  GRPC_MAX_RECEIVE_MESSAGE_BYTES,
  grpcChannelOptions,
  grpcServerOptions,
  loadProtos,
  messageSizeOptions,
  type commonV2,
  type dfdaemonV2,
  type schedulerV2,
} from './index.js';

const MiB = 1024 * 1024;
const TASK_ID = 'a'.repeat(64);
const HOST_ID = '127.0.0.1-child';
const PEER_ID = '127.0.0.1-child-00000000-0000-4000-8000-000000000000';

function bind(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
}

function shutdown(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => server.tryShutdown(() => resolve()));
}

function statTask(
  client: schedulerV2.SchedulerClient,
  request: schedulerV2.StatTaskRequest,
): Promise<commonV2.Task__Output> {
  return new Promise((resolve, reject) =>
    client.StatTask(request, { deadline: Date.now() + 10_000 }, (error, task) =>
      error || !task ? reject(error ?? new Error('no task')) : resolve(task),
    ),
  );
}

const parent: commonV2.Peer = {
  id: '127.0.0.2-seed-11111111-1111-4111-8111-111111111111-seed',
  priority: 'LEVEL6',
  state: 'Succeeded',
  host: { id: '127.0.0.2-seed', type: 1, hostname: 'seed', ip: '127.0.0.2', port: 4000, downloadPort: 4005 },
  task: { id: TASK_ID, type: 'STANDARD', url: 'https://example.com/blob', contentLength: 8 * MiB, pieceCount: 2 },
};

function bigTask(bytes: number): commonV2.Task {
  return { id: TASK_ID, requestHeader: { 'x-filler': 'x'.repeat(bytes) } };
}

describe('Scheduler service over TCP', () => {
  const pkg = loadProtos();
  const server = new grpc.Server(grpcServerOptions());
  const received: schedulerV2.AnnouncePeerRequest__Output[] = [];
  let statTaskCalls = 0;
  let address = '';
  let client: schedulerV2.SchedulerClient;

  const handlers: Pick<schedulerV2.SchedulerHandlers, 'AnnouncePeer' | 'StatTask'> = {
    AnnouncePeer(call) {
      let ended = false;
      const end = () => {
        if (!ended) {
          ended = true;
          call.end();
        }
      };
      call.on('data', (request: schedulerV2.AnnouncePeerRequest__Output) => {
        received.push(request);
        if (request.request === 'registerPeerRequest') {
          call.write({ normalTaskResponse: { candidateParents: [parent] } });
        } else if (request.request === 'downloadPeerFinishedRequest') {
          end();
        }
      });
      call.on('end', end);
    },
    StatTask(call, callback) {
      statTaskCalls++;
      if (call.request.taskId === 'too-big-to-send') {
        callback(null, bigTask(GRPC_MAX_RECEIVE_MESSAGE_BYTES + MiB));
        return;
      }
      callback(null, {
        id: call.request.taskId,
        type: 'STANDARD',
        url: 'https://example.com/blob',
        contentLength: 2 ** 40 + 1,
        pieceCount: 262_145,
        sizeScope: 'NORMAL',
        state: 'Succeeded',
        pieces: [{ number: 0, offset: 0, length: 4 * MiB, digest: 'crc32:1234567890', trafficType: 'REMOTE_PEER' }],
        hasAvailablePeer: true,
      });
    },
  };

  beforeAll(async () => {
    server.addService(pkg.scheduler.v2.Scheduler.service, handlers);
    const port = await bind(server, '127.0.0.1:0');
    address = `127.0.0.1:${port}`;
    client = new pkg.scheduler.v2.Scheduler(address, grpc.credentials.createInsecure(), grpcChannelOptions());
  });

  afterAll(async () => {
    client?.close();
    await shutdown(server);
  });

  it('AnnouncePeer: register -> normal_task_response with a candidate parent -> finished', async () => {
    const stream = client.AnnouncePeer();
    const responses: schedulerV2.AnnouncePeerResponse__Output[] = [];
    const closed = new Promise<grpc.StatusObject>((resolve, reject) => {
      stream.on('data', (response: schedulerV2.AnnouncePeerResponse__Output) => {
        responses.push(response);
        if (response.response === 'normalTaskResponse') {
          stream.write({ hostId: HOST_ID, taskId: TASK_ID, peerId: PEER_ID, downloadPeerFinishedRequest: {} });
          stream.end();
        }
      });
      stream.on('status', resolve);
      stream.on('error', reject);
    });
    stream.write({
      hostId: HOST_ID,
      taskId: TASK_ID,
      peerId: PEER_ID,
      registerPeerRequest: {
        download: {
          url: 'https://example.com/blob?X-Amz-Signature=abc',
          type: 'STANDARD',
          priority: 'LEVEL6',
          filteredQueryParams: ['X-Amz-Signature'],
          requestHeader: { 'user-agent': 'd7y' },
          pieceLength: 4 * MiB,
          timeout: { seconds: 30 },
          actualContentLength: 8 * MiB,
          actualPieceCount: 2,
        },
      },
    });

    const status = await closed;
    expect(status.code).toBe(grpc.status.OK);

    // Scheduler side: camelCase fields, oneof discriminator, enum names, uint64 as number, defaults.
    expect(received.map((r) => r.request)).toEqual(['registerPeerRequest', 'downloadPeerFinishedRequest']);
    const register = received[0];
    expect(register).toMatchObject({ hostId: HOST_ID, taskId: TASK_ID, peerId: PEER_ID });
    const download = register.registerPeerRequest!.download!;
    expect(download.url).toBe('https://example.com/blob?X-Amz-Signature=abc');
    expect(download.priority).toBe('LEVEL6');
    expect(download.type).toBe('STANDARD');
    expect(download.pieceLength).toBe(4 * MiB);
    expect(download.actualContentLength).toBe(8 * MiB);
    expect(download.filteredQueryParams).toEqual(['X-Amz-Signature']);
    expect(download.requestHeader).toEqual({ 'user-agent': 'd7y' });
    expect(download.timeout).toEqual({ seconds: 30, nanos: 0 });
    expect(download.disableBackToSource).toBe(false);
    expect(download.certificateChain).toEqual([]);
    expect(download.outputPath).toBeUndefined(); // proto3 `optional`: absent stays absent
    expect(register.downloadPeerStartedRequest).toBeUndefined();
    expect(received[1].downloadPeerFinishedRequest).toEqual({});

    // Daemon side: the decision and a fully populated candidate parent.
    expect(responses).toHaveLength(1);
    const [response] = responses;
    expect(response.response).toBe('normalTaskResponse');
    expect(response.needBackToSourceResponse).toBeUndefined();
    const [candidate] = response.normalTaskResponse!.candidateParents;
    expect(candidate.id).toBe(parent.id);
    expect(candidate.priority).toBe('LEVEL6');
    expect(candidate.host).toMatchObject({ ip: '127.0.0.2', port: 4000, downloadPort: 4005, type: 1 });
    expect(candidate.task).toMatchObject({ id: TASK_ID, contentLength: 8 * MiB, pieceCount: 2, sizeScope: 'NORMAL' });
    expect(candidate.pieces).toEqual([]);
  });

  it('StatTask: unary round trip with uint64 values beyond 32 bits', async () => {
    const task = await statTask(client, { hostId: HOST_ID, taskId: TASK_ID });
    expect(task.id).toBe(TASK_ID);
    expect(task.contentLength).toBe(2 ** 40 + 1);
    expect(typeof task.contentLength).toBe('number');
    expect(task.type).toBe('STANDARD');
    expect(task.state).toBe('Succeeded');
    expect(task.digest).toBeUndefined();
    expect(task.pieces).toHaveLength(1);
    expect(task.pieces[0]).toMatchObject({
      number: 0,
      offset: 0,
      length: 4 * MiB,
      digest: 'crc32:1234567890',
      trafficType: 'REMOTE_PEER',
    });
  });

  describe('message-size bounds', () => {
    it('the server rejects an inbound message above the limit with RESOURCE_EXHAUSTED', async () => {
      const roomy = new pkg.scheduler.v2.Scheduler(
        address,
        grpc.credentials.createInsecure(),
        grpcChannelOptions({ 'grpc.max_send_message_length': 16 * MiB }),
      );
      try {
        const before = statTaskCalls;
        const error = await statTask(roomy, { hostId: HOST_ID, taskId: 'x'.repeat(GRPC_MAX_RECEIVE_MESSAGE_BYTES + 1) }).catch(
          (e: grpc.ServiceError) => e,
        );
        expect((error as grpc.ServiceError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
        expect(statTaskCalls).toBe(before); // the handler never saw it
      } finally {
        roomy.close();
      }
    });

    it('a client refuses to send a message above the limit with RESOURCE_EXHAUSTED', async () => {
      const error = await statTask(client, { hostId: HOST_ID, taskId: 'x'.repeat(5 * MiB) }).catch(
        (e: grpc.ServiceError) => e,
      );
      expect((error as grpc.ServiceError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    });

    it('the server refuses to send a response above the limit with RESOURCE_EXHAUSTED', async () => {
      const error = await statTask(client, { hostId: HOST_ID, taskId: 'too-big-to-send' }).catch(
        (e: grpc.ServiceError) => e,
      );
      expect((error as grpc.ServiceError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    });

    it('a client rejects an inbound response above the limit with RESOURCE_EXHAUSTED', async () => {
      const generous = new grpc.Server(grpcServerOptions(messageSizeOptions(16 * MiB)));
      generous.addService(pkg.scheduler.v2.Scheduler.service, {
        StatTask: (_call, callback) => callback(null, bigTask(5 * MiB)),
      } satisfies Pick<schedulerV2.SchedulerHandlers, 'StatTask'>);
      const port = await bind(generous, '127.0.0.1:0');
      const strict = new pkg.scheduler.v2.Scheduler(
        `127.0.0.1:${port}`,
        grpc.credentials.createInsecure(),
        grpcChannelOptions(),
      );
      try {
        const error = await statTask(strict, { hostId: HOST_ID, taskId: TASK_ID }).catch((e: grpc.ServiceError) => e);
        expect((error as grpc.ServiceError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      } finally {
        strict.close();
        await shutdown(generous);
      }
    });

    it('messageSizeOptions refuses nonsense limits', () => {
      expect(() => messageSizeOptions(0)).toThrow(RangeError);
      expect(() => messageSizeOptions(1.5)).toThrow(RangeError);
      expect(messageSizeOptions(MiB)).toEqual({
        'grpc.max_receive_message_length': MiB,
        'grpc.max_send_message_length': MiB,
      });
    });
  });
});

describe('DfdaemonDownload service over a Unix socket', () => {
  const pkg = loadProtos();
  const dir = mkdtempSync(join(tmpdir(), 'd7y-uds-'));
  const socket = join(dir, 'dfdaemon.sock');
  const server = new grpc.Server(grpcServerOptions());
  let seen: dfdaemonV2.DownloadTaskRequest__Output | undefined;

  const handlers: Pick<dfdaemonV2.DfdaemonDownloadHandlers, 'DownloadTask'> = {
    DownloadTask(call) {
      seen = call.request;
      const ids = { hostId: '127.0.0.1-local', taskId: TASK_ID, peerId: PEER_ID };
      const pieces: commonV2.Piece[] = [0, 1].map((number) => ({
        number,
        offset: number * 4 * MiB,
        length: 4 * MiB,
        digest: `crc32:${String(1_000_000_000 + number)}`,
      }));
      call.write({
        ...ids,
        downloadTaskStartedResponse: {
          contentLength: 8 * MiB,
          responseHeader: { 'content-type': 'application/octet-stream' },
          pieces,
          isFinished: false,
        },
      });
      for (const piece of pieces) {
        call.write({ ...ids, downloadPieceFinishedResponse: { piece: { ...piece, trafficType: 'REMOTE_PEER', parentId: parent.id } } });
      }
      call.end();
    },
  };

  beforeAll(async () => {
    server.addService(pkg.dfdaemon.v2.DfdaemonDownload.service, handlers);
    await bind(server, `unix:${socket}`);
    chmodSync(socket, 0o600);
  });

  afterAll(async () => {
    await shutdown(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('DownloadTask streams started + one finished response per piece', async () => {
    expect(statSync(socket).isSocket()).toBe(true);
    expect(statSync(socket).mode & 0o777).toBe(0o600);

    const client = new pkg.dfdaemon.v2.DfdaemonDownload(
      `unix:${socket}`,
      grpc.credentials.createInsecure(),
      grpcChannelOptions(),
    );
    try {
      const responses = await new Promise<dfdaemonV2.DownloadTaskResponse__Output[]>((resolve, reject) => {
        const out: dfdaemonV2.DownloadTaskResponse__Output[] = [];
        const stream = client.DownloadTask({
          download: { url: 'https://example.com/blob', outputPath: join(dir, 'out'), priority: 'LEVEL6', forceHardLink: true },
        });
        stream.on('data', (response: dfdaemonV2.DownloadTaskResponse__Output) => out.push(response));
        stream.on('end', () => resolve(out));
        stream.on('error', reject);
      });

      expect(seen?.download).toMatchObject({ outputPath: join(dir, 'out'), forceHardLink: true, priority: 'LEVEL6' });
      expect(responses.map((r) => r.response)).toEqual([
        'downloadTaskStartedResponse',
        'downloadPieceFinishedResponse',
        'downloadPieceFinishedResponse',
      ]);
      const started = responses[0].downloadTaskStartedResponse!;
      expect(responses[0]).toMatchObject({ hostId: '127.0.0.1-local', taskId: TASK_ID, peerId: PEER_ID });
      expect(started.contentLength).toBe(8 * MiB);
      expect(started.isFinished).toBe(false);
      expect(started.responseHeader).toEqual({ 'content-type': 'application/octet-stream' });
      expect(started.pieces.map((p) => p.number)).toEqual([0, 1]);
      expect(started.range).toBeUndefined();
      const second = responses[2].downloadPieceFinishedResponse!.piece!;
      expect(second).toMatchObject({
        number: 1,
        offset: 4 * MiB,
        length: 4 * MiB,
        digest: 'crc32:1000000001',
        trafficType: 'REMOTE_PEER',
        parentId: parent.id,
      });
    } finally {
      client.close();
    }
  });
});
