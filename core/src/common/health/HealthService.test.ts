import { credentials, Server, ServerCredentials } from '@grpc/grpc-js';
import { grpcChannelOptions, loadProtos } from '@d7y/proto';
import { afterEach, describe, expect, it } from 'vitest';

import { checkHealth } from './healthClient.js';
import { HealthService } from './HealthService.js';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.forceShutdown();
});

async function serve(health: HealthService): Promise<string> {
  const server = new Server();
  servers.push(server);
  health.addTo(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return `127.0.0.1:${port}`;
}

describe('HealthService (grpc.health.v1)', () => {
  it('Check answers SERVING for the server and its services, NOT_FOUND for unknown names, NOT_SERVING after setNotServing', async () => {
    const health = new HealthService(['scheduler.v2.Scheduler']);
    const addr = await serve(health);
    expect(await checkHealth(addr)).toEqual({ ok: true, status: 'SERVING' });
    expect(await checkHealth(addr, 'scheduler.v2.Scheduler')).toEqual({ ok: true, status: 'SERVING' });
    expect(await checkHealth(addr, 'nope')).toMatchObject({ ok: false, code: 5 });
    health.setNotServing();
    expect(await checkHealth(addr)).toEqual({ ok: true, status: 'NOT_SERVING' });
    expect(await checkHealth(addr, 'scheduler.v2.Scheduler')).toEqual({ ok: true, status: 'NOT_SERVING' });
  });

  it('Watch streams the current status, each change, and ends when the server stops', async () => {
    const health = new HealthService(['x.Y']);
    const addr = await serve(health);
    const client = new (loadProtos().grpc.health.v1.Health)(addr, credentials.createInsecure(), grpcChannelOptions());
    const seen: string[] = [];
    const ended = new Promise<void>((resolve) => {
      const stream = client.Watch({ service: 'x.Y' });
      stream.on('data', (message: { status: string }) => seen.push(message.status));
      stream.on('end', () => resolve());
      stream.on('error', () => resolve());
    });
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
    health.setNotServing();
    health.setNotServing(); // no change, no message
    health.endWatches();
    await ended;
    client.close();
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
  });

  it('Watch on an unknown service says SERVICE_UNKNOWN instead of failing', async () => {
    const health = new HealthService();
    const addr = await serve(health);
    const client = new (loadProtos().grpc.health.v1.Health)(addr, credentials.createInsecure(), grpcChannelOptions());
    const first = await new Promise<string>((resolve) => {
      const stream = client.Watch({ service: 'later.Service' });
      stream.on('error', () => undefined);
      stream.once('data', (message: { status: string }) => {
        resolve(message.status);
        stream.cancel();
      });
    });
    client.close();
    expect(first).toBe('SERVICE_UNKNOWN');
  });
});
