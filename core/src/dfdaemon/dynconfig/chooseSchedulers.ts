/**
 * Which of the manager's schedulers a dfdaemon uses, as Dragonfly's client does: walk the list in the
 * manager's order (best cluster first), fix the cluster of the first reachable scheduler, and use the
 * reachable schedulers of that cluster only.
 */
import { connect } from 'node:net';

/** A scheduler as ListSchedulers returns it. */
export interface ListedScheduler {
  readonly ip: string;
  readonly port: number;
  readonly schedulerClusterId: number;
}

/** Checks whether `ip:port` is reachable. */
export type Probe = (ip: string, port: number) => Promise<boolean>;

/** How long a TCP probe waits. */
export const PROBE_TIMEOUT_MS = 1000;

/** `host:port`, bracketing IPv6. */
export function schedulerAddr(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** A TCP connect probe. */
export const tcpProbe: Probe = (ip, port) =>
  new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });

/** The chosen cluster and its reachable scheduler addresses; empty when none is reachable. */
export async function chooseSchedulers(listed: readonly ListedScheduler[], probe: Probe): Promise<{ clusterId: number; addrs: string[] }> {
  for (const first of listed) {
    if (!(await probe(first.ip, first.port))) continue;
    const sameCluster = listed.filter((s) => s.schedulerClusterId === first.schedulerClusterId);
    const reachable = await Promise.all(sameCluster.map(async (s) => (s === first || (await probe(s.ip, s.port)) ? s : undefined)));
    const addrs = [...new Set(reachable.filter((s): s is ListedScheduler => s !== undefined).map((s) => schedulerAddr(s.ip, s.port)))];
    return { clusterId: first.schedulerClusterId, addrs };
  }
  return { clusterId: 0, addrs: [] };
}
