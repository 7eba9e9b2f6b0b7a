import { describe, expect, it } from 'vitest';

import { type ParentSlot, selectPieces, shuffled } from './pieceSelection.js';

interface TestParent extends ParentSlot {
  readonly name: string;
}

const parent = (name: string, pieces: number[], extra: Partial<TestParent> = {}): TestParent => ({
  name,
  seed: false,
  blocked: false,
  inflight: 0,
  available: new Set(pieces),
  ...extra,
});
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const select = (parents: TestParent[], options: { order?: number[]; slots?: number; seedLimit?: number; peersStalled?: boolean; noDigest?: number[]; random?: () => number } = {}) =>
  selectPieces({
    order: options.order ?? range(8),
    parents,
    slots: options.slots ?? 8,
    seedLimit: options.seedLimit ?? 2,
    peersStalled: options.peersStalled ?? true,
    hasDigest: (n) => !(options.noDigest ?? []).includes(n),
    random: options.random ?? (() => 0.99),
  });
const picked = (selection: ReturnType<typeof select>) => selection.picks.map((p) => `${p.number}@${p.parent.name}`);

describe('selectPieces', () => {
  it('follows the given order and never picks more than the free slots', () => {
    const a = parent('a', range(8));
    expect(picked(select([a], { order: [5, 2, 7], slots: 2 }))).toEqual(['5@a', '2@a']);
  });

  it('takes a piece from a non-seed parent rather than from the seed', () => {
    const seed = parent('seed', range(8), { seed: true });
    const a = parent('a', [0, 1]);
    const { picks } = select([seed, a], { order: [0, 1] });
    expect(picks.every((p) => p.parent === a)).toBe(true);
  });

  it('leaves the seed alone while a non-seed parent is sending this child pieces', () => {
    const seed = parent('seed', range(8), { seed: true });
    const a = parent('a', [0]);
    expect(picked(select([seed, a], { seedLimit: 2 }))).toEqual(['0@a']);
    const busy = parent('b', [], { inflight: 1 });
    expect(picked(select([seed, busy], { seedLimit: 2 }))).toEqual([]);
  });

  it('asks the seed for at most seedLimit pieces nobody else has once its non-seed parents have stalled', () => {
    const seed = parent('seed', range(8), { seed: true });
    const idle = parent('a', []);
    expect(picked(select([seed, idle], { seedLimit: 2, peersStalled: true }))).toEqual(['0@seed', '1@seed']);
  });

  it('holds seed-only pieces back while its idle non-seed parents may still bring them, and says so', () => {
    const seed = parent('seed', range(8), { seed: true });
    const idle = parent('a', []);
    const selection = select([seed, idle], { peersStalled: false });
    expect(selection.picks).toEqual([]);
    expect(selection.seedHeldBack).toBe(true);
    expect(select([seed], { peersStalled: false }).picks).toHaveLength(2);
  });

  it('counts what is already in flight from the seed against the cap', () => {
    const seed = parent('seed', range(8), { seed: true, inflight: 1 });
    const a = parent('a', []);
    expect(picked(select([seed, a], { seedLimit: 2 }))).toEqual(['0@seed']);
  });

  it('keeps at most seedLimit pieces in flight from a seed that is the only parent left', () => {
    const seed = parent('seed', range(8), { seed: true });
    const blocked = parent('a', range(8), { blocked: true });
    expect(select([seed, blocked], { slots: 5, seedLimit: 3 }).picks).toHaveLength(3);
  });

  it('spreads over several seeds, each within seedLimit', () => {
    const s1 = parent('s1', range(8), { seed: true });
    const s2 = parent('s2', range(8), { seed: true });
    expect(picked(select([s1, s2], { order: [0, 1, 2, 3, 4], seedLimit: 2 }))).toEqual(['0@s1', '1@s2', '2@s1', '3@s2']);
  });

  it('spreads pieces over the least busy non-seed parents', () => {
    const a = parent('a', range(8), { inflight: 2 });
    const b = parent('b', range(8));
    expect(picked(select([a, b], { order: [0, 1, 2, 3], slots: 4 }))).toEqual(['0@b', '1@b', '2@a', '3@b']);
  });

  it('breaks ties between equally busy parents at random, so children do not all pick the top-ranked one', () => {
    const parents = ['a', 'b', 'c', 'd'].map((name) => parent(name, range(8)));
    const firstPicks = new Set<string>();
    for (let i = 0; i < 200; i++) firstPicks.add(select(parents, { order: [0], slots: 1, random: Math.random }).picks[0]!.parent.name);
    expect([...firstPicks].sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('skips blocked parents and pieces nobody has', () => {
    const a = parent('a', [3], { blocked: true });
    const b = parent('b', [4]);
    expect(picked(select([a, b], { order: [3, 4] }))).toEqual(['4@b']);
  });

  it('reports pieces that have a parent but no trusted digest yet, and does not request them', () => {
    const a = parent('a', [0, 1]);
    const selection = select([a], { order: [0, 1], noDigest: [0] });
    expect(picked(selection)).toEqual(['1@a']);
    expect(selection.waitingForDigest).toBe(true);
  });
});

describe('shuffled', () => {
  it('is a permutation of its input', () => {
    expect(shuffled(range(100)).sort((x, y) => x - y)).toEqual(range(100));
  });

  it('gives different children different orders', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    expect(shuffled(range(64), random)).not.toEqual(shuffled(range(64), random));
  });
});
