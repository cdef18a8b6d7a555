import { Meter, metrics } from '@opentelemetry/api';
import {
  BackupStatus,
  ClusterRef,
  stringifyClusterRef,
} from '@internal/plugin-openbao-backup-common';
import { RetentionReport } from './runRetention';

/** Outcome of one run as counted in `openbao_backup_runs_total{result}`. */
export type RunResult = 'succeeded' | 'failed' | 'refused' | 'skipped';

const seconds = (iso?: string) => {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? undefined : ms / 1000;
};

/**
 * The plugin's OpenTelemetry metrics (docs/contract.md §5), per cluster. Gauges report the status last
 * seen by a reconcile pass; export them with the OpenTelemetry SDK the backend is started with
 * (for example its Prometheus exporter). Without an SDK the API is a no-op.
 */
export class BackupMetrics {
  readonly #latest = new Map<
    string,
    {
      attributes: Record<string, string>;
      backup: BackupStatus;
      interval?: number;
    }
  >();
  readonly #runs;
  readonly #deleted;
  readonly #bytesFreed;
  readonly #retentionErrors;
  readonly #abortedUploads;

  static create(
    meter: Meter = metrics.getMeter('openbao-backup'),
  ): BackupMetrics {
    return new BackupMetrics(meter);
  }

  private constructor(meter: Meter) {
    const gauge = (
      name: string,
      description: string,
      unit: string,
      value: (e: {
        backup: BackupStatus;
        interval?: number;
      }) => number | undefined,
    ) =>
      meter
        .createObservableGauge(`openbao_backup_${name}`, { description, unit })
        .addCallback(result => {
          for (const entry of this.#latest.values()) {
            const v = value(entry);
            if (v !== undefined) result.observe(v, entry.attributes);
          }
        });
    gauge(
      'last_success_timestamp_seconds',
      'Time of the last successful backup',
      's',
      e => seconds(e.backup.lastBackupTime),
    );
    gauge(
      'last_attempt_timestamp_seconds',
      'Time of the last backup attempt',
      's',
      e => seconds(e.backup.lastAttemptTime),
    );
    gauge(
      'last_size_bytes',
      'Size of the last successful snapshot',
      'By',
      e => e.backup.lastBackupSize,
    );
    gauge(
      'last_duration_seconds',
      'Duration of the last successful backup',
      's',
      e => e.backup.lastBackupDuration,
    );
    gauge(
      'consecutive_failures',
      'Failed runs since the last success',
      '1',
      e => e.backup.consecutiveFailures ?? 0,
    );
    gauge(
      'expected_interval_seconds',
      'Seconds between two slots of the schedule',
      's',
      e => e.interval,
    );
    const counter = (name: string, description: string, unit?: string) =>
      meter.createCounter(
        `openbao_backup_${name}`,
        unit ? { description, unit } : { description },
      );
    this.#runs = counter(
      'runs_total',
      'Backup runs by result (succeeded, failed, refused by pre-flight, skipped slot)',
    );
    this.#deleted = counter(
      'retention_deleted_total',
      'Snapshots deleted by retention',
    );
    this.#bytesFreed = counter(
      'retention_freed_bytes_total',
      'Bytes freed by retention',
      'By',
    );
    this.#retentionErrors = counter(
      'retention_errors_total',
      'Snapshots retention failed to delete',
    );
    this.#abortedUploads = counter(
      'orphan_uploads_aborted_total',
      'Orphaned multipart uploads aborted',
    );
  }

  static attributes(ref: ClusterRef): Record<string, string> {
    return {
      kubernetes_cluster: ref.kubernetesCluster,
      namespace: ref.namespace,
      cluster: ref.name,
    };
  }

  observeCluster(
    ref: ClusterRef,
    backup: BackupStatus | undefined,
    interval?: number,
  ) {
    this.#latest.set(stringifyClusterRef(ref), {
      attributes: BackupMetrics.attributes(ref),
      backup: backup ?? {},
      interval,
    });
  }

  /**
   * Drops the clusters of one Kubernetes cluster that its last listing did not return (deleted
   * resources stop being reported). An unreachable API server is not listed, so its clusters keep
   * their last values.
   */
  retainOnly(kubernetesCluster: string, refs: ClusterRef[]) {
    const keep = new Set(refs.map(stringifyClusterRef));
    for (const key of [...this.#latest.keys()]) {
      if (key.startsWith(`${kubernetesCluster}/`) && !keep.has(key))
        this.#latest.delete(key);
    }
  }

  countRun(ref: ClusterRef, result: RunResult) {
    this.#runs.add(1, { ...BackupMetrics.attributes(ref), result });
  }

  countRetention(ref: ClusterRef, report: RetentionReport) {
    const attributes = BackupMetrics.attributes(ref);
    this.#deleted.add(report.deleted.length, attributes);
    this.#bytesFreed.add(report.bytesFreed, attributes);
    this.#retentionErrors.add(report.errors.length, attributes);
    this.#abortedUploads.add(report.abortedUploads, attributes);
  }
}
