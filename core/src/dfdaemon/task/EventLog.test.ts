import { describe, expect, it } from 'vitest';

import { EventLog } from './EventLog.js';

async function collect<T>(iterator: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterator) out.push(item);
  return out;
}

describe('EventLog', () => {
  it('gives late readers every event from the start, then live ones', async () => {
    const log = new EventLog<number>();
    log.append(1);
    const early = collect(log.read());
    log.append(2);
    const late = collect(log.read());
    log.append(3);
    log.end();
    expect(await early).toEqual([1, 2, 3]);
    expect(await late).toEqual([1, 2, 3]);
    expect(await collect(log.read())).toEqual([1, 2, 3]);
  });

  it('delivers the failure after the events before it', async () => {
    const log = new EventLog<string>();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const item of log.read()) seen.push(item);
    })();
    log.append('a');
    log.fail(new Error('boom'));
    log.append('ignored');
    await expect(reading).rejects.toThrow('boom');
    expect(seen).toEqual(['a']);
  });

  it('stops a reader when its signal aborts', async () => {
    const log = new EventLog<number>();
    const controller = new AbortController();
    const reading = collect(log.read(controller.signal));
    controller.abort(new Error('gone'));
    log.append(1);
    await expect(reading).rejects.toThrow('gone');
  });
});
