/*
 * Light passes with the real scheduler: two replicas of the plugin (backend-defaults' database and
 * scheduler services) on a real PostgreSQL, reconciling one Kubernetes API double. The reconcile
 * interval is an hour, so after the start-up full pass every Job, and every recorded end of one,
 * must come from a light pass. The latencies are printed, not asserted (a loaded machine stretches
 * them; `npm run bench:reconcile -w @internal/plugin-openbao-backup-backend` measures them): what is asserted is that light passes did it.
 */
import { IncomingMessage } from 'node:http';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  KubeApi,
  PodExecutor,
  createSimulatedPodExecutor,
  kubeRequest,
  startKubeApi,
} from '@internal/openbao-backup-sandbox';
import {
  ANNOTATION_SCHEDULED_TIME,
  ANNOTATION_TRIGGER_VALUE,
  EXIT_CODES,
  LABEL_CLUSTER,
  PRE_UPGRADE_BACKUP_ANNOTATION,
  TRIGGER_BACKUP_ANNOTATION,
} from '@internal/plugin-openbao-backup-common';
import request from 'supertest';
import { TestPostgres, startTestPostgres } from '../__testUtils__/postgres';
import { createTestBucket } from '../__testUtils__/sandbox';
import {
  createBackupClusters,
  crsPath,
  executorDouble,
} from '../__testUtils__/backupClusters';
import { waitFor } from '../__testUtils__/reconcilingBackend';
import {
  ReplicaLog,
  emptyReplicaLog,
  startReplica,
} from '../__testUtils__/twoReplicas';

const NS = 'vault';
const NAMES = ['bao-0', 'bao-1', 'bao-2', 'bao-3', 'bao-4', 'bao-ok', 'bao-ko'];
const TRIGGERED = NAMES.slice(0, 4);
/** Runs of these clusters last a second, so that they end well after the pass that started them. */
const SLOW_RUNS: Record<string, PodExecutor> = {
  'bao-ok': executorDouble(1_000),
  'bao-ko': createSimulatedPodExecutor(() => ({
    durationMs: 1_000,
    exitCode: EXIT_CODES.storage,
  })),
};
const quickRuns = executorDouble(100);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('light passes (2 replicas, real scheduler on PostgreSQL, reconcile interval 1 h)', () => {
  let postgres: TestPostgres | undefined;
  let kube: KubeApi | undefined;
  const backends: Array<Awaited<ReturnType<typeof startReplica>>> = [];
  const logs: ReplicaLog[] = [emptyReplicaLog(), emptyReplicaLog()];
  /** Requests other than watches the API server received. */
  let requests = 0;
  let now = new Date('2026-01-05T12:00:00Z');
  /** The plugin's clock, frozen: a test moves it. */
  const clock = { now: () => now };

  const passes = (kind: 'full' | 'light') =>
    logs[0].passes[kind] + logs[1].passes[kind];
  // Read from the double's store, not over HTTP: the test's own reads are not counted.
  const crs = () =>
    kube!.store.list(kube!.store.type('openbaoclusters.openbao.org'), NS);
  const jobs = () => kube!.store.list(kube!.store.type('jobs.batch'), NS);

  beforeAll(async () => {
    const bucket = await createTestBucket('light-pass');
    postgres = await startTestPostgres();
    kube = await startKubeApi({
      namespaces: [NS],
      podExecutor: {
        start: (pod, context) =>
          (
            SLOW_RUNS[pod.metadata.labels?.[LABEL_CLUSTER] ?? ''] ?? quickRuns
          ).start(pod, context),
      },
    });
    kube.server.on('request', (req: IncomingMessage) => {
      if (!/[?&]watch=(1|true)/.test(req.url ?? '')) requests++;
    });
    await createBackupClusters(kube, NS, NAMES, {
      schedule: '0 3 * * *',
      bucket,
    });
    // One after the other: both would otherwise race to create the plugin's database.
    for (const replica of [0, 1]) {
      backends.push(
        await startReplica({
          postgres,
          kube,
          clock,
          log: logs[replica],
          config: { reconcileInterval: { hours: 1 } },
        }),
      );
    }
    // The start-up full pass records every cluster's next slot.
    await waitFor(
      async () => crs().map(c => c.status?.backup?.nextScheduledBackup),
      slots => slots.every(s => s === '2026-01-06T03:00:00.000Z'),
      'the first full pass',
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(backends.map(b => b.stop().catch(() => {})));
    await kube?.stop();
    await postgres?.stop();
  });

  it('makes no Kubernetes request while nothing is flagged', async () => {
    // Let the start-up settle: the watches replay, the first pass's writes come back.
    const settled = passes('light') + 2;
    await waitFor(
      async () => passes('light'),
      n => n >= settled,
      'light passes',
    );
    const before = { requests, light: passes('light') };
    await waitFor(
      async () => passes('light'),
      n => n >= before.light + 3,
      '3 idle light passes',
    );
    expect({
      requests: requests - before.requests,
      full: passes('full'),
    }).toEqual({
      requests: 0,
      full: 1,
    });
    expect(logs.flatMap(l => l.problems)).toEqual([]);
  }, 30_000);

  it('turns a trigger annotation into exactly one Job within the poll, by a light pass', async () => {
    const latencies: number[] = [];
    for (const [i, name] of TRIGGERED.entries()) {
      const value = `light-${i}`;
      const start = Date.now();
      await kubeRequest(kube!, 'PATCH', `${crsPath(NS)}/${name}`, {
        metadata: { annotations: { [TRIGGER_BACKUP_ANNOTATION]: value } },
      });
      for (;;) {
        const created = jobs().some(
          j => j.metadata.annotations?.[ANNOTATION_TRIGGER_VALUE] === value,
        );
        if (created) break;
        if (Date.now() - start > 20_000)
          throw new Error(`trigger ${value} led to no Job`);
        await sleep(10);
      }
      latencies.push(Date.now() - start);
    }
    // Both replicas had the trigger in their watch cache: still one Job each, annotation consumed.
    await waitFor(
      async () => crs().filter(c => TRIGGERED.includes(c.metadata.name ?? '')),
      clusters =>
        clusters.every(
          (c, i) =>
            c.status?.backup?.observedTrigger === `light-${i}` &&
            !c.metadata.annotations?.[TRIGGER_BACKUP_ANNOTATION],
        ),
      'the triggers to be recorded and their annotations removed',
    );
    await sleep(2_500); // a few more light passes on both replicas
    const perTrigger = TRIGGERED.map(
      (_, i) =>
        jobs().filter(
          j =>
            j.metadata.annotations?.[ANNOTATION_TRIGGER_VALUE] === `light-${i}`,
        ).length,
    );
    const sorted = [...latencies].sort((a, b) => a - b);
    // eslint-disable-next-line no-console
    console.log(
      `trigger → Job created, real scheduler, 2 replicas: ${latencies.join(
        ', ',
      )} ms (median ${sorted[Math.floor(sorted.length / 2)]} ms)`,
    );
    expect(perTrigger).toEqual([1, 1, 1, 1]);
    // The mechanism: no full pass since start-up (an hour away), so light passes made the Jobs.
    expect(passes('full')).toBe(1);
  }, 60_000);

  it('starts a scheduled slot once it has come, without waiting for the full pass', async () => {
    const slot = '2026-01-06T03:00:00.000Z';
    now = new Date(Date.parse(slot) + 500);
    const start = Date.now();
    const scheduled = () =>
      jobs().filter(
        j =>
          j.metadata.labels?.[LABEL_CLUSTER] === 'bao-4' &&
          j.metadata.annotations?.[ANNOTATION_SCHEDULED_TIME],
      );
    await waitFor(
      async () => scheduled().length,
      n => n > 0,
      'the slot Job',
    );
    const latency = Date.now() - start;
    await sleep(2_500);
    // eslint-disable-next-line no-console
    console.log(`slot due → Job created: ${latency} ms`);
    expect(
      scheduled().map(j =>
        new Date(
          j.metadata.annotations?.[ANNOTATION_SCHEDULED_TIME] ?? '',
        ).toISOString(),
      ),
    ).toEqual([slot]);
    expect(passes('full')).toBe(1);
  }, 60_000);

  /** Real ms from a Job's end (a terminal condition in the API server) to `recorded`. */
  async function latencyFromJobEnd(
    name: string,
    recorded: (status: any) => boolean,
  ): Promise<number> {
    const cr = () => crs().find(c => c.metadata.name === name)!;
    const job = await waitFor(
      async () =>
        jobs().find(j => j.metadata.name === cr().status?.backup?.activeJob),
      j => j !== undefined,
      `${name}'s Job`,
    );
    const ended = await waitFor(
      async () =>
        kube!.store
          .list(kube!.store.type('jobs.batch'), NS)
          .find(j => j.metadata.name === job!.metadata.name)
          ?.status?.conditions?.some(
            (c: any) =>
              ['Complete', 'Failed'].includes(c.type) && c.status === 'True',
          ),
      e => e === true,
      `${name}'s Job to end`,
    ).then(() => Date.now());
    await waitFor(
      async () => cr().status,
      recorded,
      `${name}'s run to be recorded`,
    );
    return Date.now() - ended;
  }

  const backingUp = (status: any) =>
    status?.conditions?.find((c: any) => c.type === 'BackingUp');

  it("records a Job's end by a light pass within a poll, and the pre-upgrade wait returns then", async () => {
    // Their slot has come too (the test before): let those runs end first.
    const slow = () => crs().filter(c => (c.metadata.name ?? '') in SLOW_RUNS);
    await waitFor(
      async () => slow(),
      clusters => clusters.every(c => !c.status?.backup?.activeJob),
      'the slot runs of bao-ok and bao-ko',
    );
    const failures = (name: string) =>
      crs().find(c => c.metadata.name === name)?.status?.backup
        ?.consecutiveFailures ?? 0;
    const failuresBefore = failures('bao-ko');
    // The success: a pre-upgrade request that waits for its run (ClusterService.waitForRun).
    const requested = Date.now();
    const answer = request(backends[0].server)
      .post(`/api/openbao-backup/clusters/sandbox/${NS}/bao-ok/pre-upgrade`)
      .set('Authorization', mockCredentials.service.header())
      .send({ requestId: 'upgrade-1', waitSeconds: 30 })
      .then(res => ({ res, at: Date.now() }));
    const succeeded = await latencyFromJobEnd(
      'bao-ok',
      status =>
        status?.backup?.observedTrigger === 'upgrade-1' &&
        status.backup.lastBackupTime !== undefined &&
        !status.backup.activeJob &&
        backingUp(status)?.reason === 'BackupSucceeded',
    );
    const { res, at } = await answer;
    // The failure, triggered by annotation.
    await kubeRequest(kube!, 'PATCH', `${crsPath(NS)}/bao-ko`, {
      metadata: { annotations: { [TRIGGER_BACKUP_ANNOTATION]: 'fail-1' } },
    });
    const failed = await latencyFromJobEnd(
      'bao-ko',
      status =>
        status?.backup?.observedTrigger === 'fail-1' &&
        status.backup.consecutiveFailures === failuresBefore + 1 &&
        !status.backup.activeJob &&
        backingUp(status)?.status === 'False',
    );
    // eslint-disable-next-line no-console
    console.log(
      `Job ended → status recorded, real scheduler, 2 replicas: success ${succeeded} ms, failure ${failed} ms; pre-upgrade request answered after ${
        at - requested
      } ms (run of 1 s)`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ requestId: 'upgrade-1', ok: true });
    expect(
      crs().find(c => c.metadata.name === 'bao-ko')?.status?.backup
        ?.lastFailureReason,
    ).toMatch(/storage/i);
    expect(
      crs().find(c => c.metadata.name === 'bao-ok')?.metadata.annotations?.[
        PRE_UPGRADE_BACKUP_ANNOTATION
      ],
    ).toBeUndefined();
    // Light passes did it: the next full pass is an hour away.
    expect(passes('full')).toBe(1);
    expect(logs.flatMap(l => l.problems)).toEqual([]);
  }, 60_000);
});
