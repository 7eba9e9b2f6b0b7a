/**
 * The connection pool and single-request sender. One undici `Agent` keeps connections alive per origin; its
 * connector resolves names through the egress policy's `lookup`, so every connection (first hop or redirect)
 * is checked after DNS, at connect time. `send` also checks each URL before the request leaves.
 *
 * Requests go through undici's low-level `dispatch` with a handler that writes body chunks straight into the
 * caller's `CountingBody`: one stream between socket and consumer (measured about 1.6x the throughput of
 * `request()` plus a wrapper stream).
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

import { Agent, type Dispatcher } from 'undici';

import { createError, ErrorCodes, type EgressPolicy, type Logger } from '@d7y/core/plugin-api';

import type { HttpSourceConfig } from './config.js';
import { CountingBody, type BodyErrors } from './countingStream.js';
import { isConnectionReset, protocolError, transportError, type FailureContext, type RawHeaders } from './errors.js';
import { parseContentLength } from './range.js';
import type { Hop } from './redirects.js';

/** Timing and cancellation of one hop. */
export interface HopOptions {
  /** Milliseconds until response headers must have arrived. */
  headersTimeout: number;
  /** Milliseconds allowed between two body chunks. */
  bodyTimeout: number;
  /** The caller's timeout, for messages. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** An origin's answer; `body` is already receiving and must be read or discarded. */
export interface OriginResponse {
  statusCode: number;
  statusText: string;
  /** Lower-case names. */
  headers: RawHeaders;
  /** Expects `Content-Length` bytes (0 for HEAD, 204 and 304; -1 when unknown) until narrowed with `expect()`. */
  body: CountingBody;
}

/** Reads the configured CA file; `D7Y_ERR_INVALID_CONFIG` when it cannot be read or holds no certificate. */
function loadCa(path: string): string[] {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (cause) {
    throw createError(ErrorCodes.INVALID_CONFIG, `tls.caCert: cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw createError(ErrorCodes.INVALID_CONFIG, `tls.caCert: ${path} holds no PEM certificate`);
  }
  return [...rootCertificates, pem];
}

/** Builds the pooled agent for `config`, with the egress lookup on every connection. */
export function createAgent(config: HttpSourceConfig, egress: EgressPolicy): Agent {
  return new Agent({
    connections: config.maxConnectionsPerHost,
    pipelining: 1,
    keepAliveTimeout: config.keepAliveTimeout,
    connect: {
      timeout: config.connectTimeout,
      lookup: egress.lookup,
      rejectUnauthorized: !config.tls.insecureSkipVerify,
      ...(config.tls.caCert !== undefined ? { ca: loadCa(config.tls.caCert) } : {}),
    },
  });
}

function bodyErrors(ctx: FailureContext): BodyErrors {
  return {
    truncated: (received, expected) => transportError(new Error('connection ended early'), { ...ctx, received, expected }),
    tooLong: (received, expected) => protocolError(ctx.attempt, `origin sent more than expected: got at least ${received} of ${expected} bytes`),
    failed: (error, received, expected) => transportError(error, { ...ctx, received, expected }),
  };
}

/** Runs one dispatch: resolves with the answer at its headers, then feeds the body. */
function dispatchOnce(agent: Dispatcher, hop: Hop, options: HopOptions): Promise<OriginResponse> {
  const { signal } = options;
  const ctx: FailureContext = { attempt: hop, timeoutMs: options.timeoutMs, signal };
  return new Promise<OriginResponse>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let body: CountingBody | undefined;
    const onAbort = () => controller?.abort(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    const done = () => signal?.removeEventListener('abort', onAbort);
    signal?.addEventListener('abort', onAbort, { once: true });
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (signal?.aborted) onAbort();
      },
      onResponseStart(c, statusCode, headers, statusText) {
        if (statusCode < 200) return; // 1xx informational answers precede the real one
        const noBody = hop.method === 'HEAD' || statusCode === 204 || statusCode === 304;
        const expected = noBody ? 0 : parseContentLength(headers['content-length']);
        body = new CountingBody(c, expected, bodyErrors(ctx));
        resolve({ statusCode, statusText: statusText ?? '', headers, body });
      },
      onResponseData(_c, chunk) {
        body?.write(chunk);
      },
      onResponseEnd() {
        done();
        body?.end();
      },
      onResponseError(_c, error) {
        done();
        if (body) body.fail(error);
        else reject(error);
      },
    };
    try {
      agent.dispatch(
        {
          origin: hop.url.origin,
          path: `${hop.url.pathname}${hop.url.search}`,
          method: hop.method,
          headers: hop.headers,
          headersTimeout: options.headersTimeout,
          bodyTimeout: options.bodyTimeout,
        },
        handler,
      );
    } catch (error) {
      done();
      reject(error);
    }
  });
}

/** Sends single requests through the agent, with the egress check and error mapping. */
export class Transport {
  /** Origins already warned about, bounded so a long-lived daemon does not grow it forever. */
  private readonly warnedInsecure = new Set<string>();

  constructor(
    private readonly agent: Dispatcher,
    private readonly egress: EgressPolicy,
    private readonly config: HttpSourceConfig,
    private readonly logger: Logger | undefined,
  ) {}

  /**
   * Sends one request without following redirects. A request that fails because a pooled connection was
   * reset before any answer is sent once more on a fresh connection (GET and HEAD are idempotent).
   */
  async send(hop: Hop, options: HopOptions): Promise<OriginResponse> {
    const ctx: FailureContext = { attempt: hop, timeoutMs: options.timeoutMs, signal: options.signal };
    if (options.signal?.aborted) throw transportError(options.signal.reason, ctx);
    this.egress.checkUrl(hop.url);
    this.warnIfInsecure(hop.url);
    for (let attempt = 1; ; attempt++) {
      try {
        return await dispatchOnce(this.agent, hop, options);
      } catch (error) {
        if (attempt === 1 && isConnectionReset(error) && !options.signal?.aborted) continue;
        throw transportError(error, ctx);
      }
    }
  }

  /** Closes pooled connections once in-flight requests finish. */
  close(): Promise<void> {
    return this.agent.close();
  }

  private warnIfInsecure(url: URL): void {
    if (url.protocol !== 'https:' || !this.config.tls.insecureSkipVerify || this.warnedInsecure.has(url.origin)) return;
    if (this.warnedInsecure.size >= 1024) this.warnedInsecure.clear();
    this.warnedInsecure.add(url.origin);
    this.logger?.warn({ origin: url.origin }, 'TLS certificate verification is disabled (tls.insecureSkipVerify) for this origin');
  }
}
