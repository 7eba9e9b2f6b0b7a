/**
 * Tracing for dfget, configured by the standard OpenTelemetry environment (dfget has no config file):
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`) turns on a `dfget`
 * span exported over OTLP/HTTP, and `TRACEPARENT` makes dfget join an outer trace (a CI job, a script). The
 * OpenTelemetry SDK is imported only when an endpoint is set, so plain runs start as fast as before.
 */

/** dfget's span: the context to send to dfdaemon, and how to end it (flushing the export). */
export interface DfgetTrace {
  readonly traceparent: string | undefined;
  end(error?: unknown): Promise<void>;
}

/** Starts dfget's span for downloading `url` according to `env`. */
export async function startDfgetTrace(url: string, env: NodeJS.ProcessEnv = process.env): Promise<DfgetTrace> {
  const parent = env.TRACEPARENT || undefined;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || (env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces` : undefined);
  if (!endpoint) return { traceparent: parent, end: async () => undefined };
  const target = new URL(endpoint);
  const { Tracing } = await import('../common/tracing/Tracing.js');
  const tracing = Tracing.create(
    { protocol: target.protocol === 'https:' ? 'https' : 'http', endpoint: target.host, path: target.pathname, serviceName: env.OTEL_SERVICE_NAME || 'dfget' },
    'dfget',
  );
  const { redactUrl } = await import('../common/ids.js');
  const span = tracing.startSpan('dfget', parent, { 'url.full': redactUrl(url) }, 'client');
  return {
    traceparent: span.traceparent,
    end: async (error) => {
      span.end(error);
      await tracing.shutdown().catch(() => undefined);
    },
  };
}
