import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createEgressPolicy } from '../../../core/src/common/egress/EgressPolicyImpl.js';
import { fileHandler, makeContent, readAll, recordingLogger, rejectionOf, selfSignedCert, startServer, type TestServer } from '../test/servers.js';
import type { HttpSourceConfigInput } from './config.js';
import { HttpSourceClient } from './HttpSourceClient.js';

const content = makeContent(2048);
let cert: ReturnType<typeof selfSignedCert>;
let server: TestServer;
let client: HttpSourceClient | undefined;

beforeAll(async () => {
  cert = selfSignedCert();
  server = await startServer(fileHandler(content), { tls: { key: cert.key, cert: cert.cert } });
});
afterAll(async () => {
  await server.close();
  cert.cleanup();
});
afterEach(async () => {
  await client?.close();
  client = undefined;
});

const make = (config?: HttpSourceConfigInput, logger = recordingLogger()) => {
  client = new HttpSourceClient({ egress: createEgressPolicy(), logger, config });
  return client;
};

describe('https origins', () => {
  it('verifies certificates by default and fails with a clear error', async () => {
    const error = await rejectionOf(make().stat({ url: new URL(`${server.origin}/f`) }));
    expect(error.code).toBe('D7Y_ERR_SOURCE_ERROR');
    expect(error.message).toMatch(/^TLS verification failed for HEAD https:\/\/127\.0\.0\.1:\d+\/f: .*self[- ]signed/);
    expect(error.message).toMatch(/tls\.caCert/);
    expect(server.requests).toHaveLength(0);
  });

  it('trusts a configured CA certificate', async () => {
    const c = make({ tls: { caCert: cert.certPath } });
    expect((await c.stat({ url: new URL(`${server.origin}/f`) })).contentLength).toBe(2048);
    const body = await c.get({ url: new URL(`https://localhost:${server.port}/f`), range: { start: 1, length: 100 } });
    expect((await readAll(body.stream)).equals(content.subarray(1, 101))).toBe(true);
  });

  it('skips verification only when configured, warning once per origin', async () => {
    const logger = recordingLogger();
    const c = make({ tls: { insecureSkipVerify: true } }, logger);
    await c.stat({ url: new URL(`${server.origin}/f`) });
    await c.stat({ url: new URL(`${server.origin}/g`) });
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(2); // one at construction, one for this origin
    expect(warnings[1]!.fields).toEqual({ origin: server.origin });
  });

  it('refuses a missing CA file at construction', () => {
    expect(() => make({ tls: { caCert: '/nonexistent/ca.pem' } })).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_CONFIG' }));
  });
});
