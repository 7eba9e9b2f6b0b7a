import { describe, expect, it } from 'vitest';

import { inlineEvaluator, loadEvaluator, World } from '../../../../test/helpers/schedulerKit.js';
import { silentLogger } from '../../common/logging.js';
import type { Evaluator } from '../../plugin-api/scheduling/Evaluator.js';
import { Scheduling, type SchedulingConfig } from './Scheduling.js';

const CONFIG: SchedulingConfig = { retryLimit: 5, retryBackToSourceLimit: 4, retryIntervalMs: 500, candidateParentLimit: 3, filterParentLimit: 15 };

function scheduling(evaluator: Evaluator = inlineEvaluator, config: Partial<SchedulingConfig> = {}) {
  const sleeps: number[] = [];
  const s = new Scheduling(evaluator, { ...CONFIG, ...config }, silentLogger(), async (ms) => {
    sleeps.push(ms);
  });
  return { s, sleeps };
}

describe('ScheduleCandidateParents loop (spec 4.3)', () => {
  it('a peer flagged NeedBackToSource is sent to the source at once', async () => {
    const w = new World();
    const peer = w.peer(w.task(), w.host('a'), 'ReceivedNormal');
    peer.needBackToSource = true;
    const { s, sleeps } = scheduling();
    await expect(s.scheduleCandidateParents(peer)).resolves.toEqual({ kind: 'needBackToSource', description: "peer's NeedBackToSource is true" });
    expect(sleeps).toEqual([]);
  });

  it('without parents it retries retryBackToSourceLimit times with jittered pauses, then back-to-source', async () => {
    const w = new World();
    const peer = w.peer(w.task(), w.host('a'), 'ReceivedNormal');
    const { s, sleeps } = scheduling();
    await expect(s.scheduleCandidateParents(peer)).resolves.toMatchObject({ kind: 'needBackToSource', description: 'scheduling exceeded RetryBackToSourceLimit' });
    expect(sleeps).toHaveLength(4);
    for (const ms of sleeps) {
      expect(ms).toBeGreaterThanOrEqual(375);
      expect(ms).toBeLessThan(625);
    }
  });

  it('when the task cannot go back-to-source any more it fails after retryLimit', async () => {
    const w = new World();
    const task = w.task();
    for (let i = 0; i < 201; i++) task.backToSourcePeers.add(`x${i}`);
    const peer = w.peer(task, w.host('a'), 'ReceivedNormal');
    peer.needBackToSource = true;
    const { s, sleeps } = scheduling();
    await expect(s.scheduleCandidateParents(peer)).rejects.toMatchObject({ code: 'D7Y_ERR_FAILED_PRECONDITION', message: 'scheduling exceeded RetryLimit' });
    expect(sleeps).toHaveLength(5);
  });

  it('a parent that appears during the retries is returned and connected in the DAG', async () => {
    const w = new World();
    const task = w.task();
    const peer = w.peer(task, w.host('a'), 'ReceivedNormal');
    const seedHost = w.host('seed', { seed: true });
    let seed: ReturnType<World['peer']> | undefined;
    const s = new Scheduling(inlineEvaluator, CONFIG, silentLogger(), async () => {
      seed ??= w.peer(task, seedHost, 'BackToSource');
    });
    const decision = await s.scheduleCandidateParents(peer);
    expect(decision).toEqual({ kind: 'normal', parents: [seed] });
    expect(task.dag.parentIds(peer.id)).toEqual([seed!.id]);
    expect(peer.assignedParents.has(seed!.id)).toBe(true);
  });

  it('ranks with the evaluator and keeps the best candidateParentLimit', async () => {
    const w = new World();
    const task = w.task();
    const peer = w.peer(task, w.host('child'), 'Running');
    const parents = Array.from({ length: 6 }, (_, i) => {
      const p = w.peer(task, w.host(`p${i}`), 'Succeeded');
      for (let n = 0; n < i; n++) p.finishedPieces.add(n);
      return p;
    });
    const { s } = scheduling();
    const decision = await s.scheduleCandidateParents(peer);
    expect(decision.kind).toBe('normal');
    if (decision.kind === 'normal') expect(decision.parents.map((p) => p.id)).toEqual([parents[5]!.id, parents[4]!.id, parents[3]!.id]);
  });

  it('an evaluator may drop candidates but never add any', async () => {
    const w = new World();
    const task = w.task();
    const peer = w.peer(task, w.host('child'), 'Running');
    const a = w.peer(task, w.host('a'), 'Succeeded');
    w.peer(task, w.host('b'), 'Succeeded');
    const forged = { ...inlineEvaluator, evaluateParents: (c: readonly unknown[]) => [{ id: 'forged' }, c.find((v) => (v as { id: string }).id === a.id)] } as unknown as Evaluator;
    const { s } = scheduling(forged);
    await expect(s.scheduleCandidateParents(peer)).resolves.toEqual({ kind: 'normal', parents: [a] });
  });

  it('only ReceivedNormal or Running peers get parents', async () => {
    const w = new World();
    const task = w.task();
    w.peer(task, w.host('seed', { seed: true }), 'BackToSource');
    const peer = w.peer(task, w.host('a'), 'BackToSource');
    const { s } = scheduling();
    await expect(s.findCandidateParents(peer)).resolves.toEqual([]);
  });

  it('works with the real default evaluator when it is built', async () => {
    const { evaluator } = await loadEvaluator();
    const w = new World();
    const task = w.task();
    const peer = w.peer(task, w.host('child'), 'Running');
    const seed = w.peer(task, w.host('seed', { seed: true }), 'BackToSource');
    const { s } = scheduling(evaluator);
    await expect(s.scheduleCandidateParents(peer)).resolves.toEqual({ kind: 'normal', parents: [seed] });
  });

  it('waits for a triggered seed peer instead of counting retries, up to the pending timeout', async () => {
    const w = new World();
    const task = w.task();
    const peer = w.peer(task, w.host('a'), 'ReceivedNormal');
    let clock = 1_000_000;
    task.seedPeerTriggeredAt = clock;
    const seedHost = w.host('seed', { seed: true });
    let sleeps = 0;
    const s = new Scheduling(inlineEvaluator, CONFIG, silentLogger(), async (ms) => {
      clock += ms;
      if (++sleeps === 12) w.peer(task, seedHost, 'BackToSource', { id: 'seed-peer' });
    }, () => clock);
    const decision = await s.scheduleCandidateParents(peer);
    expect(decision.kind === 'normal' && decision.parents.map((p) => p.id)).toEqual(['seed-peer']);
    expect(sleeps).toBe(12);
  });

  it('a seed peer that never shows up stops the wait after the pending timeout', async () => {
    const w = new World();
    const task = w.task();
    const peer = w.peer(task, w.host('a'), 'ReceivedNormal');
    let clock = 1_000_000;
    task.seedPeerTriggeredAt = clock;
    let sleeps = 0;
    const s = new Scheduling(inlineEvaluator, CONFIG, silentLogger(), async (ms) => {
      clock += ms;
      sleeps++;
    }, () => clock);
    await expect(s.scheduleCandidateParents(peer)).resolves.toMatchObject({ kind: 'needBackToSource' });
    expect(clock - 1_000_000).toBeGreaterThanOrEqual(10_000);
    expect(sleeps).toBeLessThan(40);
  });

  it('a failed seed trigger ends the wait at once', async () => {
    const w = new World();
    const task = w.task();
    const peer = w.peer(task, w.host('a'), 'ReceivedNormal');
    task.seedPeerTriggeredAt = Date.now() - 10;
    task.seedPeerFailedAt = Date.now();
    const { s, sleeps } = scheduling();
    await expect(s.scheduleCandidateParents(peer)).resolves.toMatchObject({ kind: 'needBackToSource' });
    expect(sleeps).toHaveLength(4);
  });

  it('stops when the stream goes away', async () => {
    const w = new World();
    const peer = w.peer(w.task(), w.host('a'), 'ReceivedNormal');
    const controller = new AbortController();
    controller.abort();
    const { s } = scheduling();
    await expect(s.scheduleCandidateParents(peer, controller.signal)).rejects.toMatchObject({ code: 'D7Y_ERR_CANCELLED' });
  });
});
