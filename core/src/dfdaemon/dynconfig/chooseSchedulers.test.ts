import { createServer, type Server } from 'node:net';

import { afterAll, describe, expect, it } from 'vitest';

import { chooseSchedulers, schedulerAddr, tcpProbe, type ListedScheduler } from './chooseSchedulers.js';

const s = (ip: string, port: number, schedulerClusterId: number): ListedScheduler => ({ ip, port, schedulerClusterId });
const upSet = (...addrs: string[]) => async (ip: string, port: number) => addrs.includes(schedulerAddr(ip, port));

describe('chooseSchedulers', () => {
  it.each([
    { name: 'first cluster when its first scheduler is up', listed: [s('10.0.0.1', 8002, 2), s('10.0.0.2', 8002, 2), s('10.0.0.3', 8002, 1)], up: ['10.0.0.1:8002', '10.0.0.2:8002', '10.0.0.3:8002'], expected: { clusterId: 2, addrs: ['10.0.0.1:8002', '10.0.0.2:8002'] } },
    { name: 'skips unreachable schedulers of the chosen cluster', listed: [s('10.0.0.1', 8002, 2), s('10.0.0.2', 8002, 2)], up: ['10.0.0.1:8002'], expected: { clusterId: 2, addrs: ['10.0.0.1:8002'] } },
    { name: 'falls to the next cluster when the best is down', listed: [s('10.0.0.1', 8002, 2), s('10.0.0.3', 8002, 1)], up: ['10.0.0.3:8002'], expected: { clusterId: 1, addrs: ['10.0.0.3:8002'] } },
    { name: 'nothing when nothing is reachable', listed: [s('10.0.0.1', 8002, 2)], up: [], expected: { clusterId: 0, addrs: [] } },
    { name: 'nothing for an empty list', listed: [], up: [], expected: { clusterId: 0, addrs: [] } },
    { name: 'brackets IPv6', listed: [s('fd00::1', 8002, 1)], up: ['[fd00::1]:8002'], expected: { clusterId: 1, addrs: ['[fd00::1]:8002'] } },
  ])('$name', async ({ listed, up, expected }) => {
    expect(await chooseSchedulers(listed, upSet(...up))).toEqual(expected);
  });
});

describe('tcpProbe', () => {
  let server: Server;
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('is true for a listening port and false for a closed one', async () => {
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    expect(await tcpProbe('127.0.0.1', port)).toBe(true);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await tcpProbe('127.0.0.1', closedPort)).toBe(false);
  });
});
