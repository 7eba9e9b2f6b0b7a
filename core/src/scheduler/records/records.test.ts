import { request } from 'node:http';

import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { inlineEvaluator, World } from '../../../../test/helpers/schedulerKit.js';
import { silentLogger } from '../../common/logging.js';
import type { EvaluatorPeer } from '../../plugin-api/scheduling/Evaluator.js';
import { PARENT_FEATURE_NAMES, parentFeatures } from '../../plugin-api/scheduling/features.js';
import { serveMetrics } from '../metrics/metricsServer.js';
import { peerView } from '../resource/views.js';
import { Scheduling } from '../scheduling/Scheduling.js';
import { DownloadRecorder, MAX_ASSIGNMENTS_PER_CHILD } from './DownloadRecorder.js';
import { parseRecords } from './parseRecords.js';
import { Ring } from './Ring.js';
import { RECORDED_PIECE_COSTS } from './types.js';

const view = (id: string, over: Partial<EvaluatorPeer> = {}): EvaluatorPeer => {
  const w = new World();
  return { ...peerView(w.peer(w.task(), w.host(id), 'Running', { id })), ...over };
};

describe('Ring', () => {
  it('never holds more than its capacity; the oldest entries go first and are counted', () => {
    const ring = new Ring<number>(3);
    for (let i = 1; i <= 10; i++) ring.push(i);
    expect([...ring]).toEqual([8, 9, 10]);
    expect(ring.size).toBe(3);
    expect(ring.dropped).toBe(7);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new Ring(0)).toThrow(/capacity must be an integer >= 1/);
  });
});

describe('DownloadRecorder', () => {
  it('links each piece to the decision and the features its parent had when chosen', () => {
    const recorder = new DownloadRecorder({ decisionCapacity: 10, pieceCapacity: 10, now: () => 1000 });
    const child = view('child', { state: 'ReceivedNormal' });
    const fast = view('fast', { finishedPieceCount: 8 });
    const slow = view('slow');
    const key = {};
    recorder.decided(key, 'task', child, [fast, slow], ['fast'], 10);
    recorder.pieceFinished(key, 'task', 'child', 'fast', 4096, 8);
    recorder.pieceFailed(key, 'task', 'child', 'fast');
    recorder.pieceFinished(key, 'task', 'child', 'slow', 4096, 80); // never assigned: not recorded
    recorder.pieceFinished({}, 'task', 'other', 'fast', 4096, 8); // another child: not recorded
    const pieces = [...recorder.pieces];
    expect(pieces).toHaveLength(2);
    expect(pieces[0]).toMatchObject({ decisionId: 1, parentId: 'fast', bytes: 4096, costMs: 8, success: true, features: parentFeatures(fast, child, 10) });
    expect(pieces[1]).toMatchObject({ parentId: 'fast', bytes: 0, costMs: 0, success: false });
    expect([...recorder.decisions][0]).toMatchObject({ id: 1, taskId: 'task', chosen: ['fast'], totalPieceCount: 10 });
  });

  it('stays bounded: decisions, pieces, piece costs per view and assignments per child', () => {
    const recorder = new DownloadRecorder({ decisionCapacity: 5, pieceCapacity: 7 });
    const child = view('child');
    const key = {};
    const costs = Array.from({ length: 500 }, (_, i) => i);
    for (let i = 0; i < 200; i++) {
      recorder.decided(key, 'task', child, [view(`p${i}`, { pieceCosts: costs })], [`p${i}`], 10);
      recorder.pieceFinished(key, 'task', 'child', `p${i}`, 1, 1);
    }
    expect(recorder.decisions.size).toBe(5);
    expect(recorder.pieces.size).toBe(7);
    expect([...recorder.decisions].every((d) => d.candidates[0].pieceCosts.length === RECORDED_PIECE_COSTS)).toBe(true);
    // the oldest assignments were forgotten
    recorder.pieceFinished(key, 'task', 'child', 'p0', 1, 1);
    expect([...recorder.pieces].at(-1)?.parentId).toBe('p199');
    recorder.pieceFinished(key, 'task', 'child', `p${200 - MAX_ASSIGNMENTS_PER_CHILD}`, 1, 1);
    expect([...recorder.pieces].at(-1)?.parentId).toBe(`p${200 - MAX_ASSIGNMENTS_PER_CHILD}`);
    const header = parseRecords(recorder.toNdjson()).header;
    expect(header.dropped).toEqual({ decisions: 195, pieces: 194 });
  });

  it('round-trips through NDJSON with a header naming the feature order', () => {
    const recorder = new DownloadRecorder({ decisionCapacity: 10, pieceCapacity: 10 });
    const key = {};
    recorder.decided(key, 't', view('c'), [view('p')], ['p'], 4);
    recorder.pieceFinished(key, 't', 'c', 'p', 100, 5);
    const parsed = parseRecords(recorder.toNdjson());
    expect(parsed.header.features).toEqual(PARENT_FEATURE_NAMES);
    expect(parsed.decisions).toHaveLength(1);
    expect(parsed.pieces[0]).toMatchObject({ parentId: 'p', bytes: 100, costMs: 5 });
  });

  it('parseRecords names the file and line of bad input', () => {
    expect(() => parseRecords('{"type":"piece"}\n', 'r.ndjson')).toThrow(/r.ndjson:1: expected a d7y-download-records header/);
    const header = new DownloadRecorder({ decisionCapacity: 1, pieceCapacity: 1 }).toNdjson();
    expect(() => parseRecords(`${header}{"type":"piece","features":[1],"bytes":1,"costMs":1}\n`, 'r.ndjson')).toThrow(/r.ndjson:2: piece record needs 16 features/);
    expect(() => parseRecords(`${header}{oops\n`, 'r.ndjson')).toThrow(/r.ndjson:2: not JSON/);
  });
});

describe('records from the real scheduling loop and the metrics server', () => {
  it('a decision of Scheduling is recorded with every ranked candidate and the chosen parents', async () => {
    const w = new World();
    const task = w.task();
    const child = w.peer(task, w.host('child'), 'ReceivedNormal');
    const seed = w.peer(task, w.host('seed', { seed: true }), 'Succeeded');
    task.addPeerEdge(seed, child);
    const parents = [1, 2, 3, 4].map((i) => w.peer(task, w.host(`p${i}`), 'Succeeded'));
    const recorder = new DownloadRecorder({ decisionCapacity: 10, pieceCapacity: 10 });
    const observer = { decided: (peer: typeof child, c: EvaluatorPeer, ranked: readonly EvaluatorPeer[], chosen: readonly string[]) => recorder.decided(peer, task.id, c, ranked, chosen, task.pieceCount) };
    const s = new Scheduling(inlineEvaluator, { retryLimit: 5, retryBackToSourceLimit: 4, retryIntervalMs: 1, candidateParentLimit: 3, filterParentLimit: 15 }, silentLogger(), async () => {}, Date.now, observer);
    const decision = await s.scheduleCandidateParents(child);
    expect(decision.kind).toBe('normal');
    const [record] = [...recorder.decisions];
    expect(record.candidates.map((c) => c.id).sort()).toEqual([seed.id, ...parents.map((p) => p.id)].sort());
    expect(record.chosen).toEqual(decision.kind === 'normal' ? decision.parents.map((p) => p.id) : []);
    recorder.pieceFinished(child, task.id, child.id, record.chosen[0], 10, 1);
    expect(recorder.pieces.size).toBe(1);
  });

  it('GET /records on the metrics port serves the NDJSON export', async () => {
    const recorder = new DownloadRecorder({ decisionCapacity: 1, pieceCapacity: 1 });
    const { server, port } = await serveMetrics('127.0.0.1:0', new Registry(), { '/records': () => recorder.toNdjson() });
    try {
      const { status, type, body } = await new Promise<{ status?: number; type?: string; body: string }>((resolve, reject) => {
        request(`http://127.0.0.1:${port}/records`, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body }));
        }).on('error', reject).end();
      });
      expect(status).toBe(200);
      expect(type).toBe('application/x-ndjson');
      expect(parseRecords(body).header.format).toBe('d7y-download-records');
    } finally {
      server.close();
    }
  });
});
