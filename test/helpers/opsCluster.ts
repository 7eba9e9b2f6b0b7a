/**
 * A manager + scheduler + seed peer + peer cluster of real processes for the operations suites (metrics,
 * health, graceful shutdown, tracing): the scheduler registers with the manager, and the daemons find it
 * through the manager, as in production.
 */
import { readFileSync, writeFileSync } from 'node:fs';

import { credentials } from '@grpc/grpc-js';
import { parse, stringify } from 'yaml';

import { ManagerClient } from '../../core/src/manager/client/ManagerClient.js';
import { ManagerProcess } from './managerProcess.js';
import { freePorts } from './ports.js';
import { DaemonProcess, SchedulerProcess } from './processes.js';

/** Extra config per role, merged over the defaults of the helpers. */
export interface OpsClusterOptions {
  manager?: Record<string, unknown>;
  scheduler?: Record<string, unknown>;
  seed?: Record<string, unknown>;
  peer?: Record<string, unknown>;
  /** Peers besides the seed peer (default 1). */
  peers?: number;
}

/** The running processes. */
export interface OpsCluster {
  manager: ManagerProcess;
  managerMetricsPort: number;
  scheduler: SchedulerProcess;
  schedulerMetricsPort: number;
  seed: DaemonProcess;
  peers: DaemonProcess[];
  /** SIGTERM to everything still running. */
  stop(): Promise<void>;
}

/** The personal access token the cluster's manager is provisioned with (`DRAGONFLY_PAT`). */
export const OPS_PAT = 'd7y-e2e-ops-personal-access-token-0123456789abcdef';

/** Starts the cluster; the manager serves metrics, the scheduler is active before the daemons start. */
export async function startOpsCluster(name: string, options: OpsClusterOptions = {}): Promise<OpsCluster> {
  const manager = await ManagerProcess.create(`${name}-manager`);
  const [managerMetricsPort] = await freePorts(1);
  const managerConfig = { ...parse(readFileSync(manager.configPath, 'utf8')), metrics: { enable: true, addr: `127.0.0.1:${managerMetricsPort}` }, ...options.manager };
  writeFileSync(manager.configPath, stringify(managerConfig));
  const started: Array<{ stop(): Promise<void> }> = [];
  const stop = async () => {
    for (const process of started.reverse()) await process.stop();
  };
  try {
    await manager.start(30_000, { DRAGONFLY_PAT: OPS_PAT });
    started.push(manager);
    const scheduler = await SchedulerProcess.create(`${name}-scheduler`, {
      manager: { addr: manager.addr, schedulerClusterID: 1, keepAlive: { interval: '1s' } },
      dynConfig: { refreshInterval: '5s' },
      ...options.scheduler,
    });
    const schedulerMetricsPort = Number(String(parse(readFileSync(scheduler.configPath, 'utf8')).metrics.addr).split(':').pop());
    await scheduler.start();
    started.push(scheduler);
    await waitForActiveScheduler(manager.addr);
    const daemon = async (role: string, extra: Record<string, unknown>) => {
      const process = await DaemonProcess.create(role, deepMerge({ manager: { addr: manager.addr }, dynconfig: { refreshInterval: '5s' }, scheduler: { announceInterval: '2s' } }, extra));
      await process.start();
      started.push(process);
      return process;
    };
    const seed = await daemon(`${name}-seed`, deepMerge({ seedPeer: { enable: true, keepaliveInterval: '1s' } }, options.seed ?? {}));
    const peers: DaemonProcess[] = [];
    for (let i = 0; i < (options.peers ?? 1); i++) peers.push(await daemon(`${name}-peer-${i}`, options.peer ?? {}));
    return { manager, managerMetricsPort, scheduler, schedulerMetricsPort, seed, peers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForActiveScheduler(addr: string): Promise<void> {
  const client = new ManagerClient(addr, credentials.createInsecure(), 2000);
  try {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const listed = await client.listSchedulers({ sourceType: 'PEER_SOURCE', hostname: 'ops-test', ip: '127.0.0.1' }).catch(() => undefined);
      if ((listed?.schedulers.length ?? 0) > 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the manager did not list the scheduler as active');
  } finally {
    client.close();
  }
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}
