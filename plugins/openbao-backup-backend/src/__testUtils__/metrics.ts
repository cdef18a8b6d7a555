import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

/** A real OpenTelemetry SDK meter whose metrics a test reads back by name and attributes. */
export function testMeter() {
  const reader = new (class extends MetricReader {
    protected async onForceFlush() {}
    protected async onShutdown() {}
  })();
  const provider = new MeterProvider({ readers: [reader] });
  return {
    meter: provider.getMeter('openbao-backup-test'),
    /** Data points of one metric: `[attributes, value]`. */
    async points(name: string) {
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics
        .flatMap(s => s.metrics)
        .find(m => m.descriptor.name === name);
      return (metric?.dataPoints ?? []).map(
        p => [p.attributes, p.value] as const,
      );
    },
  };
}
