// Swarm topology for the benchmarks (reference/performance.md 6.2): a bridge in the root namespace on a private
// /24, node 0 (origin + seed) and nodes 1..N (peers) each in their own network namespace joined to the bridge by a
// veth pair, tbf on each node's egress (U for peers, B0 for node 0). Names carry a random suffix so concurrent runs
// never collide, and everything is torn down on every exit path (finally, process exit, signals).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect } from 'node:net';

const SUBNET_PREFIX = '10.231'; // 10.231.X.0/24, X chosen per run; never 10.88.0.0/24 or 10.213.77.0/24
const live = new Set(); // topologies not yet destroyed
const children = new Set(); // processes spawned into namespaces, killed by pid on exit

const sh = (cmd, args) =>
  new Promise((resolve, reject) =>
    execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
    ),
  );
const shSync = (cmd, args) => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch {
    // best effort during teardown
  }
};

/** Kills every tracked child and deletes every live topology, synchronously (safe inside 'exit'). */
function teardownAllSync() {
  for (const child of children) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
  for (const topo of live) topo.destroySync();
}

let handlersInstalled = false;
function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', teardownAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}: tearing down namespaces`);
      teardownAllSync();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
  process.on('uncaughtException', (error) => {
    console.error(error);
    teardownAllSync();
    process.exit(1);
  });
}

/** Ethernet (14) + IPv4 (20) + TCP with timestamps (32) bytes per packet, as counted by tbf on a veth. */
export const HEADER_BYTES_PER_PACKET = 66;

/** Egress between two sentBytes() readings: wire bytes and TCP payload (headers removed). NaN when unknown. */
export function egressBetween(before, after) {
  if (!before || !after) return { wire: NaN, payload: NaN };
  const wire = after.bytes - before.bytes;
  return { wire, payload: wire - HEADER_BYTES_PER_PACKET * (after.packets - before.packets) };
}

/** True when we can create network namespaces (root, iproute2 present, kernel support). */
export async function namespacesAvailable() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { ok: false, reason: 'not running as root' };
  const probe = `d7yprobe-${randomBytes(3).toString('hex')}`;
  try {
    await sh('ip', ['netns', 'add', probe]);
    await sh('ip', ['netns', 'exec', probe, 'tc', 'qdisc', 'show']);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `network namespaces unavailable: ${error.message.split('\n')[0]}` };
  } finally {
    shSync('ip', ['netns', 'del', probe]);
  }
}

function pickSubnet() {
  const used = execFileSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' }) + execFileSync('ip', ['-4', 'route'], { encoding: 'utf8' });
  for (let attempt = 0; attempt < 200; attempt++) {
    const x = 1 + Math.floor(Math.random() * 250);
    if (!used.includes(`${SUBNET_PREFIX}.${x}.`)) return `${SUBNET_PREFIX}.${x}`;
  }
  throw new Error(`no free /24 under ${SUBNET_PREFIX}.0.0/16`);
}

/**
 * Creates the topology. `nodes` = N + 1 (node 0 is the origin site); `rates[i]` is node i's egress cap in Mbit/s
 * (0 = unshaped). Returns helpers to run commands inside a node's namespace and read its tbf counters.
 */
export async function createTopology({ nodes, rates }) {
  installExitHandlers();
  const suffix = randomBytes(3).toString('hex'); // 6 hex chars
  const net = pickSubnet();
  const bridge = `d7b${suffix}`; // 9 chars
  const topo = {
    suffix,
    bridge,
    hostIp: `${net}.1`,
    subnet: `${net}.0/24`,
    nodes: [],
    destroyed: false,
    destroySync() {
      if (topo.destroyed) return;
      topo.destroyed = true;
      for (const node of topo.nodes) shSync('ip', ['netns', 'del', node.ns]);
      shSync('ip', ['link', 'del', bridge]);
      live.delete(topo);
    },
    async destroy() {
      for (const child of [...children]) if (child.topo === topo) await killChild(child);
      topo.destroySync();
    },
  };
  live.add(topo);
  try {
    await sh('ip', ['link', 'add', bridge, 'type', 'bridge']);
    await sh('ip', ['addr', 'add', `${topo.hostIp}/24`, 'dev', bridge]);
    await sh('ip', ['link', 'set', bridge, 'up']);
    for (let i = 0; i < nodes; i++) {
      const node = { index: i, ns: `d7y-${suffix}-${i}`, ip: `${net}.${i + 2}`, vethHost: `d7h${i}x${suffix}`, vethNs: `d7n${i}x${suffix}`, rateMbit: rates[i] ?? 0 };
      topo.nodes.push(node);
      await sh('ip', ['netns', 'add', node.ns]);
      await sh('ip', ['link', 'add', node.vethHost, 'type', 'veth', 'peer', 'name', node.vethNs]);
      await sh('ip', ['link', 'set', node.vethNs, 'netns', node.ns]);
      await sh('ip', ['link', 'set', node.vethHost, 'master', bridge]);
      await sh('ip', ['link', 'set', node.vethHost, 'up']);
      const inNs = (...args) => sh('ip', ['netns', 'exec', node.ns, ...args]);
      await inNs('ip', 'addr', 'add', `${node.ip}/24`, 'dev', node.vethNs);
      await inNs('ip', 'link', 'set', 'lo', 'up');
      await inNs('ip', 'link', 'set', node.vethNs, 'up');
      // tbf always, so the Sent counter exists even when unshaped (then a very high rate).
      const rate = node.rateMbit > 0 ? `${node.rateMbit}mbit` : '100gbit';
      await inNs('tc', 'qdisc', 'add', 'dev', node.vethNs, 'root', 'tbf', 'rate', rate, 'burst', '256kb', 'latency', '100ms');
    }
    // Wait until the bridge forwards (ports leave the learning state).
    await waitReachable(topo, topo.nodes[0]);
  } catch (error) {
    await topo.destroy();
    throw error;
  }
  return Object.assign(topo, {
    /** Spawns `cmd args` inside node i's namespace (tracked; killed on exit). */
    spawnIn(i, cmd, args, options = {}) {
      return spawnTracked('ip', ['netns', 'exec', topo.nodes[i].ns, cmd, ...args], options, topo);
    },
    /** Runs a command inside node i's namespace to completion. */
    execIn(i, cmd, args) {
      return sh('ip', ['netns', 'exec', topo.nodes[i].ns, cmd, ...args]);
    },
    /** {bytes, packets} the tbf on node i's egress has sent (wire bytes incl. L2-L4 headers; GSO counted per segment). */
    async sentBytes(i) {
      const out = await sh('ip', ['netns', 'exec', topo.nodes[i].ns, 'tc', '-s', 'qdisc', 'show', 'dev', topo.nodes[i].vethNs]);
      const m = /Sent (\d+) bytes (\d+) pkt/.exec(out);
      if (!m) throw new Error(`no tbf counters on ${topo.nodes[i].vethNs}: ${out}`);
      return { bytes: Number(m[1]), packets: Number(m[2]) };
    },
  });
}

async function waitReachable(topo, node) {
  const deadline = Date.now() + 10_000;
  const server = createServer((s) => s.end());
  await new Promise((r) => server.listen(0, topo.hostIp, r));
  const port = server.address().port;
  try {
    while (Date.now() < deadline) {
      try {
        await sh('ip', ['netns', 'exec', node.ns, process.execPath, '-e', `require('net').connect(${port}, '${topo.hostIp}').on('connect', () => process.exit(0)).on('error', () => process.exit(1)); setTimeout(() => process.exit(1), 500)`]);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`bridge ${topo.bridge} does not forward from ${node.ns}`);
  } finally {
    server.close();
  }
}

/** spawn() that remembers the child so that it is killed on every exit path. */
export function spawnTracked(cmd, args, options = {}, topo = undefined) {
  installExitHandlers();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const entry = { pid: child.pid, child, topo };
  children.add(entry);
  child.once('exit', () => children.delete(entry));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export function stopProcess(child, graceMs = 3000) {
  for (const entry of children) if (entry.child === child) return killChild(entry, graceMs);
  return killChild({ child, pid: child.pid }, graceMs);
}

function killChild(entry, graceMs = 3000) {
  const { child } = entry;
  children.delete(entry);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(entry.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(entry.pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/**
 * Measures node i's egress rate in Mbit/s to the root namespace (over its tbf) with iperf3 when installed, else a
 * Node TCP sender/sink. Several nodes can be measured at once (`indexes`): returns one rate per index.
 */
export async function measureEgress(topo, indexes, seconds = 2) {
  const haveIperf = await sh('iperf3', ['--version']).then(() => true, () => false);
  return Promise.all(indexes.map((i) => (haveIperf ? iperfOnce(topo, i, seconds) : nodeRateOnce(topo, i, seconds))));
}

export async function freePortOn(ip) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, ip, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Download rate into node i from the root namespace (iperf3 -R: the bridge side sends), Mbit/s; NaN without iperf3. */
export async function measureIngress(topo, i, seconds = 1) {
  const haveIperf = await sh('iperf3', ['--version']).then(() => true, () => false);
  return haveIperf ? iperfOnce(topo, i, seconds, ['-R']) : NaN;
}

async function iperfOnce(topo, i, seconds, extra = []) {
  const port = await freePortOn(topo.hostIp);
  const server = spawnTracked('iperf3', ['-s', '-1', '--forceflush', '-B', topo.hostIp, '-p', String(port)]);
  try {
    // Not a connect probe: a one-off (-1) server would count it as its session.
    await new Promise((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (c) => (out += c) && /listening/i.test(out) && resolve());
      server.once('exit', (code) => reject(new Error(`iperf3 server exited ${code}: ${out}`)));
    });
    const out = await topo.execIn(i, 'iperf3', ['-c', topo.hostIp, '-p', String(port), '-t', String(seconds), '-J', ...extra]);
    const result = JSON.parse(out);
    if (!result.end?.sum_received) throw new Error(`iperf3: ${result.error ?? out.slice(0, 200)}`);
    return result.end.sum_received.bits_per_second / 1e6;
  } finally {
    await stopProcess(server, 500);
  }
}

async function nodeRateOnce(topo, i, seconds) {
  const port = await freePortOn(topo.hostIp);
  let bytes = 0;
  let first = 0;
  let last = 0;
  const server = createServer((socket) =>
    socket.on('data', (chunk) => {
      const now = performance.now();
      if (!first) first = now;
      last = now;
      bytes += chunk.length;
    }),
  );
  await new Promise((r) => server.listen(port, topo.hostIp, r));
  try {
    const script = `const s=require('net').connect(${port},'${topo.hostIp}');const b=Buffer.alloc(65536);const end=Date.now()+${seconds * 1000};const w=()=>{while(Date.now()<end){if(!s.write(b))return s.once('drain',w)}s.end()};s.on('connect',w)`;
    await topo.execIn(i, process.execPath, ['-e', script]);
    await new Promise((r) => setTimeout(r, 200));
    return (bytes * 8) / ((last - first) / 1000) / 1e6;
  } finally {
    server.close();
  }
}

export async function waitPort(host, port, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${host}:${port} did not open in ${timeoutMs} ms`);
}
