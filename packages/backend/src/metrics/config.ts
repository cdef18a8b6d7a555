/*
 * Which metrics exporter the backend starts, from the standard OpenTelemetry environment variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/). Only the
 * Prometheus pull exporter is bundled, so OTEL_METRICS_EXPORTER accepts `prometheus` (default) and
 * `none`.
 */

export type PrometheusConfig =
  | { enabled: false; reason: string }
  | { enabled: true; host: string; port: number };

/** The spec's defaults (OTEL_EXPORTER_PROMETHEUS_HOST / _PORT). */
export const DEFAULT_PROMETHEUS_HOST = 'localhost';
export const DEFAULT_PROMETHEUS_PORT = 9464;

const SUPPORTED_EXPORTERS = ['prometheus', 'none'];

export function prometheusConfigFromEnv(
  env: Record<string, string | undefined>,
): PrometheusConfig {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    return { enabled: false, reason: 'OTEL_SDK_DISABLED=true' };
  }
  // A comma-separated list per the spec; an empty value means the default.
  const exporters = (env.OTEL_METRICS_EXPORTER ?? '')
    .split(',')
    .map(e => e.trim().toLowerCase())
    .filter(Boolean);
  const unsupported = exporters.filter(e => !SUPPORTED_EXPORTERS.includes(e));
  if (unsupported.length > 0) {
    throw new Error(
      `OTEL_METRICS_EXPORTER=${
        env.OTEL_METRICS_EXPORTER
      }: unsupported exporter ${unsupported
        .map(e => `"${e}"`)
        .join(
          ', ',
        )}; this backend bundles only "prometheus" (the default) and "none"`,
    );
  }
  if (exporters.includes('none') && !exporters.includes('prometheus')) {
    return { enabled: false, reason: 'OTEL_METRICS_EXPORTER=none' };
  }

  const host =
    env.OTEL_EXPORTER_PROMETHEUS_HOST?.trim() || DEFAULT_PROMETHEUS_HOST;
  const rawPort = env.OTEL_EXPORTER_PROMETHEUS_PORT?.trim();
  const port = rawPort ? Number(rawPort) : DEFAULT_PROMETHEUS_PORT;
  if (!/^\d+$/.test(rawPort ?? '9464') || port < 1 || port > 65535) {
    throw new Error(
      `OTEL_EXPORTER_PROMETHEUS_PORT=${rawPort}: expected a TCP port number 1-65535 (default ${DEFAULT_PROMETHEUS_PORT}); set OTEL_METRICS_EXPORTER=none to serve no metrics`,
    );
  }
  return { enabled: true, host, port };
}

/** The scrape URL, for logs (IPv6 literals in brackets). */
export function metricsUrl(config: { host: string; port: number }): string {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${config.port}/metrics`;
}
