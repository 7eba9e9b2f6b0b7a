import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';

import { Tracing, traceparentOf } from './Tracing.js';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('Tracing', () => {
  it('is off unless both tracing.protocol and tracing.endpoint are set, and then passes the caller context through', () => {
    for (const config of [undefined, {}, { protocol: 'http' as const }, { endpoint: 'localhost:4318' }]) {
      const tracing = Tracing.create(config, 'svc');
      expect(tracing.enabled).toBe(false);
      expect(tracing).toBe(Tracing.off());
    }
    const span = Tracing.off().startSpan('x', PARENT);
    expect(span.traceparent).toBe(PARENT);
    expect(Tracing.off().startSpan('x', undefined).traceparent).toBeUndefined();
  });

  it('records spans with the service name, continues a parent trace and marks errors', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = Tracing.create({ serviceName: 'my-scheduler' }, 'default-name', exporter);
    expect(tracing.enabled).toBe(true);
    const child = tracing.startSpan('child', PARENT, { a: 1 }, 'server');
    expect(child.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    child.end(new Error('boom'));
    child.end();
    const root = tracing.startSpan('root', undefined);
    root.end();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const spans = exporter.getFinishedSpans();
    await tracing.shutdown();
    expect(spans.map((span) => span.name)).toEqual(['child', 'root']);
    expect(spans[0]!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(spans[0]!.status.code).toBe(2);
    expect(spans[0]!.resource.attributes['service.name']).toBe('my-scheduler');
    expect(spans[1]!.parentSpanContext).toBeUndefined();
  });

  it('reads a well-formed traceparent from gRPC metadata and HTTP headers, and ignores anything else', () => {
    const metadata = new Metadata();
    metadata.set('traceparent', PARENT);
    expect(traceparentOf(metadata)).toBe(PARENT);
    expect(traceparentOf({ traceparent: PARENT })).toBe(PARENT);
    expect(traceparentOf({ traceparent: 'garbage' })).toBeUndefined();
    expect(traceparentOf(new Metadata())).toBeUndefined();
  });
});
