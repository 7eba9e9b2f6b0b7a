/** A small client for `grpc.health.v1.Health`, used by `d7y up`, probes and tests. */
import { type ChannelCredentials, credentials } from '@grpc/grpc-js';
import { grpcChannelOptions, loadProtos } from '@d7y/proto';

/** What Check answered: a status name, or the gRPC error when the call failed. */
export type HealthCheckResult = { ok: true; status: string } | { ok: false; code: number; details: string };

/** Calls Health/Check on `addr` (`host:port` or `unix:///path`) for `service` ('' = whole server). */
export function checkHealth(addr: string, service = '', options: { timeoutMs?: number; credentials?: ChannelCredentials } = {}): Promise<HealthCheckResult> {
  const client = new (loadProtos().grpc.health.v1.Health)(addr, options.credentials ?? credentials.createInsecure(), grpcChannelOptions());
  return new Promise<HealthCheckResult>((resolve) => {
    client.Check({ service }, { deadline: Date.now() + (options.timeoutMs ?? 2000) }, (error, response) => {
      client.close();
      if (error) resolve({ ok: false, code: error.code, details: error.details });
      else resolve({ ok: true, status: String(response!.status) });
    });
  });
}
