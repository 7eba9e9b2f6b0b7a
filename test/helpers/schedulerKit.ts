/**
 * Shared fixtures for the scheduler's tests: resources built in memory, a tiny inline evaluator, and the
 * real default evaluator when plugins/scheduler-default is built.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { hostId as makeHostId, taskId as makeTaskId } from '../../core/src/common/ids.js';
import type { Evaluator, EvaluatorPeer, PeerState } from '../../core/src/plugin-api/scheduling/Evaluator.js';
import type { HostInfo } from '../../core/src/scheduler/resource/Host.js';
import type { Host } from '../../core/src/scheduler/resource/Host.js';
import type { Peer, PeerInit } from '../../core/src/scheduler/resource/Peer.js';
import { Resource } from '../../core/src/scheduler/resource/Resource.js';
import type { Task } from '../../core/src/scheduler/resource/Task.js';

export const MiB = 1024 * 1024;

/** A valid HostInfo for `hostname` on `ip`. */
export function hostInfo(hostname: string, over: Partial<HostInfo> & { seed?: boolean } = {}): HostInfo {
  const ip = over.ip ?? '127.0.0.1';
  const seed = over.seed ?? over.type === 'super';
  const { seed: _seed, ...rest } = over;
  return {
    id: makeHostId(ip, hostname, seed),
    type: seed ? 'super' : 'normal',
    hostname,
    ip,
    port: 4000,
    downloadPort: 4005,
    proxyPort: 0,
    name: hostname,
    os: 'linux',
    platform: 'linux',
    platformFamily: '',
    platformVersion: '',
    kernelVersion: '',
    idc: '',
    location: '',
    maxTxBandwidth: 0,
    maxRxBandwidth: 0,
    disableShared: false,
    schedulerClusterId: 1,
    gitVersion: 'test',
    announceIntervalMs: 0,
    ...rest,
  };
}

/** In-memory resources with builders. */
export class World {
  readonly resource = new Resource();
  #peers = 0;

  host(hostname: string, over: Partial<HostInfo> & { seed?: boolean } = {}): Host {
    return this.resource.hosts.upsert(hostInfo(hostname, over), '');
  }

  task(url = 'https://example.com/file', sizes: { contentLength: number; pieceLength: number } | undefined = { contentLength: 10 * 4 * MiB, pieceLength: 4 * MiB }): Task {
    const task = this.resource.tasks.loadOrCreate({
      id: makeTaskId({ url }),
      url,
      filteredQueryParams: [],
      requestHeader: {},
      backToSourceLimit: 200,
    });
    if (sizes) task.setSizes(sizes.contentLength, sizes.pieceLength, Math.ceil(sizes.contentLength / sizes.pieceLength));
    return task;
  }

  /** A peer driven to `state` through legal FSM events. */
  peer(task: Task, host: Host, state: PeerState = 'ReceivedNormal', init: Partial<PeerInit> = {}): Peer {
    const peer = this.resource.peers.create({ id: init.id ?? `peer-${++this.#peers}`, priority: 'LEVEL6', ...init }, task, host);
    const path: Record<PeerState, string[]> = {
      Pending: [],
      ReceivedEmpty: ['RegisterEmpty'],
      ReceivedTiny: ['RegisterTiny'],
      ReceivedSmall: ['RegisterSmall'],
      ReceivedNormal: ['RegisterNormal'],
      Running: ['RegisterNormal', 'Download'],
      BackToSource: ['RegisterNormal', 'DownloadBackToSource'],
      Succeeded: ['RegisterNormal', 'DownloadBackToSource', 'DownloadSucceeded'],
      Failed: ['RegisterNormal', 'DownloadFailed'],
      Leave: ['Leave'],
    };
    for (const event of path[state]) peer.fsm.event(event as never);
    if (state !== 'Pending') peer.blockParent(peer.id);
    return peer;
  }
}

const BAD_STATES = new Set<PeerState>(['Failed', 'Leave', 'Pending', 'ReceivedTiny', 'ReceivedSmall', 'ReceivedNormal', 'ReceivedEmpty']);

/** A tiny evaluator implementing the contract: seeds first, then most finished pieces; bad by state only. */
export const inlineEvaluator: Evaluator = {
  evaluateParents(candidates: readonly EvaluatorPeer[]): readonly EvaluatorPeer[] {
    return [...candidates].sort(
      (a, b) => Number(b.host.type === 'super') - Number(a.host.type === 'super') || b.finishedPieceCount - a.finishedPieceCount,
    );
  },
  isBadParent(peer: EvaluatorPeer): boolean {
    return BAD_STATES.has(peer.state);
  },
};

/** The real default evaluator when plugins/scheduler-default/dist is built, else `inlineEvaluator`. */
export async function loadEvaluator(): Promise<{ evaluator: Evaluator; source: 'plugin' | 'inline' }> {
  const entry = fileURLToPath(new URL('../../plugins/scheduler-default/dist/index.js', import.meta.url));
  if (existsSync(entry)) {
    try {
      const mod = (await import(pathToFileURL(entry).href)) as { DefaultEvaluator?: new () => Evaluator };
      if (mod.DefaultEvaluator) return { evaluator: new mod.DefaultEvaluator(), source: 'plugin' };
    } catch {
      // Fall through to the inline evaluator: the plugin may be mid-build.
    }
  }
  return { evaluator: inlineEvaluator, source: 'inline' };
}
