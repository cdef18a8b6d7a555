import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import {
  Sandbox,
  createBucket,
  s3Client,
  sandboxReconciler,
  startSandbox,
} from '../__testUtils__/sandbox';
import { seedBackupCluster } from '../__testUtils__/backupClusters';
import type { Reconciler } from './Reconciler';
import { BackupMetrics } from './BackupMetrics';
import { testMeter } from '../__testUtils__/metrics';

const NS = 'vault';
const bucket = `reconciler-${Date.now().toString(36)}`;
const crPath = `/apis/openbao.org/v1alpha1/namespaces/${NS}/openbaoclusters/bao`;

describe('Reconciler end to end (Kubernetes double → Job → real executor → OpenBao double → Swift S3)', () => {
  let sandbox: Sandbox;
  let now: Date;
  let reconciler: Reconciler;
  const telemetry = testMeter();

  beforeAll(async () => {
    await createBucket(bucket);
    sandbox = await startSandbox(NS);
    await seedBackupCluster(sandbox, NS, {
      name: 'bao',
      bucket,
      backup: {
        schedule: '* * * * *',
        target: { pathPrefix: 'snapshots', concurrency: 2 },
        retention: { maxCount: 1 },
      },
    });
    now = new Date();
    reconciler = sandboxReconciler(sandbox, {
      now: () => now,
      metrics: BackupMetrics.create(telemetry.meter),
    });
  }, 60_000);

  afterAll(() => sandbox?.stop());

  const getCluster = () => sandbox.request('GET', crPath);
  const events = async () =>
    (await sandbox.request('GET', `/api/v1/namespaces/${NS}/events`)).items.map(
      (e: any) => e.reason,
    );
  const keysInBucket = async () =>
    (
      (await s3Client().send(new ListObjectsV2Command({ Bucket: bucket })))
        .Contents ?? []
    ).map(o => o.Key!);

  /** Runs passes (with the fake clock creeping forward) until `done` holds for the cluster. */
  async function tickUntil(done: (cr: any) => boolean, what: string) {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const report = await reconciler.tick();
      expect(report.errors).toEqual([]);
      const cr = await getCluster();
      if (done(cr)) return cr;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}; status: ${JSON.stringify(cr.status)}`,
        );
      }
      await new Promise(r => setTimeout(r, 250));
      now = new Date(now.getTime() + 250);
    }
  }

  it('records the next slot, runs it as a Job, and writes a verified snapshot to S3', async () => {
    let cr = await tickUntil(
      c => !!c.status?.backup?.nextScheduledBackup,
      'nextScheduledBackup',
    );
    const slot = new Date(cr.status.backup.nextScheduledBackup);
    expect(slot.getTime()).toBeGreaterThan(now.getTime());
    expect(slot.getUTCSeconds()).toBe(0);

    now = new Date(slot.getTime() + 2000); // the slot is due
    cr = await tickUntil(
      c => !!c.status?.backup?.lastBackupTime,
      'first backup',
    );
    const b = cr.status.backup;
    expect(b.consecutiveFailures ?? 0).toBe(0);
    expect(b.lastAttemptScheduledTime).toBe(slot.toISOString());
    expect(b.lastBackupName).toMatch(
      /^snapshots\/vault\/bao\/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z-[0-9a-f]{8}\.snap$/,
    );
    expect(b.lastBackupRaftIndex).toBe(4242);
    expect(new Date(b.nextScheduledBackup).getTime()).toBe(
      slot.getTime() + 60_000,
    );
    expect(cr.status.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'BackingUp', status: 'False' }),
        expect.objectContaining({ type: 'BackupConfigValid', status: 'True' }),
      ]),
    );

    // The object's bytes are what the status says they are.
    const object = await s3Client().send(
      new GetObjectCommand({ Bucket: bucket, Key: b.lastBackupName }),
    );
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    expect(bytes.length).toBe(b.lastBackupSize);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      b.lastBackupSha256,
    );
    expect(object.Metadata?.['openbao-cluster']).toBe('bao');

    const jobs = await sandbox.request(
      'GET',
      `/apis/batch/v1/namespaces/${NS}/jobs`,
    );
    expect(jobs.items).toHaveLength(1);
    expect(jobs.items[0].metadata.labels['openbao.org/backup-trigger']).toBe(
      'scheduled',
    );
    expect(await events()).toEqual(
      expect.arrayContaining(['BackupStarted', 'BackupSucceeded']),
    );

    // Metrics: the success is counted; gauges show the status as of the next pass.
    await reconciler.tick();
    const attrs = {
      kubernetes_cluster: 'sandbox',
      namespace: NS,
      cluster: 'bao',
    };
    expect(await telemetry.points('openbao_backup_runs_total')).toEqual([
      [{ ...attrs, result: 'succeeded' }, 1],
    ]);
    expect(await telemetry.points('openbao_backup_last_size_bytes')).toEqual([
      [attrs, b.lastBackupSize],
    ]);
    expect(
      await telemetry.points('openbao_backup_expected_interval_seconds'),
    ).toEqual([[attrs, 60]]);
  }, 60_000);

  it('runs a manual trigger once, clears the annotation, and applies retention (maxCount 1)', async () => {
    const first = (await getCluster()).status.backup.lastBackupName;
    now = new Date(now.getTime() + 2000); // job names have one-second resolution
    await sandbox.request('PATCH', crPath, {
      metadata: {
        annotations: { 'openbao.org/trigger-backup': 'before-upgrade-1' },
      },
    });
    const cr = await tickUntil(
      c =>
        c.status?.backup?.lastBackupName &&
        c.status.backup.lastBackupName !== first,
      'manual backup',
    );
    expect(cr.status.backup.observedTrigger).toBe('before-upgrade-1');
    expect(
      cr.metadata.annotations['openbao.org/trigger-backup'],
    ).toBeUndefined();
    // Retention ran after the success: only the newest snapshot is left.
    expect(await keysInBucket()).toEqual([cr.status.backup.lastBackupName]);
    expect(await events()).toContain('RetentionApplied');
  }, 60_000);

  it('records a failed run with the stage reason and leaves nothing in the bucket', async () => {
    const before = await keysInBucket();
    now = new Date(now.getTime() + 2000);
    await sandbox.request('PATCH', crPath, {
      metadata: { annotations: { 'openbao.org/trigger-backup': 'wrong-role' } },
      spec: { backup: { jwtAuthRole: 'not-a-role' } },
    });
    const cr = await tickUntil(
      c =>
        c.status?.backup?.observedTrigger === 'wrong-role' &&
        !c.status.backup.activeJob &&
        (c.status.backup.consecutiveFailures ?? 0) > 0,
      'failure',
    );
    expect(cr.status.backup.lastFailureReason).toMatch(/OpenBaoAuthFailed/);
    expect(cr.status.backup.activeJob).toBeUndefined();
    expect(await events()).toContain('BackupFailed');
    expect(await keysInBucket()).toEqual(before);
    const uploads = await s3Client().send(
      new ListMultipartUploadsCommand({ Bucket: bucket }),
    );
    expect(uploads.Uploads ?? []).toEqual([]);
  }, 60_000);

  it('refuses a due slot during an upgrade with one condition and one Event, however many passes', async () => {
    await sandbox.request('PATCH', `${crPath}/status`, {
      status: {
        phase: 'Running',
        upgrade: { fromVersion: '2.1.0', toVersion: '2.2.0' },
      },
    });
    const jobsBefore = (
      await sandbox.request('GET', `/apis/batch/v1/namespaces/${NS}/jobs`)
    ).items.length;
    const skippedBefore = (await events()).filter(
      (r: string) => r === 'BackupSkipped',
    ).length;
    const next = (await getCluster()).status.backup.nextScheduledBackup;
    now = new Date(new Date(next).getTime() + 1000);
    for (let i = 0; i < 5; i++) {
      expect((await reconciler.tick()).errors).toEqual([]);
      now = new Date(now.getTime() + 1000);
    }
    const cr = await getCluster();
    expect(cr.status.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'BackingUp',
          status: 'False',
          reason: 'UpgradeInProgress',
        }),
      ]),
    );
    expect(
      (await events()).filter((r: string) => r === 'BackupSkipped').length,
    ).toBe(skippedBefore + 1);
    expect(
      (await sandbox.request('GET', `/apis/batch/v1/namespaces/${NS}/jobs`))
        .items,
    ).toHaveLength(jobsBefore);
  }, 60_000);

  it('adopts a running Job after a backend restart instead of starting a twin', async () => {
    await sandbox.request('PATCH', `${crPath}/status`, {
      status: { upgrade: null },
    });
    await sandbox.request('PATCH', crPath, {
      metadata: {
        annotations: { 'openbao.org/trigger-backup': 'after-restart' },
      },
      spec: { backup: { jwtAuthRole: 'backup' } },
    });
    const jobs = async () =>
      (await sandbox.request('GET', `/apis/batch/v1/namespaces/${NS}/jobs`))
        .items.length;
    const before = await jobs();
    now = new Date(now.getTime() + 2000);
    // The Job is created, then the status write fails (the API server answers 500) and the
    // backend "dies": the status never names the Job.
    sandbox.kube.faults.add({
      method: 'PATCH',
      pathPattern: '**/openbaoclusters/bao/status',
      status: 500,
      times: 1,
    });
    const crashed = await reconciler.tick();
    expect(crashed.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/patch status/),
      }),
    ]);
    expect(await jobs()).toBe(before + 1);
    expect((await getCluster()).status?.backup?.activeJob).toBeUndefined();

    reconciler = sandboxReconciler(sandbox, { now: () => now });
    const cr = await tickUntil(
      c =>
        c.status?.backup?.observedTrigger === 'after-restart' &&
        !c.status.backup.activeJob &&
        c.status.backup.consecutiveFailures === 0,
      'the adopted run to finish',
    );
    expect(await jobs()).toBe(before + 1);
    expect(cr.status.backup.lastBackupName).toMatch(/\.snap$/);
  }, 60_000);

  it('runs a pre-upgrade snapshot once per request id, even during the upgrade', async () => {
    await sandbox.request('PATCH', `${crPath}/status`, {
      status: { upgrade: { fromVersion: '2.1.0', toVersion: '2.2.0' } },
    });
    await sandbox.request('PATCH', crPath, {
      metadata: {
        annotations: { 'openbao.org/pre-upgrade-backup': 'upgrade-2-2' },
      },
    });
    now = new Date(now.getTime() + 2000);
    const cr = await tickUntil(
      c =>
        c.status?.backup?.observedTrigger === 'upgrade-2-2' &&
        !c.status.backup.activeJob &&
        /pre-upgrade-/.test(c.status.backup.lastBackupName ?? ''),
      'the pre-upgrade snapshot',
    );
    expect(cr.status.backup.lastBackupName).toMatch(
      /^snapshots\/vault\/bao\/pre-upgrade-\d{4}-.*\.snap$/,
    );
    expect(
      cr.metadata.annotations['openbao.org/pre-upgrade-backup'],
    ).toBeUndefined();
    const jobs = (
      await sandbox.request('GET', `/apis/batch/v1/namespaces/${NS}/jobs`)
    ).items;
    expect(
      jobs.filter(
        (j: any) =>
          j.metadata.labels['openbao.org/backup-trigger'] === 'pre-upgrade',
      ),
    ).toHaveLength(1);
  }, 60_000);
});
