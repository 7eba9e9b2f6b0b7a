/**
 * One `S3Client` per (endpoint, region, credentials), built on first use and kept until `close()`. Every
 * connection goes through the host's egress policy: the endpoint URL is checked before the client is built,
 * and the agents resolve names with the policy's `lookup`, so each connection is checked after DNS.
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { createError, ErrorCodes, type EgressPolicy, type ObjectStorageOptions } from '@d7y/core/plugin-api';

import type { S3SourceConfig } from './config.js';
import { loadS3Sdk } from './sdk.js';

/** Validates an endpoint: an absolute http(s) URL without credentials, allowed by the egress policy. */
export function checkEndpoint(endpoint: string, egress: EgressPolicy): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `--storage-endpoint ${JSON.stringify(endpoint)} is not an absolute URL like https://s3.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `--storage-endpoint must be an http or https URL, got ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw createError(ErrorCodes.INVALID_ARGUMENT, '--storage-endpoint must not carry credentials; use --storage-access-key-id and --storage-access-key-secret');
  }
  egress.checkUrl(url);
  return url;
}

/** Builds and caches S3 clients. */
export class S3ClientCache {
  private readonly clients = new Map<string, S3Client>();
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  /** For `--storage-insecure-skip-verify` only; made on first use. */
  private insecureAgent?: HttpsAgent;

  constructor(
    private readonly egress: EgressPolicy,
    private readonly config: S3SourceConfig,
  ) {
    const agentOptions = { keepAlive: true, lookup: egress.lookup, timeout: config.connectTimeout };
    this.httpAgent = new HttpAgent(agentOptions);
    this.httpsAgent = new HttpsAgent(agentOptions);
  }

  /**
   * The client for `options`: static credentials when both key id and secret are given (with the session
   * token if any), else the SDK's default credential chain; path-style addressing for custom endpoints.
   */
  async clientFor(options: ObjectStorageOptions | undefined): Promise<S3Client> {
    const o = options ?? {};
    if ((o.accessKeyId === undefined) !== (o.accessKeySecret === undefined)) {
      throw createError(ErrorCodes.INVALID_ARGUMENT, 'give both --storage-access-key-id and --storage-access-key-secret, or neither (to use the default credential chain)');
    }
    const region = o.region || this.config.defaultRegion;
    const key = createHash('sha256')
      .update(JSON.stringify([o.endpoint ?? '', region, o.accessKeyId ?? '', o.accessKeySecret ?? '', o.sessionToken ?? '', o.insecureSkipVerify === true]))
      .digest('hex');
    const cached = this.clients.get(key);
    if (cached) return cached;
    const clientConfig: S3ClientConfig = {
      region,
      maxAttempts: 1, // the task engine retries pieces itself
      requestHandler: {
        httpAgent: this.httpAgent,
        httpsAgent: o.insecureSkipVerify ? (this.insecureAgent ??= new HttpsAgent({ keepAlive: true, lookup: this.egress.lookup, rejectUnauthorized: false })) : this.httpsAgent,
        connectionTimeout: this.config.connectTimeout,
        requestTimeout: this.config.requestTimeout, // idle socket: a stalled body fails
      },
    };
    if (o.endpoint) {
      clientConfig.endpoint = checkEndpoint(o.endpoint, this.egress).toString();
      clientConfig.forcePathStyle = true;
    }
    if (o.accessKeyId !== undefined && o.accessKeySecret !== undefined) {
      clientConfig.credentials = { accessKeyId: o.accessKeyId, secretAccessKey: o.accessKeySecret, ...(o.sessionToken ? { sessionToken: o.sessionToken } : {}) };
    }
    const { S3Client } = await loadS3Sdk();
    const cachedMeanwhile = this.clients.get(key);
    if (cachedMeanwhile) return cachedMeanwhile;
    const client = new S3Client(clientConfig);
    this.clients.set(key, client);
    return client;
  }

  /** Destroys every client and the pooled connections. */
  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.insecureAgent?.destroy();
  }
}
