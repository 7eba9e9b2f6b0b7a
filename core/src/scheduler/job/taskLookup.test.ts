import { describe, expect, it } from 'vitest';

import { MiB, World } from '../../../../test/helpers/schedulerKit.js';
import type { EgressPolicy } from '../../plugin-api/EgressPolicy.js';
import type { HostCalls } from './hostCalls.js';
import { runGetTask } from './taskLookup.js';

describe('get_task', () => {
  it('lists the hosts holding the whole task: not a peer that downloaded only a range, nor one still running', () => {
    const world = new World();
    const task = world.task('https://origin.example/model.bin');
    world.peer(task, world.host('whole'), 'Succeeded');
    world.peer(task, world.host('whole-range'), 'Succeeded', { range: { start: 0, length: 10 * 4 * MiB } });
    world.peer(task, world.host('part'), 'Succeeded', { range: { start: 4 * MiB, length: 100 } });
    world.peer(task, world.host('busy'), 'Running');
    const outcome = runGetTask(
      { resource: world.resource, calls: {} as HostCalls, egress: {} as EgressPolicy, schedulerClusterId: 1 },
      { url: 'https://origin.example/model.bin' } as never,
    );
    expect(outcome.state).toBe('SUCCESS');
    expect(outcome.result.peers?.map((peer) => peer.hostname).sort()).toEqual(['whole', 'whole-range']);
  });
});
