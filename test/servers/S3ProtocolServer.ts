/**
 * An S3 protocol test server: the part of the Amazon S3 REST API that d7y's s3 source uses (HeadObject,
 * GetObject with byte ranges, ListObjectsV2 with pagination), path-style addressing, and AWS Signature
 * Version 4 verified exactly (header auth), so wrong keys, wrong secrets and missing session tokens fail as
 * they do on S3. Objects live in memory. It counts object body bytes sent, per object and in total.
 *
 * Written from the S3 API reference; used because no S3 server runs on these machines (s3rver is not a
 * dependency of this repository, and moto 5.2.1's server rejects the signature of ListObjectsV2 requests
 * whose prefix contains `/` once authentication is on).
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { resolveRange } from './byteRange.js';

/** A key pair the server accepts; with `sessionToken`, requests must carry it in `x-amz-security-token`. */
export interface S3TestCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

interface StoredObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string;
}

/** Options of the server. */
export interface S3ProtocolServerOptions {
  credentials: S3TestCredential[];
  /** Most keys one ListObjectsV2 page returns, whatever the client asks (forces pagination in tests). */
  maxKeysPerPage?: number;
}

const xmlEscape = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** RFC 3986 encoding as SigV4 requires (encodeURIComponent leaves !'()* alone). */
const rfc3986 = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256Hex = (data: string) => createHash('sha256').update(data).digest('hex');

/** Serves S3 over HTTP on 127.0.0.1; see the file comment. */
export class S3ProtocolServer {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private readonly sent = new Map<string, number>();
  /** Object body bytes sent in total. */
  bytesSent = 0;
  /** Every request as `METHOD path?query`, for assertions. */
  readonly requests: string[] = [];
  port = 0;

  constructor(private readonly options: S3ProtocolServerOptions) {}

  /** `http://127.0.0.1:<port>`, the endpoint clients use (path-style). */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Creates the bucket if needed and stores an object. */
  put(bucket: string, key: string, body: Buffer | string, contentType = 'application/octet-stream'): this {
    const data = Buffer.from(body);
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
    this.buckets.get(bucket)!.set(key, { body: data, etag: `"${createHash('md5').update(data).digest('hex')}"`, lastModified: new Date(), contentType });
    return this;
  }

  /** Creates an empty bucket. */
  bucket(name: string): this {
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
    return this;
  }

  /** Body bytes sent for `bucket/key`. */
  bytesFor(bucket: string, key: string): number {
    return this.sent.get(`${bucket}/${key}`) ?? 0;
  }

  resetCounters(): void {
    this.sent.clear();
    this.bytesSent = 0;
    this.requests.length = 0;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      try {
        this.handle(req, res);
      } catch (error) {
        this.error(res, 500, 'InternalError', (error as Error).message);
      }
    });
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
    this.requests.push(`${req.method} ${raw}`);
    const [rawPath, rawQuery = ''] = raw.split('?', 2) as [string, string?];
    const denied = this.authenticate(req, rawPath, rawQuery);
    if (denied) return this.error(res, 403, denied.code, denied.message, req.method === 'HEAD');
    const segments = rawPath.split('/').slice(1);
    const bucketName = decodeURIComponent(segments[0] ?? '');
    const key = segments.slice(1).map(decodeURIComponent).join('/');
    const bucket = this.buckets.get(bucketName);
    if (!bucket) return this.error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', req.method === 'HEAD');
    const query = new URLSearchParams(rawQuery);
    if (key === '' && req.method === 'GET') return this.list(res, bucketName, bucket, query);
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.error(res, 405, 'MethodNotAllowed', 'The specified method is not allowed');
    const object = bucket.get(key);
    if (!object) return this.error(res, 404, 'NoSuchKey', 'The specified key does not exist.', req.method === 'HEAD');
    const headers = {
      etag: object.etag,
      'last-modified': object.lastModified.toUTCString(),
      'content-type': object.contentType,
      'accept-ranges': 'bytes',
    };
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': object.body.length });
      return void res.end();
    }
    const range = resolveRange(req.headers.range, object.body.length);
    if (range === 'unsatisfiable') return this.error(res, 416, 'InvalidRange', 'The requested range is not satisfiable');
    const slice = range ? object.body.subarray(range.start, range.end + 1) : object.body;
    if (range) headers['content-range' as keyof typeof headers] = `bytes ${range.start}-${range.end}/${object.body.length}`;
    res.writeHead(range ? 206 : 200, { ...headers, 'content-length': slice.length });
    this.count(`${bucketName}/${key}`, slice.length);
    res.end(slice);
  }

  private count(id: string, bytes: number): void {
    this.bytesSent += bytes;
    this.sent.set(id, (this.sent.get(id) ?? 0) + bytes);
  }

  private list(res: ServerResponse, name: string, bucket: Map<string, StoredObject>, query: URLSearchParams): void {
    if (query.get('list-type') !== '2') return this.error(res, 400, 'InvalidArgument', 'only ListObjectsV2 (list-type=2) is implemented');
    const prefix = query.get('prefix') ?? '';
    const asked = Number(query.get('max-keys') ?? 1000);
    const maxKeys = Math.min(Number.isInteger(asked) && asked > 0 ? asked : 1000, this.options.maxKeysPerPage ?? 1000);
    const after = query.get('continuation-token') ?? query.get('start-after') ?? '';
    const keys = [...bucket.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const contents = page
      .map((k) => {
        const o = bucket.get(k)!;
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const body =
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(name)}</Name>` +
      `<Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      contents +
      (truncated ? `<NextContinuationToken>${xmlEscape(page[page.length - 1]!)}</NextContinuationToken>` : '') +
      '</ListBucketResult>';
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  /** Verifies SigV4 header auth; returns the S3 error to answer with, or undefined when the request is signed right. */
  private authenticate(req: IncomingMessage, rawPath: string, rawQuery: string): { code: string; message: string } | undefined {
    const auth = req.headers.authorization ?? '';
    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!match) return { code: 'AccessDenied', message: 'Access Denied' };
    const [, accessKeyId, date, region, signedHeaders, signature] = match as unknown as [string, string, string, string, string, string];
    const credential = this.options.credentials.find((c) => c.accessKeyId === accessKeyId);
    if (!credential) return { code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
    if (credential.sessionToken !== undefined && req.headers['x-amz-security-token'] !== credential.sessionToken) {
      return { code: 'InvalidToken', message: 'The provided token is malformed or otherwise invalid.' };
    }
    const canonicalQuery = rawQuery
      .split('&')
      .filter((pair) => pair !== '')
      .map((pair) => {
        const [k, v = ''] = pair.split('=', 2) as [string, string?];
        return [rfc3986(decodeURIComponent(k)), rfc3986(decodeURIComponent(v.replace(/\+/g, '%20')))] as const;
      })
      .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const names = signedHeaders.split(';');
    const canonicalHeaders = names.map((name) => `${name}:${String(req.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
    const payloadHash = String(req.headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD');
    const canonicalRequest = [req.method, rawPath, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
    const scope = `${date}/${region}/s3/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', String(req.headers['x-amz-date'] ?? ''), scope, sha256Hex(canonicalRequest)].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${credential.secretAccessKey}`, date), region), 's3'), 'aws4_request');
    if (hmac(key, stringToSign).toString('hex') !== signature) {
      return { code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
    }
    return undefined;
  }

  private error(res: ServerResponse, status: number, code: string, message: string, head = false): void {
    const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>d7y-test</RequestId></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', ...(head ? {} : { 'content-length': Buffer.byteLength(body) }), 'x-amz-request-id': 'd7y-test' });
    res.end(head ? undefined : body);
  }
}
