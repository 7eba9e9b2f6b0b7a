/**
 * OpenTelemetry tracing for every role, configured with Dragonfly's `tracing.*` keys (protocol, endpoint,
 * path, serviceName, headers) and off unless both protocol and endpoint are set.
 *
 * Context crosses processes as a W3C `traceparent` string: in gRPC metadata and HTTP headers under the key
 * `traceparent`, and inside a process on the objects that carry a download (no global context manager, so
 * nothing is paid on the piece path). Spans are coarse on purpose: one per download, announce stream or seed
 * trigger, never one per piece. When tracing is off, `startSpan` returns a shared no-op span that passes the
 * caller's `traceparent` through, so a trace still continues across a role that does not export.
 */
import { Metadata } from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer, type Context, type Attributes } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpHttpExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

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

const propagator = new W3CTraceContextPropagator();

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
    const spanExporter = exporter ?? otlpExporter(config!);
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': typeof config?.serviceName === 'string' && config.serviceName ? config.serviceName : defaultServiceName }),
      spanProcessors: [exporter ? new SimpleSpanProcessor(spanExporter) : new BatchSpanProcessor(spanExporter, { scheduledDelayMillis: 1000 })],
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
    const parentContext = parent ? extract(parent) : ROOT_CONTEXT;
    const span = this.tracer.startSpan(name, { attributes, kind: KINDS[kind] }, parentContext);
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, { set: (c, k, v) => void (c[k] = v) });
    let ended = false;
    return {
      traceparent: carrier[TRACEPARENT],
      set: (more) => span.setAttributes(more),
      end: (error) => {
        if (ended) return;
        ended = true;
        if (error !== undefined) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
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

const KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL } as const;

const NOOP_SPAN: TraceSpan = Object.freeze({ traceparent: undefined, set: () => undefined, end: () => undefined });

function extract(traceparent: string): Context {
  return propagator.extract(ROOT_CONTEXT, { [TRACEPARENT]: traceparent }, { get: (c, k) => c[k], keys: (c) => Object.keys(c) });
}

/** The OTLP exporter for `tracing.protocol`: http(s) posts to `<protocol>://<endpoint><path>`, grpc dials `endpoint`. */
function otlpExporter(config: TracingConfig): SpanExporter {
  const headers = { ...config.headers };
  const endpoint = config.endpoint!.replace(/^[a-z]+:\/\//, '');
  if (config.protocol === 'grpc') {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
    return new OtlpGrpcExporter({ url: `http://${endpoint}`, metadata });
  }
  return new OtlpHttpExporter({ url: `${config.protocol}://${endpoint}${config.path ?? '/v1/traces'}`, headers });
}

/** The `traceparent` of incoming gRPC metadata or HTTP headers, when present and well-formed. */
export function traceparentOf(source: { get(key: string): unknown[] } | Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const raw = typeof (source as { get?: unknown }).get === 'function' ? (source as { get(key: string): unknown[] }).get(TRACEPARENT)[0] : (source as Record<string, unknown>)[TRACEPARENT];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' && /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/.test(value) ? value : undefined;
}
