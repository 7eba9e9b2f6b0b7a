import { describe, expect, it } from 'vitest';

import { hostInfo, MiB, World } from '../../../../test/helpers/schedulerKit.js';
import { Fsm } from './Fsm.js';
import { PEER_TRANSITIONS, type PeerEvent, type PeerState } from './Peer.js';
import { Task, TASK_TRANSITIONS, type TaskEvent, type TaskState } from './Task.js';

const PEER_STATES: PeerState[] = ['Pending', 'ReceivedEmpty', 'ReceivedTiny', 'ReceivedSmall', 'ReceivedNormal', 'Running', 'BackToSource', 'Succeeded', 'Failed', 'Leave'];

/** Expected peer transitions (spec 3.1); anything not listed must be refused. */
const PEER_TABLE: Record<PeerEvent, Partial<Record<PeerState, PeerState>>> = {
  RegisterEmpty: { Pending: 'ReceivedEmpty' },
  RegisterTiny: { Pending: 'ReceivedTiny' },
  RegisterSmall: { Pending: 'ReceivedSmall' },
  RegisterNormal: { Pending: 'ReceivedNormal' },
  Download: { ReceivedEmpty: 'Running', ReceivedTiny: 'Running', ReceivedSmall: 'Running', ReceivedNormal: 'Running' },
  DownloadBackToSource: { ReceivedEmpty: 'BackToSource', ReceivedTiny: 'BackToSource', ReceivedSmall: 'BackToSource', ReceivedNormal: 'BackToSource', Running: 'BackToSource' },
  DownloadSucceeded: {
    ReceivedEmpty: 'Succeeded', ReceivedTiny: 'Succeeded', ReceivedSmall: 'Succeeded', ReceivedNormal: 'Succeeded', Running: 'Succeeded', BackToSource: 'Succeeded',
  },
  DownloadFailed: {
    Pending: 'Failed', ReceivedEmpty: 'Failed', ReceivedTiny: 'Failed', ReceivedSmall: 'Failed', ReceivedNormal: 'Failed', Running: 'Failed', BackToSource: 'Failed', Succeeded: 'Failed',
  },
  Leave: Object.fromEntries(PEER_STATES.filter((s) => s !== 'Leave').map((s) => [s, 'Leave'])) as Partial<Record<PeerState, PeerState>>,
};

describe('standard peer FSM', () => {
  const cases = (Object.keys(PEER_TABLE) as PeerEvent[]).flatMap((event) => PEER_STATES.map((from) => ({ event, from, to: PEER_TABLE[event][from] })));
  it.each(cases)('$event from $from -> $to', ({ event, from, to }) => {
    const fsm = new Fsm<PeerState, PeerEvent>(from, PEER_TRANSITIONS);
    if (to === undefined) {
      expect(() => fsm.event(event)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_FAILED_PRECONDITION' }));
      expect(fsm.current).toBe(from);
    } else {
      fsm.event(event);
      expect(fsm.current).toBe(to);
    }
  });
});

const TASK_STATES: TaskState[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Leave'];
const TASK_TABLE: Record<TaskEvent, Partial<Record<TaskState, TaskState>>> = {
  Download: { Pending: 'Running', Succeeded: 'Running', Failed: 'Running', Leave: 'Running' },
  DownloadSucceeded: { Leave: 'Succeeded', Running: 'Succeeded', Failed: 'Succeeded' },
  DownloadFailed: { Running: 'Failed' },
  Leave: { Pending: 'Leave', Running: 'Leave', Succeeded: 'Leave', Failed: 'Leave' },
};

describe('standard task FSM', () => {
  const cases = (Object.keys(TASK_TABLE) as TaskEvent[]).flatMap((event) => TASK_STATES.map((from) => ({ event, from, to: TASK_TABLE[event][from] })));
  it.each(cases)('$event from $from -> $to', ({ event, from, to }) => {
    const fsm = new Fsm<TaskState, TaskEvent>(from, TASK_TRANSITIONS);
    if (to === undefined) expect(() => fsm.event(event)).toThrow(/inappropriate/);
    else {
      fsm.event(event);
      expect(fsm.current).toBe(to);
    }
  });
});

describe('Task.sizeScope', () => {
  it.each([
    { contentLength: -1, pieceLength: 4 * MiB, scope: 'UNKNOW' },
    { contentLength: 0, pieceLength: 4 * MiB, scope: 'EMPTY' },
    { contentLength: 128, pieceLength: 4 * MiB, scope: 'TINY' },
    { contentLength: 129, pieceLength: 4 * MiB, scope: 'SMALL' },
    { contentLength: 4 * MiB, pieceLength: 4 * MiB, scope: 'SMALL' },
    { contentLength: 4 * MiB + 1, pieceLength: 4 * MiB, scope: 'NORMAL' },
  ])('$contentLength bytes -> $scope', ({ contentLength, pieceLength, scope }) => {
    const task = new Task({ id: 'a'.repeat(64), url: 'https://x', filteredQueryParams: [], requestHeader: {}, backToSourceLimit: 200 });
    if (contentLength >= 0) task.setSizes(contentLength, pieceLength, Math.ceil(contentLength / pieceLength));
    expect(task.sizeScope()).toBe(scope);
  });
});

describe('peer FSM side effects on the task', () => {
  it('back-to-source adds to BackToSourcePeers and drops in-edges; success from BackToSource removes it', () => {
    const w = new World();
    const task = w.task();
    const seed = w.peer(task, w.host('seed', { seed: true }), 'BackToSource');
    const child = w.peer(task, w.host('a'), 'Running');
    expect(task.backToSourcePeers.has(seed.id)).toBe(true);
    expect(task.addPeerEdge(seed, child)).toBe(true);
    expect(seed.host.concurrentUploadCount).toBe(1);
    child.fsm.event('DownloadBackToSource');
    expect(task.dag.inDegree(child.id)).toBe(0);
    expect(seed.host.concurrentUploadCount).toBe(0);
    seed.fsm.event('DownloadSucceeded');
    expect(task.backToSourcePeers.has(seed.id)).toBe(false);
  });

  it('an edge charges the parent host and removing the peer releases it exactly', () => {
    const w = new World();
    const task = w.task();
    const parent = w.peer(task, w.host('p', { seed: true }), 'BackToSource');
    const child = w.peer(task, w.host('c'), 'Running', { concurrentPieceCount: 4 });
    task.addPeerEdge(parent, child);
    expect(parent.host).toMatchObject({ concurrentUploadCount: 1, txBandwidth: 4 * MiB * 4 * 8, uploadContentLength: 40 * MiB, concurrentUploadPieceCount: 4 });
    w.resource.removePeer(parent);
    expect(parent.host).toMatchObject({ concurrentUploadCount: 0, txBandwidth: 0, uploadContentLength: 0, concurrentUploadPieceCount: 0 });
    expect(task.dag.inDegree(child.id)).toBe(0);
  });

  it('hosts keep the Dragonfly upload limits', () => {
    const w = new World();
    expect(w.resource.hosts.upsert(hostInfo('n'), '').concurrentUploadLimit).toBe(200);
    expect(w.resource.hosts.upsert(hostInfo('s', { seed: true }), '').concurrentUploadLimit).toBe(2000);
  });

  it("the clusters' load_limit changes the upload limit of known hosts at once, and of hosts announced later", () => {
    const w = new World();
    const normal = w.resource.hosts.upsert(hostInfo('n'), '');
    const seed = w.resource.hosts.upsert(hostInfo('s', { seed: true }), '');
    w.resource.hosts.setUploadLimits(50, 500);
    expect([normal.concurrentUploadLimit, seed.concurrentUploadLimit]).toEqual([50, 500]);
    expect(w.resource.hosts.upsert(hostInfo('n'), '').concurrentUploadLimit).toBe(50); // a re-announce keeps it
    expect(w.resource.hosts.upsert(hostInfo('later'), '').concurrentUploadLimit).toBe(50);
  });
});
