import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP origin serving one demo file with byte ranges, counting the bytes it sends. */
export class DemoOrigin {
  private server!: Server;
  bytesSent = 0;
  port = 0;
  sha256 = '';

  constructor(
    private readonly file: string,
    readonly size: number,
  ) {}

  /** Writes the demo file (random bytes) and starts serving it on 127.0.0.1. */
  async start(): Promise<void> {
    const data = Buffer.allocUnsafe(this.size);
    randomFillSync(data);
    writeFileSync(this.file, data);
    this.sha256 = createHash('sha256').update(data).digest('hex');
    this.server = createServer((req, res) => {
      if ((req.url ?? '').split('?')[0] !== '/demo.bin') return void res.writeHead(404).end();
      const size = statSync(this.file).size;
      const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      const start = match ? Number(match[1]) : 0;
      const end = match && match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
      res.writeHead(match ? 206 : 200, {
        'content-length': String(end - start + 1),
        'accept-ranges': 'bytes',
        ...(match ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
      });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(this.file, { start, end })
        .on('data', (chunk) => (this.bytesSent += chunk.length))
        .pipe(res);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/demo.bin`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
