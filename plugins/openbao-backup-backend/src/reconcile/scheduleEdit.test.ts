import { KubeApi, kubeRequest } from '@internal/openbao-backup-sandbox';
import { ANNOTATION_SCHEDULED_TIME } from '@internal/plugin-openbao-backup-common';
import { createTestBucket } from '../__testUtils__/sandbox';
import {
  createBackupClusters,
  crsPath,
  startSimulatedKube,
} from '../__testUtils__/backupClusters';
import {
  startReconcilingBackend,
  waitFor,
} from '../__testUtils__/reconcilingBackend';

const NS = 'vault';
const cr = `${crsPath(NS)}/bao`;

describe('a schedule edit (plugin on the Kubernetes double, mock scheduler: no periodic pass)', () => {
  let kube: KubeApi;
  let backend: Awaited<ReturnType<typeof startReconcilingBackend>>;
  let now = new Date('2026-03-10T02:59:00Z');

  beforeAll(async () => {
    const bucket = await createTestBucket('schedule-edit');
    kube = await startSimulatedKube(NS, 20);
    await createBackupClusters(kube, NS, ['bao'], {
      schedule: '0 3 * * *',
      bucket,
    });
    backend = await startReconcilingBackend({
      kubes: [{ name: 'k8s', api: kube }],
      clock: { now: () => now },
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await kube?.stop();
  });

  const next = async () =>
    (await kubeRequest(kube, 'GET', cr)).status?.backup?.nextScheduledBackup;
  const jobs = async () =>
    (await kubeRequest(kube, 'GET', `/apis/batch/v1/namespaces/${NS}/jobs`))
      .items;

  it('recomputes nextScheduledBackup at once through the watch, and the old slot does not run', async () => {
    // The start-up pass recorded the first slot.
    expect(await next()).toBe('2026-03-10T03:00:00.000Z');

    await kubeRequest(kube, 'PATCH', cr, {
      spec: { backup: { schedule: '30 4 * * *' } },
    });
    // No pass is run by the test and the mock scheduler has no timer: only the watch can have
    // started this one (the bound is generous because a pass also talks to the shared S3).
    await waitFor(
      next,
      n => n === '2026-03-10T04:30:00.000Z',
      'the new slot',
      15_000,
    );

    // The old slot comes and goes: no Job.
    now = new Date('2026-03-10T03:00:30Z');
    await backend.pass();
    expect(await jobs()).toEqual([]);
    expect(await next()).toBe('2026-03-10T04:30:00.000Z');

    // The new one runs.
    now = new Date('2026-03-10T04:30:10Z');
    await backend.pass();
    const created = await jobs();
    expect(created).toHaveLength(1);
    expect(
      new Date(
        created[0].metadata.annotations[ANNOTATION_SCHEDULED_TIME],
      ).toISOString(),
    ).toBe('2026-03-10T04:30:00.000Z');
  }, 30_000);

  it('clears the next slot at once when the cluster is suspended', async () => {
    // The slot's Job above is tracked until it ends (a pass then tracks, it does not apply the
    // suspend): let it end and be recorded first, as the periodic pass would.
    await waitFor(
      async () => {
        await backend.pass();
        return (await kubeRequest(kube, 'GET', cr)).status?.backup?.activeJob;
      },
      job => job === undefined,
      'the Job to be recorded',
    );
    await kubeRequest(kube, 'PATCH', cr, {
      spec: { backup: { suspend: true } },
    });
    expect(
      await waitFor(
        next,
        n => n === undefined,
        'the slot to be cleared',
        15_000,
      ),
    ).toBeUndefined();
  }, 30_000);
});
