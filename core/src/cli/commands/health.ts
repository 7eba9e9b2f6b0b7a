import { checkHealth } from '../../common/health/healthClient.js';
import { createError, ErrorCodes } from '../../plugin-api/errors.js';

/** Flags of `d7y health`. */
export interface HealthFlags {
  grpc?: string;
  http?: string;
  service?: string;
  timeout: string;
}

/**
 * `d7y health`: a probe for container health checks (node:20-slim has no curl or grpc_health_probe). With
 * `--grpc host:port` it calls grpc.health.v1 Check (SERVING passes); with `--http URL` it GETs the URL (2xx
 * passes, e.g. `/healthy`). Prints the status and fails with UNAVAILABLE otherwise.
 */
export async function healthCommand(flags: HealthFlags): Promise<void> {
  const timeoutMs = Number(flags.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw createError(ErrorCodes.INVALID_ARGUMENT, `--timeout must be milliseconds > 0, got ${flags.timeout}`);
  if ((flags.grpc === undefined) === (flags.http === undefined)) throw createError(ErrorCodes.INVALID_ARGUMENT, 'give exactly one of --grpc <host:port> or --http <url>');
  if (flags.grpc !== undefined) {
    const result = await checkHealth(flags.grpc, flags.service ?? '', { timeoutMs });
    if (!result.ok) throw createError(ErrorCodes.UNAVAILABLE, `${flags.grpc}: health check failed: ${result.details} (gRPC code ${result.code})`);
    if (result.status !== 'SERVING') throw createError(ErrorCodes.UNAVAILABLE, `${flags.grpc}: ${result.status}`);
    process.stdout.write(`${flags.grpc}: SERVING\n`);
    return;
  }
  const url = flags.http!;
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).catch((cause: unknown) => {
    throw createError(ErrorCodes.UNAVAILABLE, `${url}: ${(cause as Error).message}`, { cause });
  });
  await response.body?.cancel();
  if (!response.ok) throw createError(ErrorCodes.UNAVAILABLE, `${url}: HTTP ${response.status}`);
  process.stdout.write(`${url}: HTTP ${response.status}\n`);
}
