/**
 * The connection pool and single-request sender. One undici `Agent` keeps connections alive per origin; its
 * connector resolves names through the egress policy's `lookup`, so every connection (first hop or redirect)
 * is checked after DNS, at connect time. `send` also checks each URL before the request leaves.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

import { Agent, type Dispatcher } from 'undici';

import { createError, ErrorCodes, type EgressPolicy, type Logger } from '@d7y/core/plugin-api';

import type { HttpSourceConfig } from './config.js';
import { isConnectionReset, transportError } from './errors.js';
import { redactUrl } from './redact.js';
import type { Hop } from './redirects.js';

/** Timing and cancellation of one hop. */
export interface HopOptions {
  /** Milliseconds until response headers must have arrived. */
  headersTimeout: number;
  /** Milliseconds allowed between two body chunks. */
  bodyTimeout: number;
  signal?: AbortSignal;
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

/** Sends single requests through the agent, with the egress check and error mapping. */
export class Transport {
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
  async send(hop: Hop, options: HopOptions): Promise<Dispatcher.ResponseData> {
    this.egress.checkUrl(hop.url);
    this.warnIfInsecure(hop.url);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.agent.request({
          origin: hop.url.origin,
          path: `${hop.url.pathname}${hop.url.search}`,
          method: hop.method,
          headers: hop.headers,
          headersTimeout: options.headersTimeout,
          bodyTimeout: options.bodyTimeout,
          signal: options.signal,
          highWaterMark: 256 * 1024,
        });
      } catch (error) {
        if (attempt === 1 && isConnectionReset(error) && !options.signal?.aborted) continue;
        throw transportError(error, { attempt: hop, timeoutMs: options.headersTimeout, signal: options.signal });
      }
    }
  }

  /** Closes pooled connections once in-flight requests finish. */
  close(): Promise<void> {
    return this.agent.close();
  }

  private warnIfInsecure(url: URL): void {
    if (url.protocol !== 'https:' || !this.config.tls.insecureSkipVerify || this.warnedInsecure.has(url.origin)) return;
    this.warnedInsecure.add(url.origin);
    this.logger?.warn({ origin: redactUrl(url.origin) }, 'TLS certificate verification is disabled (tls.insecureSkipVerify) for this origin');
  }
}
