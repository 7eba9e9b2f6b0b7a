import { resolve } from 'node:path';

import { parseSize } from '../../common/units.js';
import { formatBytes } from '../../dfget/progress.js';
import { LocalCluster } from '../../up/LocalCluster.js';
import { createError, ErrorCodes } from '../../plugin-api/errors.js';

/** Flags of `d7y up`. */
export interface UpFlags {
  dataDir: string;
  peers: string;
  demoSize: string;
  exit?: boolean;
}

/** `d7y up`: a local cluster on loopback, a demo download through it, then runs until Ctrl-C (or exits with --exit). */
export async function up(flags: UpFlags): Promise<void> {
  const peers = Number(flags.peers);
  if (!Number.isInteger(peers) || peers < 1 || peers > 16) throw createError(ErrorCodes.INVALID_ARGUMENT, `--peers must be 1 to 16, got ${flags.peers}`);
  const demoSize = parseSize(flags.demoSize);
  const dataDir = resolve(flags.dataDir);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const cluster = new LocalCluster({ dataDir, peers, demoSize, print });
  const stop = async () => {
    print('stopping...');
    await cluster.stop();
  };
  try {
    print(`d7y local cluster — data and logs in ${dataDir}`);
    await cluster.start();
    print(`  origin     ${cluster.origin.url} (${formatBytes(demoSize)}, sha256 ${cluster.origin.sha256.slice(0, 12)}…)`);
    print(`  manager    grpc 127.0.0.1:${cluster.manager!.grpcPort}  rest http://127.0.0.1:${cluster.manager!.restPort}  sqlite ${cluster.manager!.dbPath}`);
    print(`  scheduler  127.0.0.1:${cluster.scheduler!.port}  metrics :${cluster.scheduler!.metricsPort}  (registered with the manager; peers find it there)`);
    print(`             console user root: its generated password is printed once in ${dataDir}/logs/manager.log`);
    for (const peer of cluster.peers) {
      print(
        `  ${peer.name.padEnd(10)} socket ${peer.socketPath}  upload :${peer.ports.upload}  pieces :${peer.ports.piece}  metrics :${peer.ports.metrics}  health :${peer.ports.health}`,
      );
    }
    print('demo downloads (dfget --digest sha256:…):');
    const results = await cluster.demo();
    for (const result of results) {
      print(
        `  ${result.ok ? 'ok  ' : 'FAIL'} via ${result.peer.padEnd(8)} ${result.ms.toFixed(0).padStart(6)} ms  origin sent ${formatBytes(result.originBytes).padStart(9)}  pieces: ${result.traffic || '-'}`,
      );
      if (!result.ok) print(`       ${result.detail}`);
    }
    print('bytes served to other peers:');
    for (const upload of await cluster.uploads()) print(`  ${upload.name.padEnd(10)} ${formatBytes(upload.bytes)}`);
    print(`origin sent ${formatBytes(cluster.origin.bytesSent)} in total for ${cluster.normalPeers.length} downloads of ${formatBytes(demoSize)}`);
    const first = cluster.normalPeers[0]!;
    print(`try it:   node core/dist/cli/dfget.js ${cluster.origin.url} -O /tmp/demo.bin -e ${first.socketPath}`);
    if (results.some((result) => !result.ok)) throw createError(ErrorCodes.INTERNAL, 'a demo download failed; see the logs above');
    if (flags.exit) return await stop();
    print('running; Ctrl-C stops everything.');
    await new Promise<void>((resolveWait) => {
      const handler = () => resolveWait();
      process.once('SIGINT', handler);
      process.once('SIGTERM', handler);
    });
    await stop();
  } catch (error) {
    await cluster.stop().catch(() => undefined);
    throw error;
  }
}
