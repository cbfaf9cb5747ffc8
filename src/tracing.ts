// OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-specific
// variable) is set; the SDK is imported only then. Spans come from the primary: one per API
// request and one per camera session (admission to close), never one per frame. The other
// OTEL_* variables (service name, headers, sampler) work as the SDK documents them.
import type { Span, Tracer } from '@opentelemetry/api';
import type { Logger } from './telemetry.js';

export interface CameraSessionStart {
  connId: number;
  app: string;
  room: string;
  keyId: string;
  streamId: string;
  shard: number;
  identity: string | null;
}

export interface Tracing {
  apiRequest(method: string, route: string | null, app: string | undefined, status: number, startMs: number): void;
  cameraOpened(s: CameraSessionStart): void;
  cameraClosed(connId: number, code: number, reason: string, frames: number, bytes: number): void;
  shutdown(): Promise<void>;
}

export function tracingEnabled(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) && env.OTEL_SDK_DISABLED !== 'true';
}

export async function startTracing(env: NodeJS.ProcessEnv, version: string, log: Logger): Promise<Tracing | null> {
  if (!tracingEnabled(env)) return null;
  const [{ NodeSDK }, { OTLPTraceExporter }, { BatchSpanProcessor }, { resourceFromAttributes }, api] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/api'),
  ]);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'framehub', 'service.version': version }),
    // A large queue so a reconnect storm of camera sessions is not dropped before export.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(), { maxQueueSize: 16384, maxExportBatchSize: 512, scheduledDelayMillis: 1000 })],
    instrumentations: [],
  });
  sdk.start();
  const tracer: Tracer = api.trace.getTracer('framehub', version);
  const sessions = new Map<number, Span>();
  log.info({ endpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT }, 'OpenTelemetry traces on');

  const tracing: Tracing = {
    apiRequest(method, route, app, status, startMs) {
      const span = tracer.startSpan(`${method} ${route ?? 'unmatched'}`, {
        kind: api.SpanKind.SERVER,
        startTime: startMs,
        attributes: { 'http.request.method': method, 'http.route': route ?? '', 'http.response.status_code': status, ...(app ? { 'framehub.app': app } : {}) },
      });
      if (status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
      span.end();
    },
    cameraOpened(s) {
      sessions.set(
        s.connId,
        tracer.startSpan('camera session', {
          kind: api.SpanKind.SERVER,
          attributes: { 'framehub.app': s.app, 'framehub.room': s.room, 'framehub.key_id': s.keyId, 'framehub.stream_id': s.streamId, 'framehub.shard': s.shard, ...(s.identity ? { 'framehub.identity': s.identity } : {}) },
        }),
      );
    },
    cameraClosed(connId, code, reason, frames, bytes) {
      const span = sessions.get(connId);
      if (!span) return;
      sessions.delete(connId);
      span.setAttributes({ 'framehub.close_code': code, 'framehub.close_reason': reason, 'framehub.frames': frames, 'framehub.bytes': bytes });
      if (code !== 1000 && code !== 1001 && code !== 4409) span.setStatus({ code: api.SpanStatusCode.ERROR, message: reason });
      span.end();
    },
    async shutdown() {
      for (const [connId] of sessions) tracing.cameraClosed(connId, 1001, 'going_away', 0, 0);
      try {
        await sdk.shutdown();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'OpenTelemetry shutdown failed');
      }
    },
  };
  return tracing;
}
