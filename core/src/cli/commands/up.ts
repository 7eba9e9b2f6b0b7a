import { resolve } from 'node:path';

import { parseSize } from '../../common/units.js';
import { formatBytes } from '../../dfget/progress.js';
import { LocalCluster, type DemoDownload } from '../../up/LocalCluster.js';
import { StatusBoard } from '../../up/StatusBoard.js';
import { createError, ErrorCodes } from '../../plugin-api/errors.js';

/** Flags of `d7y up`. */
export interface UpFlags {
  dataDir: string;
  peers: string;
  demoSize: string;
  withProxy?: boolean;
  exit?: boolean;
  /** Milliseconds between redraws of the status table on a terminal. */
  refresh?: string;
}

/** Most peers `d7y up` starts besides the seed peer. */
export const MAX_UP_PEERS = 16;

/**
 * `d7y up`: a local cluster on loopback, demo downloads through it (dfget, and each peer's proxy with
 * `--with-proxy`), a status table (redrawn in place on a terminal), then runs until Ctrl-C or SIGTERM, which
 * stop every role gracefully; a second Ctrl-C exits at once.
 */
export async function up(flags: UpFlags): Promise<void> {
  const peers = Number(flags.peers);
  if (!Number.isInteger(peers) || peers < 1 || peers > MAX_UP_PEERS) throw createError(ErrorCodes.INVALID_ARGUMENT, `--peers must be 1 to ${MAX_UP_PEERS}, got ${flags.peers}`);
  const refreshMs = Number(flags.refresh ?? '2000');
  if (!Number.isInteger(refreshMs) || refreshMs < 200) throw createError(ErrorCodes.INVALID_ARGUMENT, `--refresh must be milliseconds >= 200, got ${flags.refresh}`);
  if (!flags.dataDir.trim()) throw createError(ErrorCodes.INVALID_ARGUMENT, '--data-dir must not be empty');
  const demoSize = parseSize(flags.demoSize);
  const dataDir = resolve(flags.dataDir);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const cluster = new LocalCluster({ dataDir, peers, demoSize, withProxy: flags.withProxy === true, print });
  const board = new StatusBoard(() => cluster.statusSources(), process.stdout, refreshMs);
  const interrupted = waitForSignal();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await board.stop();
    print('stopping...');
    await cluster.stop();
    print('stopped');
  };
  try {
    print(`d7y local cluster — data and logs in ${dataDir}`);
    await Promise.race([cluster.start(), interrupted.then(() => Promise.reject(createError(ErrorCodes.CANCELLED, 'interrupted while starting')))]);
    printEndpoints(cluster, demoSize, dataDir, print);
    print('demo downloads (dfget --digest sha256:…):');
    const results = await cluster.demo();
    printResults(results, print);
    if (flags.withProxy) {
      print('demo downloads through each peer\'s HTTP proxy (sha256 checked):');
      const proxied = await cluster.demoViaProxy();
      printResults(proxied, print);
      results.push(...proxied);
    }
    print('bytes served to other peers:');
    for (const upload of await cluster.uploads()) print(`  ${upload.name.padEnd(10)} ${formatBytes(upload.bytes)}`);
    print(`origin sent ${formatBytes(cluster.origin.bytesSent)} in total for ${results.length} downloads of ${formatBytes(demoSize)}`);
    const first = cluster.normalPeers[0]!;
    print(`try it:   node core/dist/cli/dfget.js ${cluster.origin.url} -O /tmp/demo.bin -e ${first.socketPath}`);
    if (flags.withProxy) print(`          curl -x http://127.0.0.1:${first.ports.proxy} ${cluster.origin.url} -o /tmp/demo.bin`);
    if (results.some((result) => !result.ok)) throw createError(ErrorCodes.INTERNAL, 'a demo download failed; see the logs above');
    print('status (from each role\'s /metrics and /healthy):');
    await board.start();
    if (flags.exit) return await stop();
    print(process.stdout.isTTY ? 'running; the table refreshes; Ctrl-C stops everything.' : 'running; Ctrl-C stops everything.');
    await interrupted;
    await stop();
  } catch (error) {
    await stop().catch(() => undefined);
    if ((error as { code?: string }).code === ErrorCodes.CANCELLED) return;
    throw error;
  }
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once (exit code 130). */
function waitForSignal(): Promise<void> {
  return new Promise((resolveSignal) => {
    let seen = false;
    const handler = () => {
      if (seen) process.exit(130);
      seen = true;
      resolveSignal();
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

function printEndpoints(cluster: LocalCluster, demoSize: number, dataDir: string, print: (line: string) => void): void {
  print(`  origin     ${cluster.origin.url} (${formatBytes(demoSize)}, sha256 ${cluster.origin.sha256.slice(0, 12)}…)`);
  print(`  manager    grpc 127.0.0.1:${cluster.manager!.grpcPort}  rest http://127.0.0.1:${cluster.manager!.restPort}  sqlite ${cluster.manager!.dbPath}`);
  print(`  scheduler  127.0.0.1:${cluster.scheduler!.port}  metrics :${cluster.scheduler!.metricsPort}  (registered with the manager; peers find it there)`);
  print(`             console user root: its generated password is printed once in ${dataDir}/logs/manager.log`);
  for (const peer of cluster.peers) {
    print(
      `  ${peer.name.padEnd(10)} socket ${peer.socketPath}  upload :${peer.ports.upload}  pieces :${peer.ports.piece}  metrics :${peer.ports.metrics}  health :${peer.ports.health}  proxy :${peer.ports.proxy}`,
    );
  }
}

function printResults(results: readonly DemoDownload[], print: (line: string) => void): void {
  for (const result of results) {
    print(
      `  ${result.ok ? 'ok  ' : 'FAIL'} via ${result.peer.padEnd(8)} ${result.ms.toFixed(0).padStart(6)} ms  origin sent ${formatBytes(result.originBytes).padStart(9)}  pieces: ${result.traffic || '-'}`,
    );
    if (!result.ok) print(`       ${result.detail}`);
  }
}
