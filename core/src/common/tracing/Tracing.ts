/**
 * OpenTelemetry tracing for every role, configured with Dragonfly's `tracing.*` keys (protocol, endpoint,
 * path, serviceName, headers) and off unless both protocol and endpoint are set.
 *
 * Context crosses processes as a W3C `traceparent` string: in gRPC metadata and HTTP headers under the key
 * `traceparent`, and inside a process on the objects that carry a download (no global context manager, so
 * nothing is paid on the piece path). Spans are coarse on purpose: one per download, announce stream or seed
 * trigger, never one per piece. When tracing is off, `startSpan` returns a shared no-op span that passes the
 * caller's `traceparent` through, so a trace still continues across a role that does not export.
 *
 * The OpenTelemetry SDK and exporters are loaded only when tracing is turned on (they cost ~100 ms at start).
 */
import { createRequire } from 'node:module';

import { Metadata } from '@grpc/grpc-js';
import type { Attributes, Context, Tracer } from '@opentelemetry/api';
import type { BasicTracerProvider, SpanExporter } from '@opentelemetry/sdk-trace-base';

const requireOtel = createRequire(import.meta.url);

/** The OpenTelemetry modules a recording tracer uses, loaded on first need. */
interface Otel {
  readonly api: typeof import('@opentelemetry/api');
  readonly propagator: import('@opentelemetry/core').W3CTraceContextPropagator;
  readonly sdk: typeof import('@opentelemetry/sdk-trace-base');
  readonly resources: typeof import('@opentelemetry/resources');
}

let otel: Otel | undefined;

function loadOtel(): Otel {
  if (!otel) {
    const core = requireOtel('@opentelemetry/core') as typeof import('@opentelemetry/core');
    otel = {
      api: requireOtel('@opentelemetry/api') as typeof import('@opentelemetry/api'),
      propagator: new core.W3CTraceContextPropagator(),
      sdk: requireOtel('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base'),
      resources: requireOtel('@opentelemetry/resources') as typeof import('@opentelemetry/resources'),
    };
  }
  return otel;
}

/** The metadata / header key carrying the W3C trace context. */
export const TRACEPARENT = 'traceparent';

/** The `tracing` section of a role's config (all roles share these keys). */
export interface TracingConfig {
  readonly protocol?: 'http' | 'https' | 'grpc';
  readonly endpoint?: string;
  readonly path?: string;
  /** Only the Go roles' files have it; dfdaemon reports its default name. */
  readonly serviceName?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One span, reduced to what d7y needs. */
export interface TraceSpan {
  /** The `traceparent` to hand to the next hop (the incoming one, unchanged, when tracing is off). */
  readonly traceparent: string | undefined;
  /** Adds attributes (ignored when tracing is off). */
  set(attributes: Attributes): void;
  /** Ends the span, marked as an error when `error` is given. Idempotent. */
  end(error?: unknown): void;
}

/** A role's tracer; `Tracing.off()` when tracing is not configured. */
export class Tracing {
  static #off: Tracing | undefined;

  private constructor(
    private readonly tracer: Tracer | undefined,
    private readonly provider: BasicTracerProvider | undefined,
  ) {}

  /** The disabled tracer: spans cost nothing and pass the parent's context through. */
  static off(): Tracing {
    return (Tracing.#off ??= new Tracing(undefined, undefined));
  }

  /**
   * Tracing for `config` (off unless protocol and endpoint are set). `exporter` replaces the OTLP exporter
   * (tests use an in-memory one); it is exported span by span instead of in batches.
   */
  static create(config: TracingConfig | undefined, defaultServiceName: string, exporter?: SpanExporter): Tracing {
    if (!exporter && !(config?.protocol && config.endpoint)) return Tracing.off();
    const { sdk, resources } = loadOtel();
    const spanExporter = exporter ?? otlpExporter(config!);
    const provider = new sdk.BasicTracerProvider({
      resource: resources.resourceFromAttributes({ 'service.name': typeof config?.serviceName === 'string' && config.serviceName ? config.serviceName : defaultServiceName }),
      spanProcessors: [exporter ? new sdk.SimpleSpanProcessor(spanExporter) : new sdk.BatchSpanProcessor(spanExporter, { scheduledDelayMillis: 1000 })],
    });
    return new Tracing(provider.getTracer('d7y'), provider);
  }

  /** True when spans are recorded and exported. */
  get enabled(): boolean {
    return this.tracer !== undefined;
  }

  /** Starts a span, child of `parent` (a `traceparent`) when given; server spans for incoming calls. */
  startSpan(name: string, parent: string | undefined, attributes: Attributes = {}, kind: 'server' | 'client' | 'internal' = 'internal'): TraceSpan {
    if (!this.tracer) return parent === undefined ? NOOP_SPAN : { ...NOOP_SPAN, traceparent: parent };
    const { api, propagator } = loadOtel();
    const parentContext = parent ? extract(parent) : api.ROOT_CONTEXT;
    const kinds = { server: api.SpanKind.SERVER, client: api.SpanKind.CLIENT, internal: api.SpanKind.INTERNAL } as const;
    const span = this.tracer.startSpan(name, { attributes, kind: kinds[kind] }, parentContext);
    const carrier: Record<string, string> = {};
    propagator.inject(api.trace.setSpan(api.ROOT_CONTEXT, span), carrier, { set: (c, k, v) => void (c[k] = v) });
    let ended = false;
    return {
      traceparent: carrier[TRACEPARENT],
      set: (more) => span.setAttributes(more),
      end: (error) => {
        if (ended) return;
        ended = true;
        if (error !== undefined) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        }
        span.end();
      },
    };
  }

  /** Exports what is buffered and stops (call on shutdown; bounded by the exporter's own timeout). */
  async shutdown(): Promise<void> {
    await this.provider?.shutdown();
  }
}

const NOOP_SPAN: TraceSpan = Object.freeze({ traceparent: undefined, set: () => undefined, end: () => undefined });

function extract(traceparent: string): Context {
  const { api, propagator } = loadOtel();
  return propagator.extract(api.ROOT_CONTEXT, { [TRACEPARENT]: traceparent }, { get: (c, k) => c[k], keys: (c) => Object.keys(c) });
}

/** The OTLP exporter for `tracing.protocol`: http(s) posts to `<protocol>://<endpoint><path>`, grpc dials `endpoint`. */
function otlpExporter(config: TracingConfig): SpanExporter {
  const headers = { ...config.headers };
  const endpoint = config.endpoint!.replace(/^[a-z]+:\/\//, '');
  if (config.protocol === 'grpc') {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
    const grpcExporter = requireOtel('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
    return new grpcExporter.OTLPTraceExporter({ url: `http://${endpoint}`, metadata });
  }
  const httpExporter = requireOtel('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  return new httpExporter.OTLPTraceExporter({ url: `${config.protocol}://${endpoint}${config.path ?? '/v1/traces'}`, headers });
}

/** The `traceparent` of incoming gRPC metadata or HTTP headers, when present and well-formed. */
export function traceparentOf(source: { get(key: string): unknown[] } | Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const raw = typeof (source as { get?: unknown }).get === 'function' ? (source as { get(key: string): unknown[] }).get(TRACEPARENT)[0] : (source as Record<string, unknown>)[TRACEPARENT];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' && /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/.test(value) ? value : undefined;
}
