/*
 * Installs the process-wide OpenTelemetry MeterProvider with a Prometheus pull exporter. The
 * exporter serves /metrics from its own HTTP server on its own port; instruments are aggregated in
 * memory and gauges are observed only when scraped, so nothing runs on the backend's request path.
 */
import { DiagLogLevel, diag, metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { metricsUrl } from './config';

export type MetricsLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
) => void;

export interface PrometheusMetrics {
  /** Where /metrics is served. */
  url: string;
  /** Resolves true once the server listens, false when it could not (the error is logged). */
  listening: Promise<boolean>;
  shutdown(): Promise<void>;
}

/** Without a diag logger the SDK drops its own errors (a failing gauge callback, say). */
function forwardDiagnostics(log: MetricsLog) {
  const forward =
    (level: 'warn' | 'error') =>
    (message: string, ...args: unknown[]) =>
      log(level, `OpenTelemetry: ${[message, ...args].join(' ')}`);
  diag.setLogger(
    {
      error: forward('error'),
      warn: forward('warn'),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
}

export function startPrometheusMetrics(
  config: { host: string; port: number },
  log: MetricsLog,
): PrometheusMetrics {
  const url = metricsUrl(config);
  let settle: (ok: boolean) => void = () => {};
  const listening = new Promise<boolean>(resolve => {
    settle = resolve;
  });
  const exporter = new PrometheusExporter(
    { host: config.host, port: config.port, endpoint: '/metrics' },
    error => {
      if (error) {
        // Not fatal: the backend itself still works, only the metrics are missing.
        log(
          'error',
          `metrics: cannot serve ${url}: ${error.message}; set OTEL_EXPORTER_PROMETHEUS_PORT to a free port, or OTEL_METRICS_EXPORTER=none`,
        );
        settle(false);
      } else {
        log('info', `metrics: Prometheus metrics served on ${url}`);
        // Only now: the exporter reports a failed listen through diag too, and the callback says it better.
        forwardDiagnostics(log);
        settle(true);
      }
    },
  );
  const provider = new MeterProvider({
    // service.name "backstage" unless OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES say otherwise.
    resource: defaultResource()
      .merge(resourceFromAttributes({ 'service.name': 'backstage' }))
      .merge(detectResources({ detectors: [envDetector] })),
    readers: [exporter],
  });
  if (!metrics.setGlobalMeterProvider(provider)) {
    log(
      'error',
      'metrics: another OpenTelemetry MeterProvider is already registered; not installing the Prometheus exporter',
    );
    void provider.shutdown();
    return { url, listening: Promise.resolve(false), shutdown: async () => {} };
  }
  return {
    url,
    listening,
    shutdown: async () => {
      await provider.shutdown();
      metrics.disable();
      diag.disable();
    },
  };
}
