/**
 * An OSS protocol test server: the part of the Alibaba Cloud OSS REST API that d7y's oss source uses
 * (HeadObject, GetObject with byte ranges and `x-oss-range-behavior: standard`, ListObjectsV2 with
 * continuation tokens), with the OSS V1 signature (`Authorization: OSS <id>:<base64 HMAC-SHA1>`) and the STS
 * header `x-oss-security-token` verified exactly. Written from the OSS API documentation and the notes in
 * shared/reference/real-clients.md section 7.3. The bucket comes from the first label of `Host` (ali-oss
 * sends `Host: <bucket>.oss-<region>.aliyuncs.com` to an IP endpoint). Objects live in memory; body bytes
 * sent are counted.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { resolveRange } from './byteRange.js';

/** A key pair the server accepts; with `securityToken`, requests must carry it (STS credentials). */
export interface OssTestCredential {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** Query parameters that are signed as sub-resources (the ones this server's clients send). */
const SUB_RESOURCES = new Set(['continuation-token', 'objectMeta', 'acl', 'uploads', 'x-oss-process']);

const xmlEscape = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

interface StoredObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
}

/** Serves OSS over HTTP on 127.0.0.1; see the file comment. */
export class OssProtocolServer {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  bytesSent = 0;
  readonly requests: string[] = [];
  port = 0;

  constructor(private readonly options: { credentials: OssTestCredential[]; maxKeysPerPage?: number }) {}

  /** `http://127.0.0.1:<port>`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  put(bucket: string, key: string, body: Buffer | string): this {
    const data = Buffer.from(body);
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
    this.buckets.get(bucket)!.set(key, { body: data, etag: `"${createHash('md5').update(data).digest('hex').toUpperCase()}"`, lastModified: new Date() });
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const raw = req.url ?? '/';
    this.requests.push(`${req.method} ${req.headers.host} ${raw}`);
    const head = req.method === 'HEAD';
    const [rawPath, rawQuery = ''] = raw.split('?', 2) as [string, string?];
    const bucketName = String(req.headers.host ?? '').split('.')[0] ?? '';
    const key = decodeURIComponent(rawPath.slice(1));
    const query = new URLSearchParams(rawQuery);
    const denied = this.authenticate(req, bucketName, key, query);
    if (denied) return this.error(res, 403, denied.code, denied.message, head);
    const bucket = this.buckets.get(bucketName);
    if (!bucket) return this.error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist.', head);
    if (key === '' && req.method === 'GET') return this.list(res, bucketName, bucket, query);
    const object = bucket.get(key);
    if (!object) return this.error(res, 404, 'NoSuchKey', 'The specified key does not exist.', head);
    const headers: Record<string, string | number> = {
      etag: object.etag,
      'last-modified': object.lastModified.toUTCString(),
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      'x-oss-request-id': 'd7y-test',
      'x-oss-object-type': 'Normal',
    };
    if (head) {
      res.writeHead(200, { ...headers, 'content-length': object.body.length });
      return void res.end();
    }
    const range = resolveRange(req.headers.range, object.body.length);
    const standard = req.headers['x-oss-range-behavior'] === 'standard';
    if (range === 'unsatisfiable' && standard) return this.error(res, 416, 'InvalidRange', 'The requested range cannot be satisfied.');
    const resolved = range === 'unsatisfiable' ? undefined : range; // real OSS ignores a bad range without the standard behaviour
    const slice = resolved ? object.body.subarray(resolved.start, resolved.end + 1) : object.body;
    if (resolved) headers['content-range'] = `bytes ${resolved.start}-${resolved.end}/${object.body.length}`;
    res.writeHead(resolved ? 206 : 200, { ...headers, 'content-length': slice.length });
    this.bytesSent += slice.length;
    res.end(slice);
  }

  private list(res: ServerResponse, name: string, bucket: Map<string, StoredObject>, query: URLSearchParams): void {
    const prefix = query.get('prefix') ?? '';
    const maxKeys = Math.min(Number(query.get('max-keys') ?? 100), this.options.maxKeysPerPage ?? 1000);
    const after = query.get('continuation-token') ?? '';
    const keys = [...bucket.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const contents = page
      .map((k) => {
        const o = bucket.get(k)!;
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Type>Normal</Type><Size>${o.body.length}</Size><StorageClass>Standard</StorageClass></Contents>`;
      })
      .join('');
    const body =
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${xmlEscape(name)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><MaxKeys>${maxKeys}</MaxKeys>` +
      `<KeyCount>${page.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${xmlEscape(page[page.length - 1]!)}</NextContinuationToken>` : ''}${contents}</ListBucketResult>`;
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-oss-request-id': 'd7y-test' });
    res.end(body);
  }

  /** Verifies the V1 signature; returns the OSS error to answer with, or undefined. */
  private authenticate(req: IncomingMessage, bucket: string, key: string, query: URLSearchParams): { code: string; message: string } | undefined {
    const match = /^OSS ([^:]+):(.+)$/.exec(String(req.headers.authorization ?? ''));
    if (!match) return { code: 'AccessDenied', message: 'AccessDenied: anonymous access is not allowed.' };
    const [, accessKeyId, signature] = match as unknown as [string, string, string];
    const credential = this.options.credentials.find((c) => c.accessKeyId === accessKeyId);
    if (!credential) return { code: 'InvalidAccessKeyId', message: 'The OSS Access Key Id you provided does not exist in our records.' };
    if (credential.securityToken !== undefined && req.headers['x-oss-security-token'] !== credential.securityToken) {
      return { code: 'InvalidSecurityToken', message: 'The security token you provided is invalid.' };
    }
    const ossHeaders = Object.keys(req.headers)
      .filter((name) => name.startsWith('x-oss-'))
      .sort()
      .map((name) => `${name}:${String(req.headers[name]).trim()}`);
    const subResources = [...query.keys()].filter((name) => SUB_RESOURCES.has(name)).sort();
    const resource = `/${bucket}/${key}${subResources.length ? `?${subResources.map((n) => (query.get(n) ? `${n}=${query.get(n)}` : n)).join('&')}` : ''}`;
    const stringToSign = [req.method, req.headers['content-md5'] ?? '', req.headers['content-type'] ?? '', req.headers['x-oss-date'] ?? req.headers.date ?? '', ...ossHeaders, resource].join('\n');
    const expected = createHmac('sha1', credential.accessKeySecret).update(stringToSign, 'utf8').digest('base64');
    if (expected !== signature) return { code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' };
    return undefined;
  }

  private error(res: ServerResponse, status: number, code: string, message: string, head = false): void {
    const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>d7y-test</RequestId><HostId>127.0.0.1</HostId></Error>`;
    const headers: Record<string, string | number> = { 'content-type': 'application/xml', 'x-oss-request-id': 'd7y-test' };
    // HEAD answers carry no body; OSS puts the error document, base64-encoded, in x-oss-err.
    if (head) headers['x-oss-err'] = Buffer.from(body).toString('base64');
    else headers['content-length'] = Buffer.byteLength(body);
    res.writeHead(status, headers);
    res.end(head ? undefined : body);
  }
}
