import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Server, ServerCredentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HealthService } from '../../core/src/common/health/HealthService.js';
import { BIN, runNode } from '../helpers/processes.js';

describe('d7y health (the probe used by docker-compose health checks)', () => {
  const health = new HealthService(['scheduler.v2.Scheduler']);
  const grpc = new Server();
  let grpcAddr = '';
  let status = 200;
  const http = createServer((_req, res) => res.writeHead(status).end());
  let httpUrl = '';

  beforeAll(async () => {
    health.addTo(grpc);
    const port = await new Promise<number>((resolve, reject) => grpc.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    grpcAddr = `127.0.0.1:${port}`;
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/healthy`;
  });
  afterAll(() => {
    grpc.forceShutdown();
    http.close();
  });

  it('passes on SERVING and fails on NOT_SERVING, unknown services and closed ports', async () => {
    let result = await runNode(BIN.d7y, ['health', '--grpc', grpcAddr]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('SERVING');
    result = await runNode(BIN.d7y, ['health', '--grpc', grpcAddr, '--service', 'no.Such']);
    expect(result.code).toBe(1);
    health.setNotServing();
    result = await runNode(BIN.d7y, ['health', '--grpc', grpcAddr]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('NOT_SERVING');
    result = await runNode(BIN.d7y, ['health', '--grpc', '127.0.0.1:1', '--timeout', '500']);
    expect(result.code).toBe(1);
  });

  it('checks an HTTP endpoint by status, and refuses ambiguous flags', async () => {
    status = 200;
    expect((await runNode(BIN.d7y, ['health', '--http', httpUrl])).code).toBe(0);
    status = 503;
    const failed = await runNode(BIN.d7y, ['health', '--http', httpUrl]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('HTTP 503');
    expect((await runNode(BIN.d7y, ['health', '--http', httpUrl, '--grpc', grpcAddr])).code).toBe(2);
  });
});
