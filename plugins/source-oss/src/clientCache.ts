/**
 * One ali-oss client per (endpoint, region, bucket, credentials), built on first use. The endpoint is
 * checked by the host's egress policy before the client is built, and the agents resolve names with the
 * policy's `lookup`, so every connection is checked after DNS.
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

import type OSS from 'ali-oss';
import { createError, ErrorCodes, type EgressPolicy, type ObjectStorageOptions } from '@d7y/core/plugin-api';

/** Validates the endpoint: required, an absolute http(s) URL without credentials, allowed by the egress policy. */
export function checkOssEndpoint(endpoint: string | undefined, egress: EgressPolicy): URL {
  if (!endpoint) throw createError(ErrorCodes.INVALID_ARGUMENT, 'oss URLs need --storage-endpoint (for example https://oss-cn-hangzhou.aliyuncs.com)');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `--storage-endpoint ${JSON.stringify(endpoint)} is not an absolute URL like https://oss-cn-hangzhou.aliyuncs.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `--storage-endpoint must be an http or https URL, got ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.username !== '' || url.password !== '') throw createError(ErrorCodes.INVALID_ARGUMENT, '--storage-endpoint must not carry credentials');
  egress.checkUrl(url);
  return url;
}

/** Builds and caches ali-oss clients. */
export class OssClientCache {
  private readonly clients = new Map<string, OSS>();
  private readonly agent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  private readonly insecureAgent: HttpsAgent;

  constructor(private readonly egress: EgressPolicy) {
    this.agent = new HttpAgent({ keepAlive: true, lookup: egress.lookup });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, lookup: egress.lookup });
    this.insecureAgent = new HttpsAgent({ keepAlive: true, lookup: egress.lookup, rejectUnauthorized: false });
  }

  /** The client for `bucket` with `options`: endpoint and both keys are required, the STS token is optional. */
  async clientFor(bucket: string, options: ObjectStorageOptions | undefined, timeoutMs: number): Promise<OSS> {
    const o = options ?? {};
    const endpoint = checkOssEndpoint(o.endpoint, this.egress);
    if (!o.accessKeyId || !o.accessKeySecret) {
      throw createError(ErrorCodes.INVALID_ARGUMENT, 'oss URLs need --storage-access-key-id and --storage-access-key-secret');
    }
    const key = createHash('sha256')
      .update(JSON.stringify([endpoint.href, o.region ?? '', bucket, o.accessKeyId, o.accessKeySecret, o.securityToken ?? '', o.insecureSkipVerify === true, timeoutMs]))
      .digest('hex');
    const cached = this.clients.get(key);
    if (cached) return cached;
    // ali-oss is imported on first use (~180 ms and its memory saved at start when no oss:// URL is seen).
    const { default: Oss } = await import('ali-oss');
    const raced = this.clients.get(key);
    if (raced) return raced;
    const client = new Oss({
      bucket,
      endpoint: endpoint.origin,
      secure: endpoint.protocol === 'https:',
      accessKeyId: o.accessKeyId,
      accessKeySecret: o.accessKeySecret,
      ...(o.securityToken ? { stsToken: o.securityToken } : {}),
      ...(o.region ? { region: o.region } : {}),
      timeout: timeoutMs,
      // Not in @types/ali-oss, but honoured by the client (lib/client.js): our agents carry the egress lookup.
      ...({ retryMax: 0, agent: this.agent, httpsAgent: o.insecureSkipVerify ? this.insecureAgent : this.httpsAgent } as object),
    });
    this.clients.set(key, client);
    return client;
  }

  /** Forgets the clients and closes pooled connections. */
  close(): void {
    this.clients.clear();
    this.agent.destroy();
    this.httpsAgent.destroy();
    this.insecureAgent.destroy();
  }
}
