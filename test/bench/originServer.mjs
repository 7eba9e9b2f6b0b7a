// A plain HTTP/1.1 file origin with Range support, run as its own process (inside the origin's network
// namespace by swarm.mjs). Usage: node originServer.mjs <dir> <ip> <port>. Prints "listening" when ready.
// GET /__stats answers the bytes sent per path (application-level; the swarm's origin egress E is read from the
// tbf counters of the namespace's veth instead).
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const [dir, ip, port] = process.argv.slice(2);
const sent = {};
const requests = {};
const server = createServer((req, res) => {
  const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
  if (path === '/__stats') return void res.end(JSON.stringify({ sent, requests }));
  let size;
  try {
    size = statSync(join(dir, path)).size;
  } catch {
    return void res.writeHead(404).end();
  }
  requests[path] = (requests[path] ?? 0) + 1;
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const start = m ? Number(m[1]) : 0;
  const end = m && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  if (m && start >= size) return void res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
  res.writeHead(m ? 206 : 200, {
    'content-length': String(Math.max(0, end - start + 1)),
    'accept-ranges': 'bytes',
    'last-modified': new Date(0).toUTCString(),
    ...(m ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (req.method === 'HEAD' || size === 0) return void res.end();
  createReadStream(join(dir, path), { start, end, highWaterMark: 1024 * 1024 })
    .on('data', (c) => (sent[path] = (sent[path] ?? 0) + c.length))
    .pipe(res);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), ip, () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
