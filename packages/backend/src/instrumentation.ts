/*
 * Preloaded with `node --require` before the backend (Backstage's "Setup OpenTelemetry" tutorial),
 * so the global MeterProvider exists before any plugin asks @opentelemetry/api for a meter:
 *   dev:        backstage-cli package start --require ./src/instrumentation.ts
 *   production: node --require ./packages/backend/dist/instrumentation.js packages/backend ...
 * Serves Prometheus metrics on OTEL_EXPORTER_PROMETHEUS_HOST:OTEL_EXPORTER_PROMETHEUS_PORT
 * (default localhost:9464) at /metrics; OTEL_METRICS_EXPORTER=none turns it off. See docs/metrics.md.
 */
import { isMainThread } from 'node:worker_threads';
import { prometheusConfigFromEnv } from './metrics/config';
import { MetricsLog, startPrometheusMetrics } from './metrics/prometheus';

// One JSON line like the backend's production logger; Backstage's logger does not exist yet.
const log: MetricsLog = (level, message) =>
  process.stderr.write(
    `${JSON.stringify({
      level,
      message,
      service: 'backstage',
      timestamp: new Date().toISOString(),
    })}\n`,
  );

// --require also runs in worker threads; only the main thread owns the port.
if (isMainThread) {
  const config = prometheusConfigFromEnv(process.env);
  if (config.enabled) {
    startPrometheusMetrics(config, log);
  } else {
    log('info', `metrics: not exported (${config.reason})`);
  }
}
