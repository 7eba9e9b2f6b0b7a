import { createServer } from 'node:net';

/** Ports handed out by this process, never handed out twice. */
const reserved = new Set<number>();

/** Below Linux's default ephemeral range (32768–60999), so outgoing connections never take them first. */
const LOW = 20_000;
const HIGH = 32_000;

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port that is free on `host` now and was not handed out before by this process. Chosen at random below
 * the ephemeral range, so parallel starts and outgoing connections do not race for it.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (reserved.has(port)) continue;
    reserved.add(port);
    if (await canBind(port, host)) return port;
  }
  throw new Error('no free port found');
}

/** `n` distinct free ports. */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < n; i++) ports.push(await freePort(host));
  return ports;
}
