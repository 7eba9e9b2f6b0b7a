/**
 * A WebHDFS protocol test server: a NameNode and a DataNode HTTP server, written from Hadoop's WebHDFS REST
 * documentation (shared/reference/real-clients.md section 7.1). The NameNode answers GETFILESTATUS and
 * LISTSTATUS (op names case-insensitive), and answers OPEN with `307 Temporary Redirect` to the DataNode,
 * carrying the original parameters plus `namenoderpcaddress`. The DataNode serves `[offset, offset+length)`.
 * With a delegation token configured, both check `delegation=`: absent is 401, wrong is 403
 * `SecretManager$InvalidToken`. Errors are `{"RemoteException":{...}}` documents. Files live in memory;
 * DataNode body bytes are counted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Serves WebHDFS on two loopback ports; see the file comment. */
export class WebHdfsProtocolServer {
  private namenode?: Server;
  private datanode?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly files = new Map<string, Buffer>();
  /** DataNode body bytes sent. */
  bytesSent = 0;
  /** Every request as `nn|dn METHOD url`. */
  readonly requests: string[] = [];
  namenodePort = 0;
  datanodePort = 0;

  constructor(private readonly options: { delegationToken?: string } = {}) {}

  /** `host:port` of the NameNode, for `hdfs://` URLs. */
  get authority(): string {
    return `127.0.0.1:${this.namenodePort}`;
  }

  /** Stores a file; its parent directories exist implicitly. */
  put(path: string, body: Buffer | string): this {
    this.files.set(path, Buffer.from(body));
    return this;
  }

  async start(): Promise<this> {
    this.namenode = await this.listen((req, res) => this.handleNamenode(req, res));
    this.datanode = await this.listen((req, res) => this.handleDatanode(req, res));
    this.namenodePort = (this.namenode.address() as AddressInfo).port;
    this.datanodePort = (this.datanode.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([this.namenode, this.datanode].map((server) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))));
  }

  private async listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
    const server = createServer(handler);
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  /** Parses `/webhdfs/v1/<path>?op=...`; answers the error itself and returns undefined when it cannot go on. */
  private parse(req: IncomingMessage, res: ServerResponse): { path: string; op: string; query: URLSearchParams } | undefined {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith('/webhdfs/v1')) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>not found</html>');
      return undefined;
    }
    const path = decodeURIComponent(url.pathname.slice('/webhdfs/v1'.length)) || '/';
    const op = (url.searchParams.get('op') ?? '').toUpperCase();
    const token = this.options.delegationToken;
    if (token !== undefined) {
      const given = url.searchParams.get('delegation');
      if (given === null) return void this.remote(res, 401, 'SecurityException', 'java.lang.SecurityException', 'Failed to obtain user group information: no delegation token');
      if (given !== token) return void this.remote(res, 403, 'SecretManager$InvalidToken', 'org.apache.hadoop.security.token.SecretManager$InvalidToken', `token (HDFS_DELEGATION_TOKEN token 7 for d7y) can't be found in cache`);
    }
    return { path: path.length > 1 ? path.replace(/\/$/, '') : path, op, query: url.searchParams };
  }

  private isDir(path: string): boolean {
    const prefix = path === '/' ? '/' : `${path}/`;
    return [...this.files.keys()].some((file) => file.startsWith(prefix));
  }

  private status(name: string, path: string) {
    const file = this.files.get(path);
    return {
      accessTime: 0,
      blockSize: 134217728,
      group: 'supergroup',
      length: file ? file.length : 0,
      modificationTime: 1764921600000,
      owner: 'd7y',
      pathSuffix: name,
      permission: file ? '644' : '755',
      replication: file ? 3 : 0,
      type: file ? 'FILE' : 'DIRECTORY',
    };
  }

  private handleNamenode(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push(`nn ${req.method} ${req.url}`);
    const parsed = this.parse(req, res);
    if (!parsed) return;
    const { path, op, query } = parsed;
    const exists = this.files.has(path) || this.isDir(path);
    if (!exists) return this.remote(res, 404, 'FileNotFoundException', 'java.io.FileNotFoundException', `File does not exist: ${path}`);
    if (op === 'GETFILESTATUS') return this.json(res, { FileStatus: this.status('', path) });
    if (op === 'LISTSTATUS') {
      if (this.files.has(path)) return this.json(res, { FileStatuses: { FileStatus: [this.status('', path)] } });
      const prefix = path === '/' ? '/' : `${path}/`;
      const children = new Set<string>();
      for (const file of this.files.keys()) if (file.startsWith(prefix)) children.add(file.slice(prefix.length).split('/')[0]!);
      return this.json(res, { FileStatuses: { FileStatus: [...children].sort().map((name) => this.status(name, `${prefix}${name}`)) } });
    }
    if (op === 'OPEN') {
      if (!this.files.has(path)) return this.remote(res, 404, 'FileNotFoundException', 'java.io.FileNotFoundException', `Path is not a file: ${path}`);
      const location = new URL(`http://127.0.0.1:${this.datanodePort}${(req.url ?? '').split('?')[0]}`);
      for (const [name, value] of query) location.searchParams.append(name, value);
      location.searchParams.set('namenoderpcaddress', '127.0.0.1:8020');
      res.writeHead(307, { location: location.toString(), 'content-length': 0 });
      return void res.end();
    }
    this.remote(res, 400, 'IllegalArgumentException', 'java.lang.IllegalArgumentException', `Invalid value for webhdfs parameter "op": No enum constant ${op}`);
  }

  private handleDatanode(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push(`dn ${req.method} ${req.url}`);
    const parsed = this.parse(req, res);
    if (!parsed) return;
    const file = this.files.get(parsed.path);
    if (parsed.op !== 'OPEN' || !file) return this.remote(res, 404, 'FileNotFoundException', 'java.io.FileNotFoundException', `File does not exist: ${parsed.path}`);
    const offset = Number(parsed.query.get('offset') ?? 0);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > file.length) {
      return this.remote(res, 400, 'IOException', 'java.io.IOException', `Offset=${offset} out of the range [0, ${file.length})`);
    }
    const lengthParam = parsed.query.get('length');
    const end = lengthParam === null ? file.length : Math.min(file.length, offset + Number(lengthParam));
    const slice = file.subarray(offset, end);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': slice.length });
    this.bytesSent += slice.length;
    res.end(slice);
  }

  private json(res: ServerResponse, body: unknown, status = 200): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private remote(res: ServerResponse, status: number, exception: string, javaClassName: string, message: string): void {
    this.json(res, { RemoteException: { exception, javaClassName, message } }, status);
  }
}
