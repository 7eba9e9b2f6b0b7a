import { describe, expect, it } from 'vitest';

import { World } from '../../../../test/helpers/schedulerKit.js';
import type { Evaluator, EvaluatorPeer } from '../../plugin-api/scheduling/Evaluator.js';
import { recordsUrl } from '../../cli/commands/recordsExport.js';
import { peerView } from '../resource/views.js';
import { compareEvaluators } from './compareEvaluators.js';
import { DownloadRecorder } from './DownloadRecorder.js';
import { parseRecords } from './parseRecords.js';

const w = new World();
const task = w.task();
const view = (id: string): EvaluatorPeer => peerView(w.peer(task, w.host(id), 'Running', { id }));

/** Ranks by the order of `ids`; candidates not named go last. */
const byOrder = (...ids: string[]): Evaluator => ({
  evaluateParents: (candidates) => [...candidates].sort((a, b) => (ids.indexOf(a.id) + 1 || 99) - (ids.indexOf(b.id) + 1 || 99)),
  isBadParent: () => false,
});

/** Two decisions among a, b, c; pieces from a are fast, from b slow (rates 4 MiB/s and 1 MiB/s). */
function makeRecords() {
  const recorder = new DownloadRecorder({ decisionCapacity: 10, pieceCapacity: 100 });
  const [a, b, c] = ['a', 'b', 'c'].map(view);
  for (let i = 0; i < 2; i++) {
    const key = {};
    recorder.decided(key, task.id, view(`child-${i}`), [c, b, a], ['c', 'b', 'a'], 10);
    recorder.pieceFinished(key, task.id, `child-${i}`, 'a', 4096, 1);
    recorder.pieceFinished(key, task.id, `child-${i}`, 'b', 4096, 4);
  }
  return parseRecords(recorder.toNdjson());
}

const recorded = makeRecords();
const records = () => recorded;

describe('compareEvaluators', () => {
  it('measures agreement with the baseline and pair order against the observed rates', async () => {
    const result = await compareEvaluators(records(), byOrder('a', 'b', 'c'), byOrder('b', 'c', 'a'), 2);
    expect(result).toMatchObject({ decisions: 2, replayed: 2, errors: 0, top1Agreement: 0, topKOverlap: 0.5, k: 2 });
    expect(result.observed).toMatchObject({ decisions: 2, pairs: 2, candidatePairAccuracy: 1, baselinePairAccuracy: 0 });
    expect(result.observed.candidateTop1Rate).toBeCloseTo(4096 * 1000);
    expect(result.observed.baselineTop1Rate).toBeCloseTo(1024 * 1000);
  });

  it('counts a candidate that throws as an error and skips the decision', async () => {
    const failing: Evaluator = { evaluateParents: () => Promise.reject(new Error('boom')), isBadParent: () => false };
    expect(await compareEvaluators(records(), failing, byOrder('a'))).toMatchObject({ replayed: 0, errors: 2 });
  });
});

describe('recordsUrl', () => {
  it.each([
    ['127.0.0.1:8000', 'http://127.0.0.1:8000/records'],
    [':8000', 'http://127.0.0.1:8000/records'],
    ['http://sched:8000', 'http://sched:8000/records'],
    ['http://sched:8000/records', 'http://sched:8000/records'],
  ])('%s -> %s', (input, url) => expect(recordsUrl(input)).toBe(url));
});
