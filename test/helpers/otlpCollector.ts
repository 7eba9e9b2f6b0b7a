/** A tiny OTLP/HTTP (JSON) trace collector for tests: keeps every span it receives. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One received span with the service that sent it. */
export interface CollectedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  kind: number;
  attributes: Record<string, unknown>;
}

interface OtlpJson {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: Record<string, unknown> }> };
    scopeSpans?: Array<{ spans?: Array<{ name: string; traceId: string; spanId: string; parentSpanId?: string; kind?: number; attributes?: Array<{ key: string; value: Record<string, unknown> }> }> }>;
  }>;
}

/** Receives `POST /v1/traces` with JSON bodies (what @opentelemetry/exporter-trace-otlp-http sends). */
export class OtlpCollector {
  readonly spans: CollectedSpan[] = [];
  private server!: Server;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/v1/traces') this.ingest(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpJson);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** `host:port` for a role's `tracing.endpoint`. */
  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private ingest(body: OtlpJson): void {
    for (const resourceSpans of body.resourceSpans ?? []) {
      const attr = (list: Array<{ key: string; value: Record<string, unknown> }> | undefined) =>
        Object.fromEntries((list ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
      const service = String(attr(resourceSpans.resource?.attributes)['service.name'] ?? '');
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            service,
            name: span.name,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            kind: span.kind ?? 0,
            attributes: attr(span.attributes),
          });
        }
      }
    }
  }
}
