import { describe, expect, it } from 'vitest';

import { World } from '../../../../test/helpers/schedulerKit.js';
import { silentLogger } from '../../common/logging.js';
import { GarbageCollector, type GcSettings } from './GarbageCollector.js';

const MIN = 60_000;
const SETTINGS: GcSettings = {
  pieceDownloadTimeoutMs: 30 * MIN,
  peerGCIntervalMs: 10_000,
  peerTTLMs: 24 * 60 * MIN,
  taskGCIntervalMs: 30 * MIN,
  hostGCIntervalMs: 5 * MIN,
  hostTTLMs: 60 * MIN,
};

describe('GarbageCollector', () => {
  it.each([
    { name: 'a peer that left', state: 'Leave', age: 0, pieceAge: 0, reason: 'left' },
    { name: 'a running peer without pieces for 31m', state: 'Running', age: 0, pieceAge: 31 * MIN, reason: 'piece-timeout' },
    { name: 'a back-to-source peer without pieces for 31m', state: 'BackToSource', age: 0, pieceAge: 31 * MIN, reason: 'piece-timeout' },
    { name: 'a succeeded peer idle beyond peerTTL', state: 'Succeeded', age: 25 * 60 * MIN, pieceAge: 25 * 60 * MIN, reason: 'ttl' },
    { name: 'a failed peer', state: 'Failed', age: 0, pieceAge: 0, reason: 'failed' },
    { name: 'a fresh running peer', state: 'Running', age: 0, pieceAge: 29 * MIN, reason: undefined },
    { name: 'a succeeded peer', state: 'Succeeded', age: 0, pieceAge: 0, reason: undefined },
  ] as const)('$name -> $reason', ({ state, age, pieceAge, reason }) => {
    const w = new World();
    const peer = w.peer(w.task(), w.host('a'), state);
    const now = Date.now();
    peer.updatedAt = now - age;
    peer.pieceUpdatedAt = now - pieceAge;
    const gc = new GarbageCollector(w.resource, SETTINGS, silentLogger());
    const removed = gc.runPeerGC(now);
    expect(removed).toEqual(reason ? [{ id: peer.id, reason }] : []);
    expect(w.resource.peers.get(peer.id) === undefined).toBe(reason !== undefined);
  });

  it('finished peers of a disable_shared host are removed', () => {
    const w = new World();
    const peer = w.peer(w.task(), w.host('quiet', { disableShared: true }), 'Succeeded');
    expect(new GarbageCollector(w.resource, SETTINGS, silentLogger()).runPeerGC()).toEqual([{ id: peer.id, reason: 'disable-shared' }]);
  });

  it('a DAG above 300 peers loses finished leaves until it fits', () => {
    const w = new World();
    const task = w.task();
    const root = w.peer(task, w.host('root', { seed: true }), 'Succeeded');
    for (let i = 0; i < 320; i++) w.peer(task, w.host(`h${i}`), 'Succeeded');
    const child = w.peer(task, w.host('child'), 'Running');
    task.addPeerEdge(root, child);
    const removed = new GarbageCollector(w.resource, SETTINGS, silentLogger()).runPeerGC();
    expect(removed.every((r) => r.reason === 'dag-too-large')).toBe(true);
    expect(task.peerCount).toBe(300);
    expect(task.dag.has(root.id)).toBe(true);
    expect(task.dag.has(child.id)).toBe(true);
  });

  it('tasks without peers leave; hosts past hostTTL or twice their interval are removed with their peers', () => {
    const w = new World();
    const task = w.task();
    const kept = w.task('https://example.com/kept');
    const stale = w.host('stale');
    const chatty = w.host('chatty', { announceIntervalMs: 1000 });
    const fresh = w.host('fresh');
    w.peer(kept, stale, 'Succeeded');
    w.peer(kept, fresh, 'Succeeded');
    const now = Date.now();
    stale.updatedAt = now - 61 * MIN;
    chatty.updatedAt = now - 2500;
    const removed: string[] = [];
    const gc = new GarbageCollector(w.resource, SETTINGS, silentLogger(), (id) => removed.push(id));
    expect(gc.runHostGC(now).sort()).toEqual([chatty.id, stale.id].sort());
    expect(removed.sort()).toEqual([chatty.id, stale.id].sort());
    expect(kept.peerCount).toBe(1);
    expect(gc.runTaskGC()).toEqual([task.id]);
    expect(w.resource.hosts.get(fresh.id)).toBeDefined();
  });
});
