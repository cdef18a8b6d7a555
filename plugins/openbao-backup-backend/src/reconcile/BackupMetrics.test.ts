import { testMeter } from '../__testUtils__/metrics';
import { BackupMetrics } from './BackupMetrics';

const prod = { kubernetesCluster: 'k8s', namespace: 'vault', name: 'prod' };
const other = { kubernetesCluster: 'k8s', namespace: 'vault', name: 'other' };
const attrs = {
  kubernetes_cluster: 'k8s',
  namespace: 'vault',
  cluster: 'prod',
};

describe('BackupMetrics through the OpenTelemetry SDK', () => {
  it('reports the last status per cluster and counts runs and retention', async () => {
    const t = testMeter();
    const m = BackupMetrics.create(t.meter);
    m.observeCluster(
      prod,
      {
        lastBackupTime: '2026-11-25T10:00:00Z',
        lastAttemptTime: '2026-11-25T10:00:01Z',
        lastBackupSize: 4096,
        lastBackupDuration: 1.5,
        consecutiveFailures: 2,
      },
      3600,
    );
    m.countRun(prod, 'succeeded');
    m.countRun(prod, 'failed');
    m.countRun(prod, 'failed');
    m.countRetention(prod, {
      applies: true,
      deleted: ['a', 'b'],
      bytesFreed: 10,
      errors: [],
      abortedUploads: 1,
    });

    expect(
      await t.points('openbao_backup_last_success_timestamp_seconds'),
    ).toEqual([[attrs, Date.parse('2026-11-25T10:00:00Z') / 1000]]);
    expect(await t.points('openbao_backup_last_size_bytes')).toEqual([
      [attrs, 4096],
    ]);
    expect(await t.points('openbao_backup_consecutive_failures')).toEqual([
      [attrs, 2],
    ]);
    expect(await t.points('openbao_backup_expected_interval_seconds')).toEqual([
      [attrs, 3600],
    ]);
    expect(await t.points('openbao_backup_runs_total')).toEqual([
      [{ ...attrs, result: 'succeeded' }, 1],
      [{ ...attrs, result: 'failed' }, 2],
    ]);
    expect(await t.points('openbao_backup_retention_deleted_total')).toEqual([
      [attrs, 2],
    ]);
    expect(
      await t.points('openbao_backup_retention_freed_bytes_total'),
    ).toEqual([[attrs, 10]]);
    expect(
      await t.points('openbao_backup_orphan_uploads_aborted_total'),
    ).toEqual([[attrs, 1]]);
  });

  it('forgets deleted clusters but keeps those of an unreachable API server', async () => {
    const t = testMeter();
    const m = BackupMetrics.create(t.meter);
    m.observeCluster(prod, { consecutiveFailures: 0 });
    m.observeCluster(other, { consecutiveFailures: 1 });
    m.observeCluster(
      { ...prod, kubernetesCluster: 'down' },
      { consecutiveFailures: 3 },
    );
    m.retainOnly('k8s', [prod]);
    const clusters = (
      await t.points('openbao_backup_consecutive_failures')
    ).map(([a]) => `${a.kubernetes_cluster}/${a.cluster}`);
    expect(clusters).toEqual(['k8s/prod', 'down/prod']);
  });
});
