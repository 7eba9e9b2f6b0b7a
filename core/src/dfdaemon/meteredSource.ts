/**
 * Wraps a back-to-source client so that every request it makes is counted in Dragonfly's
 * `dragonfly_client_backend_request_*` metrics (by URL scheme and method: HEAD for stat/exists, GET for get).
 * The duration is the time until the origin answered; the body streams untouched.
 */
import type { SourceClient } from '../plugin-api/index.js';
import type { DfdaemonMetrics } from './metrics.js';

const wrapped = new WeakMap<SourceClient, SourceClient>();

/** The metered view of `client` (one per client, so repeated look-ups allocate nothing). */
export function meteredSource(client: SourceClient, metrics: DfdaemonMetrics): SourceClient {
  let view = wrapped.get(client);
  if (!view) {
    view = meter(client, metrics);
    wrapped.set(client, view);
  }
  return view;
}

function meter(client: SourceClient, metrics: DfdaemonMetrics): SourceClient {
  const timed = async <T>(url: URL, method: string, call: () => Promise<T>): Promise<T> => {
    const labels = { scheme: url.protocol.replace(/:$/, ''), method };
    metrics.backendRequestTotal.inc(labels);
    const started = performance.now();
    try {
      return await call();
    } catch (error) {
      metrics.backendRequestFailureTotal.inc(labels);
      throw error;
    } finally {
      metrics.backendRequestDuration.observe(labels, performance.now() - started);
    }
  };
  return {
    schemes: () => client.schemes(),
    stat: (request) => timed(request.url, 'HEAD', () => client.stat(request)),
    get: (request) => timed(request.url, 'GET', () => client.get(request)),
    exists: (request) => timed(request.url, 'HEAD', () => client.exists(request)),
    ...(client.close ? { close: () => client.close!() } : {}),
  };
}
