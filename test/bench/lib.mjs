// Shared helpers for benchmarks: temp dirs, free ports, a file origin, dfdaemon processes, timing and CPU.
import { spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { stringify } from 'yaml';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = {
  dfdaemon: join(REPO, 'core/dist/cli/dfdaemon.js'),
  dfget: join(REPO, 'core/dist/cli/dfget.js'),
};
export const MiB = 1024 * 1024;

export const tempDir = (prefix) => mkdtempSync(join(tmpdir(), `d7y-bench-${prefix}-`));

import { freePort } from '../../core/dist/common/freePort.js';

export { freePort };

/** Writes `size` random bytes; returns the sha256 hex. */
export function writeRandomFile(path, size) {
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  const chunk = Buffer.allocUnsafe(Math.min(Math.max(size, 1), 16 * MiB));
  for (let done = 0; done < size; ) {
    const n = Math.min(chunk.length, size - done);
    randomFillSync(chunk, 0, n);
    writeSync(fd, chunk, 0, n);
    hash.update(chunk.subarray(0, n));
    done += n;
  }
  closeSync(fd);
  return hash.digest('hex');
}

/** A plain Node HTTP/1.1 file server with ranges (also the P6 baseline), counting bytes sent. */
export async function fileOrigin(dir, highWaterMark = 64 * 1024) {
  const state = { bytes: 0, port: 0 };
  const server = createServer((req, res) => {
    const file = join(dir, decodeURIComponent((req.url ?? '/').split('?')[0]));
    let size;
    try {
      size = statSync(file).size;
    } catch {
      return void res.writeHead(404).end();
    }
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    res.writeHead(m ? 206 : 200, {
      'content-length': String(Math.max(0, end - start + 1)),
      'accept-ranges': 'bytes',
      ...(m ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === 'HEAD' || size === 0) return void res.end();
    createReadStream(file, { start, end, highWaterMark })
      .on('data', (c) => (state.bytes += c.length))
      .pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  state.port = server.address().port;
  state.url = (name) => `http://127.0.0.1:${state.port}/${name}`;
  state.close = () => new Promise((r) => { server.closeAllConnections(); server.close(r); });
  return state;
}

/** Starts a dfdaemon on free loopback ports; resolves when /healthy answers. */
export async function startDaemon(name, extra = {}) {
  const dir = tempDir(name);
  const ports = {};
  for (const key of ['upload', 'piece', 'metrics', 'health', 'proxy', 'stats']) ports[key] = await freePort();
  const socketPath = join(dir, 'dfdaemon.sock');
  const config = {
    host: { hostname: name, ip: '127.0.0.1' },
    server: { pluginDir: join(dir, 'plugins') },
    download: { server: { socketPath } },
    upload: { server: { ip: '127.0.0.1', port: ports.upload } },
    storage: { dir: join(dir, 'storage'), server: { ip: '127.0.0.1', tcpPort: ports.piece } },
    metrics: { server: { ip: '127.0.0.1', port: ports.metrics } },
    health: { server: { ip: '127.0.0.1', port: ports.health } },
    stats: { server: { ip: '127.0.0.1', port: ports.stats } },
    proxy: { server: { ip: '127.0.0.1', port: ports.proxy } },
    log: { level: 'warn' },
    ...extra,
  };
  mkdirSync(join(dir, 'plugins'), { recursive: true });
  writeFileSync(join(dir, 'dfdaemon.yaml'), stringify(config));
  const child = spawn(process.execPath, [BIN.dfdaemon, '--config', join(dir, 'dfdaemon.yaml')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dfdaemon ${name} exited ${child.exitCode}`);
    if ((await httpStatus(ports.health, '/healthy')) === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    dir,
    socketPath,
    ports,
    pid: child.pid,
    stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }),
  };
}

function httpStatus(port, path) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 1000 }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Runs a command; resolves with {code, ms, stderr}. */
export function run(cmd, args) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, ms: performance.now() - started, stderr }));
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** GETs a URL and discards the body; resolves with bytes read. */
export function drain(url, agent) {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (c) => (bytes += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${url}: ${res.statusCode}`))));
    }).on('error', reject).end();
  });
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
