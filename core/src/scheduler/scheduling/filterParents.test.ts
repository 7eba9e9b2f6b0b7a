import { describe, expect, it } from 'vitest';

import { inlineEvaluator, World } from '../../../../test/helpers/schedulerKit.js';
import type { Evaluator } from '../../plugin-api/scheduling/Evaluator.js';
import type { Peer } from '../resource/Peer.js';
import { filterCandidateParents, rejectReason, type FilterReason } from './filterParents.js';

interface Case {
  name: string;
  setup(w: World, child: Peer): Peer;
  evaluator?: Evaluator;
  reason: FilterReason | undefined;
}

const cases: Case[] = [
  { name: 'a seed back-to-source peer is fine', setup: (w, c) => w.peer(c.task, w.host('s', { seed: true }), 'BackToSource'), reason: undefined },
  { name: 'a normal succeeded peer is fine', setup: (w, c) => w.peer(c.task, w.host('n'), 'Succeeded'), reason: undefined },
  { name: 'the child itself', setup: (_w, c) => c, reason: 'blocked' },
  {
    name: 'a blocked parent',
    setup: (w, c) => {
      const p = w.peer(c.task, w.host('b'), 'Succeeded');
      c.blockParent(p.id);
      return p;
    },
    reason: 'blocked',
  },
  { name: 'a host that disables sharing', setup: (w, c) => w.peer(c.task, w.host('d', { disableShared: true }), 'Succeeded'), reason: 'disable-shared' },
  { name: 'a peer on the same host', setup: (w, c) => w.peer(c.task, c.host, 'Succeeded'), reason: 'same-host' },
  { name: 'a peer of another task', setup: (w, c) => w.peer(w.task('https://example.com/other'), w.host('o'), 'Succeeded'), reason: 'not-in-dag' },
  { name: 'a normal running peer without parents', setup: (w, c) => w.peer(c.task, w.host('r'), 'Running'), reason: 'no-parent-yet' },
  {
    name: 'a normal running peer with a parent',
    setup: (w, c) => {
      const seed = w.peer(c.task, w.host('s2', { seed: true }), 'BackToSource');
      const p = w.peer(c.task, w.host('r2'), 'Running');
      c.task.addPeerEdge(seed, p);
      return p;
    },
    reason: undefined,
  },
  { name: 'a seed peer that only registered (bad state)', setup: (w, c) => w.peer(c.task, w.host('s3', { seed: true }), 'ReceivedNormal'), reason: 'bad-parent' },
  { name: 'a failed seed peer', setup: (w, c) => w.peer(c.task, w.host('s4', { seed: true }), 'Failed'), reason: 'bad-parent' },
  {
    name: 'evaluator.isBadParent',
    setup: (w, c) => w.peer(c.task, w.host('s5', { seed: true }), 'BackToSource'),
    evaluator: { ...inlineEvaluator, isBadParent: () => true },
    reason: 'bad-parent',
  },
  {
    name: 'an evaluator that throws counts as bad',
    setup: (w, c) => w.peer(c.task, w.host('s6', { seed: true }), 'BackToSource'),
    evaluator: {
      ...inlineEvaluator,
      isBadParent: () => {
        throw new Error('boom');
      },
    },
    reason: 'bad-parent',
  },
  {
    name: 'a host at its upload limit',
    setup: (w, c) => {
      const p = w.peer(c.task, w.host('full', { seed: true }), 'BackToSource');
      p.host.concurrentUploadCount = p.host.concurrentUploadLimit;
      return p;
    },
    reason: 'upload-limit',
  },
  {
    name: 'a descendant of the child (cycle)',
    setup: (w, c) => {
      const p = w.peer(c.task, w.host('desc'), 'Succeeded');
      c.task.addPeerEdge(c, p);
      return p;
    },
    reason: 'cycle',
  },
];

describe('filterCandidateParents rules (spec 4.3)', () => {
  it.each(cases)('$name -> $reason', ({ setup, evaluator, reason }) => {
    const w = new World();
    const task = w.task();
    const child = w.peer(task, w.host('child'), 'Running');
    const candidate = setup(w, child);
    expect(rejectReason(candidate, child, evaluator ?? inlineEvaluator)).toBe(reason);
  });

  it('samples at most the filter limit and keeps only acceptable peers', () => {
    const w = new World();
    const task = w.task();
    const child = w.peer(task, w.host('child'), 'Running');
    for (let i = 0; i < 30; i++) w.peer(task, w.host(`ok-${i}`), 'Succeeded');
    for (let i = 0; i < 30; i++) w.peer(task, w.host(`bad-${i}`), 'ReceivedNormal');
    const kept = filterCandidateParents(child, inlineEvaluator, 15);
    expect(kept.length).toBeLessThanOrEqual(15);
    expect(kept.every((p) => p.state === 'Succeeded')).toBe(true);
  });
});
