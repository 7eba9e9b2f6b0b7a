/**
 * dfdaemon's HTTP(S) proxy and registry mirror (spec section 7) on `proxy.server.port`, bound to loopback unless
 * configured otherwise. Origin-form requests are registry-mirror requests, absolute-form requests are forwarded,
 * and CONNECT tunnels are intercepted with the proxy CA. GETs matching `proxy.rules` (OCI blobs by default) go
 * through P2P; everything else is passed through. Limits: request rate (429), basic auth (407), header size and
 * count, header and request timeouts, connections per client address.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

import { createError, ErrorCodes, isD7yError } from '../../common/errors.js';
import type { DfdaemonConfig } from '../../config/index.js';
import type { EgressPolicy, Logger, StorageEngine } from '../../plugin-api/index.js';
import { TokenBucket } from '../../common/TokenBucket.js';
import type { DfdaemonMetrics } from '../metrics.js';
import type { TaskEngine } from '../task/TaskEngine.js';
import { BasicAuth, rawHeaderValues } from './auth.js';
import { parseControlHeaders, type ControlOptions } from './controlHeaders.js';
import { serveThroughP2P, type P2PContext } from './p2pResponse.js';
import { PassThrough } from './passThrough.js';
import { sendDownloadError, sendError } from './respond.js';
import { blobDigest, resolveTarget, RuleSet, applyRule, type Target } from './target.js';
import { CertificateAuthority } from './tls/CertificateAuthority.js';
import { checkTunnelEgress, openInterceptedTunnel, parseConnectTarget, refuseConnect as refuse } from './tunnel.js';

/** Request header bytes accepted (Node answers 431 above). */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Header lines looked at per request. */
const MAX_HEADERS = 128;
/** A client must send its headers within this time. */
const HEADERS_TIMEOUT_MS = 20_000;
/** A client must send its whole request (headers and body) within this time. */
const REQUEST_TIMEOUT_MS = 300_000;
/** Open connections per client address. */
const MAX_CONNECTIONS_PER_ADDRESS = 512;
/** Open connections in total. */
const MAX_CONNECTIONS = 4096;
/** TLS handshakes inside CONNECT tunnels must finish within this time. */
const TLS_HANDSHAKE_TIMEOUT_MS = 20_000;

/** What the proxy is built from. */
export interface ProxyServerOptions {
  config: DfdaemonConfig['proxy'];
  engine: TaskEngine;
  storage: StorageEngine;
  egress: EgressPolicy;
  logger: Logger;
  hostIp: string;
  /** Directory of the generated CA when none is configured. */
  caDir: string;
  /** Where request counts go (`dragonfly_client_proxy_request_*`). */
  metrics?: DfdaemonMetrics;
}

const isLoopback = (address: string | undefined) =>
  address !== undefined && (/^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address));

/** The proxy server. */
export class ProxyServer {
  private readonly server: Server;
  private readonly inner: Server;
  private readonly limiter: TokenBucket;
  private readonly auth: BasicAuth | undefined;
  private readonly rules: RuleSet;
  private readonly passThrough: PassThrough;
  private readonly p2p: P2PContext;
  private readonly tunnels = new WeakMap<object, string>();
  private readonly perAddress = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private ca: CertificateAuthority | undefined;
  private boundPort = 0;
  private boundIp = '';

  constructor(private readonly options: ProxyServerOptions, extraCa?: string) {
    const { config, logger } = options;
    this.limiter = new TokenBucket(config.server.requestRateLimit);
    this.auth = config.server.basicAuth ? new BasicAuth(config.server.basicAuth) : undefined;
    this.rules = new RuleSet(config.rules);
    this.passThrough = new PassThrough(options.egress, logger, extraCa);
    this.p2p = {
      engine: options.engine,
      storage: options.storage,
      logger,
      hostIp: options.hostIp,
      prefetch: config.prefetch,
      disableBackToSource: config.disableBackToSource,
      enableTaskIdBasedBlobDigest: config.registryMirror.enableTaskIDBasedBlobDigest,
    };
    const serverOptions = { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS };
    this.server = createServer(serverOptions, (req, res) => this.handle(req, res, undefined));
    this.inner = createServer(serverOptions, (req, res) => this.handle(req, res, this.tunnels.get(req.socket)));
    for (const server of [this.server, this.inner]) server.maxHeadersCount = MAX_HEADERS;
    this.server.maxConnections = MAX_CONNECTIONS;
    this.server.on('connection', (socket: Socket) => this.admit(socket));
    this.server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => void this.connect(req, socket, head));
  }

  /** Loads or creates the CA, then listens; resolves with the bound port. */
  async listen(): Promise<number> {
    const { config } = this.options;
    this.ca = await CertificateAuthority.load({ caCert: config.server.caCert, caKey: config.server.caKey, dir: this.options.caDir });
    const ip = config.server.ip ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error: NodeJS.ErrnoException) =>
        reject(createError(ErrorCodes.UNAVAILABLE, `the proxy cannot listen on ${ip}:${config.server.port} (proxy.server): ${error.code ?? error.message}`, { cause: error })),
      );
      this.server.listen(config.server.port, ip, () => resolve());
    });
    this.boundIp = ip;
    this.boundPort = (this.server.address() as AddressInfo).port;
    if (!isLoopback(ip) && !this.auth) {
      this.options.logger.warn({ ip, port: this.boundPort }, 'the proxy listens beyond loopback without proxy.server.basicAuth: anyone who can reach it can use it');
    }
    this.options.logger.info({ ip, port: this.boundPort, ca: this.ca.certificatePath }, 'proxy listening');
    return this.boundPort;
  }

  /** The CA certificate clients must trust for intercepted HTTPS (PEM file path). */
  get caCertificatePath(): string | undefined {
    return this.ca?.certificatePath;
  }

  /** Stops listening and cuts open connections. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.passThrough.close();
    await closed;
  }

  private admit(socket: Socket): void {
    const address = socket.remoteAddress ?? '';
    const count = (this.perAddress.get(address) ?? 0) + 1;
    if (count > MAX_CONNECTIONS_PER_ADDRESS) {
      socket.destroy();
      return;
    }
    this.perAddress.set(address, count);
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
  }

  private authorised(req: IncomingMessage): boolean {
    return !this.auth || this.auth.check(rawHeaderValues(req.rawHeaders, 'proxy-authorization'));
  }

  private handle(req: IncomingMessage, res: ServerResponse, tunnel: string | undefined): void {
    const { metrics } = this.options;
    metrics?.proxyRequestTotal.inc();
    res.once('close', () => {
      if (res.getHeader('x-dragonfly-error-type') === 'proxy') metrics?.proxyRequestFailureTotal.inc();
    });
    if (!this.limiter.take()) return sendError(res, 429, 'proxy', 'too many requests; retry later', { 'retry-after': '1' });
    if (tunnel === undefined && !this.authorised(req)) {
      return sendError(res, 407, 'proxy', 'proxy authentication required', { 'proxy-authenticate': 'Basic realm="d7y"' });
    }
    let control: ControlOptions;
    let target: Target;
    try {
      control = parseControlHeaders(req.headers, { loopback: isLoopback(req.socket.remoteAddress) });
      target = resolveTarget(req.url ?? '/', { registryHeader: control.registry, mirrorAddr: this.options.config.registryMirror.addr, tunnel });
    } catch (error) {
      return sendDownloadError(res, error);
    }
    if (this.isSelf(target.url)) return sendError(res, 403, 'proxy', 'the proxy does not forward requests to itself');
    const rule = this.rules.match(target.url);
    if (req.method === 'GET' && (rule !== undefined || control.useP2P)) {
      const url = applyRule(target.url, rule);
      metrics?.proxyRequestViaDfdaemonTotal.inc();
      res.once('close', () => {
        if (!res.writableFinished || res.statusCode >= 400) metrics?.proxyRequestViaDfdaemonFailureTotal.inc();
      });
      const digest = blobDigest(url);
      this.admitBlob(req, res, url, digest)
        .then((admitted) => (admitted ? serveThroughP2P(this.p2p, req, res, { url, rule, control, digest, remoteIp: req.socket.remoteAddress ?? '' }) : undefined))
        .catch((error: unknown) => {
          this.options.logger.error({ err: error }, 'proxy P2P answer failed');
          sendDownloadError(res, error);
        });
      return;
    }
    this.passThrough.forward(req, res, target.url);
  }

  /**
   * `proxy.registryMirror.verifyBlobAccess`: a blob is served through P2P (possibly from a cache filled with
   * someone else's credentials) only if the registry lets this client read it. A refusal (401 with its
   * challenge, 403, 404) goes back as the registry sent it; a registry that cannot be asked fails closed (502).
   */
  private async admitBlob(req: IncomingMessage, res: ServerResponse, url: URL, digest: string | undefined): Promise<boolean> {
    if (!digest || !this.options.config.registryMirror.verifyBlobAccess) return true;
    let answer;
    try {
      answer = await this.passThrough.checkAccess(req, url);
    } catch (error) {
      if (isD7yError(error) && error.code === ErrorCodes.EGRESS_DENIED) sendError(res, 403, 'proxy', error.message);
      else sendError(res, 502, 'proxy', `cannot check access to the blob with ${url.host}: ${(error as Error).message}`);
      return false;
    }
    if (answer.allowed) return true;
    const headers: string[] = [];
    for (let i = 0; i + 1 < answer.headers.length; i += 2) {
      if (!/^(content-length|transfer-encoding)$/i.test(answer.headers[i]!)) headers.push(answer.headers[i]!, answer.headers[i + 1]!);
    }
    res.writeHead(answer.status, [...headers, 'Content-Length', '0', 'X-Dragonfly-Error-Type', 'backend'] as unknown as Record<string, string>);
    res.end();
    return false;
  }

  private isSelf(url: URL): boolean {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (port !== this.boundPort) return false;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return isLoopback(host) || host === 'localhost' || host === this.boundIp || host === this.options.hostIp || host === '0.0.0.0';
  }

  private async connect(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    this.options.metrics?.proxyRequestTotal.inc();
    const refuseConnect = (...args: Parameters<typeof refuse>) => {
      this.options.metrics?.proxyRequestFailureTotal.inc();
      refuse(...args);
    };
    if (!this.limiter.take()) return refuseConnect(socket, 429, 'too many requests; retry later', { 'Retry-After': '1' });
    if (!this.authorised(req)) return refuseConnect(socket, 407, 'proxy authentication required', { 'Proxy-Authenticate': 'Basic realm="d7y"' });
    let target;
    try {
      target = parseConnectTarget(req.url);
      await checkTunnelEgress(this.options.egress, target);
    } catch (error) {
      if (isD7yError(error) && error.code === ErrorCodes.INVALID_ARGUMENT) return refuseConnect(socket, 400, error.message);
      if (isD7yError(error) && error.code === ErrorCodes.EGRESS_DENIED) return refuseConnect(socket, 403, error.message);
      return refuseConnect(socket, 502, `cannot resolve the CONNECT target: ${(error as Error).message}`);
    }
    if (socket.destroyed || !this.ca) return;
    let tls: TLSSocket;
    try {
      tls = openInterceptedTunnel(socket, head, target, this.ca);
    } catch (error) {
      this.options.logger.warn({ target: target.authority, err: error }, 'cannot open an intercepted tunnel');
      return refuseConnect(socket, 502, 'cannot intercept this tunnel');
    }
    const handshake = setTimeout(() => tls.destroy(), TLS_HANDSHAKE_TIMEOUT_MS);
    tls.once('secure', () => clearTimeout(handshake));
    tls.on('error', (error) => {
      clearTimeout(handshake);
      this.options.logger.debug({ target: target.authority, err: error }, 'intercepted tunnel failed');
      tls.destroy();
    });
    tls.once('close', () => clearTimeout(handshake));
    this.tunnels.set(tls, target.authority);
    this.inner.emit('connection', tls);
  }
}
