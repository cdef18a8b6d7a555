import { metricsUrl, prometheusConfigFromEnv } from './config';

describe('prometheusConfigFromEnv', () => {
  it('serves on the spec defaults localhost:9464 when nothing is set', () => {
    expect(prometheusConfigFromEnv({})).toEqual({
      enabled: true,
      host: 'localhost',
      port: 9464,
    });
  });

  it('takes OTEL_EXPORTER_PROMETHEUS_HOST and _PORT', () => {
    expect(
      prometheusConfigFromEnv({
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
        OTEL_EXPORTER_PROMETHEUS_PORT: ' 9100 ',
      }),
    ).toEqual({ enabled: true, host: '0.0.0.0', port: 9100 });
  });

  it('is off with OTEL_METRICS_EXPORTER=none or OTEL_SDK_DISABLED=true', () => {
    expect(prometheusConfigFromEnv({ OTEL_METRICS_EXPORTER: 'none' })).toEqual({
      enabled: false,
      reason: 'OTEL_METRICS_EXPORTER=none',
    });
    expect(prometheusConfigFromEnv({ OTEL_SDK_DISABLED: 'TRUE' })).toEqual({
      enabled: false,
      reason: 'OTEL_SDK_DISABLED=true',
    });
    // A list naming prometheus still serves it.
    expect(
      prometheusConfigFromEnv({ OTEL_METRICS_EXPORTER: 'none,prometheus' })
        .enabled,
    ).toBe(true);
    expect(
      prometheusConfigFromEnv({ OTEL_SDK_DISABLED: 'false' }).enabled,
    ).toBe(true);
  });

  it('rejects exporters this backend does not bundle, naming the supported ones', () => {
    expect(() =>
      prometheusConfigFromEnv({ OTEL_METRICS_EXPORTER: 'otlp,prometheus' }),
    ).toThrow(
      'OTEL_METRICS_EXPORTER=otlp,prometheus: unsupported exporter "otlp"; this backend bundles only "prometheus" (the default) and "none"',
    );
  });

  it.each(['0', '65536', 'abc', '94.64', '-1'])('rejects the port %p', port => {
    expect(() =>
      prometheusConfigFromEnv({ OTEL_EXPORTER_PROMETHEUS_PORT: port }),
    ).toThrow(
      `OTEL_EXPORTER_PROMETHEUS_PORT=${port}: expected a TCP port number 1-65535`,
    );
  });
});

describe('metricsUrl', () => {
  it('brackets IPv6 literals', () => {
    expect(metricsUrl({ host: '127.0.0.1', port: 9464 })).toBe(
      'http://127.0.0.1:9464/metrics',
    );
    expect(metricsUrl({ host: '::', port: 9464 })).toBe(
      'http://[::]:9464/metrics',
    );
  });
});
