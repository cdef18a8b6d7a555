import { setTimeout as sleep } from 'node:timers/promises';
import { mockServices } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import { startFaultProxy } from '@internal/openbao-backup-sandbox';
import { KubeGateway } from '../adapters/KubeGateway';
import { ClientNodeKubeGateway } from '../adapters/ClientNodeKubeGateway';
import { objectStoreFor } from '../adapters/objectStoreFor';
import { ClusterService } from '../service/ClusterService';
import {
  FaultHarness,
  describeEnd,
  runEnded,
  eventCount,
  failedRunChecks,
  faultRow,
  judge,
  startFaultHarness,
  succeededRunChecks,
} from '../__testUtils__/faultHarness';
import {
  startReconcilingBackend,
  waitFor,
} from '../__testUtils__/reconcilingBackend';

const MiB = 1024 * 1024;
const NS = 'fault-kube';
/** Measured on the API server's clock (real time): the pod-never-starting case waits it out. */
const POD_START_TIMEOUT_S = 10;
const DEADLINE_S = 6;
jest.setTimeout(60_000);

/*
 * Kubernetes API faults: the API double answers 409s, drops watches, goes away behind a tcp proxy,
 * loses the Job, never starts the Pod, or ends the Job at its deadline. Each case checks the whole
 * end state and that no run is twinned. The object is ≈ 7 MiB: a multipart upload is open after
 * 5 MiB of stream.
 */
describe('Kubernetes API faults end to end', () => {
  let h: FaultHarness;
  const row = faultRow('kubernetes');

  beforeAll(async () => {
    h = await startFaultHarness({
      namespace: NS,
      sandbox: {
        bao: { snapshot: { stateSize: 14 * MiB, compressionLevel: 1 } },
        // Kubernetes' own behaviour: a missing image is retried for ever, never failed by the node.
        kubelet: { imagePullFailAfterMs: null },
      },
      reconciler: { podStartTimeoutSeconds: POD_START_TIMEOUT_S },
    });
    await h.tick(); // first sighting: the next slot is recorded
  }, 60_000);
  afterEach(() => h.clearFaults());
  afterAll(() => h?.stop());

  const activeRun = () =>
    h.tickUntil(c => !!c.status?.backup?.activeJob, 'the Job to start');
  const until = async (
    what: string,
    done: () => Promise<boolean>,
    show: () => Promise<unknown> = async () => '',
  ) => {
    for (let i = 0; !(await done()); i++) {
      if (i > 300) {
        throw new Error(
          `timed out waiting for ${what}: ${JSON.stringify(await show())}`,
        );
      }
      await sleep(50);
    }
  };
  const podsOf = async (job: string): Promise<any[]> =>
    (
      await h.sandbox.request(
        'GET',
        `/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3D${job}`,
      )
    ).items;

  /** A manual run whose stream stalls after 6 MiB: one part stored, its multipart upload open. */
  const startStalledRun = async (value: string) => {
    h.bao.setFaults({ stallAfterBytes: 6 * MiB });
    const before = await h.endState();
    await h.trigger(value);
    const { cr: running } = await activeRun();
    const { activeJob, activeJobKey } = running.status.backup;
    await until(
      'a multipart upload to be open',
      async () => (await h.uploads()).length > 0,
    );
    return { before, activeJob, activeJobKey };
  };

  it('409 storm on status writes', async () => {
    const { faults } = h.sandbox.kube;
    const statusPath = `${h.crPath}/status`;
    // Probes (no status): they only count the requests they match.
    const before = await h.endState();
    const writes = faults.add({ method: 'PATCH', pathPattern: statusPath });
    const reads = faults.add({ method: 'GET', pathPattern: h.crPath });
    faults.conflictNextWrites(7, statusPath);
    await h.trigger('conflict-storm');
    const first = await h.tick();
    const firstPass = { writes: writes.hits, reads: reads.hits };
    const afterFirst = await h.endState();
    await h.untilRunEnds('conflict-storm');
    const after = await h.endState();
    judge(
      row(
        '409 storm on status writes',
        '7 status writes in a row answer 409 Conflict',
        'each retry re-reads the cluster; a pass gives up after 5 tries; the next pass adopts the Job and records it; one Job; run ok',
      ),
      {
        'first pass: 5 writes then gave up': firstPass.writes === 5,
        'first pass: a fresh read before each retry': firstPass.reads === 4,
        'first pass reported the conflict': first.errors.some(e =>
          /conflict/i.test(e.message),
        ),
        'the Job was created once in the first pass':
          afterFirst.jobs.length === before.jobs.length + 1,
        'observedTrigger recorded':
          after.backup.observedTrigger === 'conflict-storm',
        'trigger annotation cleared': !(await h.triggerAnnotation()),
        ...succeededRunChecks(before, after),
      },
      `${firstPass.writes} writes/${
        firstPass.reads
      } re-reads in pass 1, then recorded; ${describeEnd(after)}`,
    );
  });

  it('dropped watch: a trigger set while it was down is still honoured', async () => {
    const { faults } = h.sandbox.kube;
    const clusterWatches = '**/openbaoclusters';
    // The plugin's first OpenBaoCluster watch is cut after 1 s; reconnections are refused until the
    // API is "back". Its backup Job watch is left alone: it reports the run's end.
    faults.add({
      watch: true,
      pathPattern: clusterWatches,
      dropWatchAfterMs: 1000,
      times: 1,
    });
    const interruptions: string[] = [];
    // The real plugin (its watches, task.observe, the pass requester), on the harness's clock and
    // cluster; the test itself never asks for a pass.
    const backend = await startReconcilingBackend({
      kubes: [{ name: 'sandbox', api: h.sandbox.kube }],
      clock: { now: h.now },
      // The sandbox's OpenBao pods listen on loopback ports (see sandboxReconciler).
      openbaoBackup: { job: { allowAddressOverride: true } },
      logger: {
        warn: (message: string, meta?: any) => {
          if (/OpenBaoCluster watch interrupted/.test(message))
            interruptions.push(String(meta?.error));
        },
      },
    });
    try {
      const refused = faults.add({
        watch: true,
        pathPattern: clusterWatches,
        status: 503,
      });
      await until(
        'the watch to drop and be refused',
        async () => refused.hits >= 1,
      );
      const before = await h.endState();
      const runsBefore = backend.runs();
      await h.trigger('while-watch-down');
      await sleep(500);
      const passesWhileDown = backend.runs() - runsBefore;
      faults.remove(refused.id);
      const cr = await waitFor(
        h.cluster,
        runEnded('while-watch-down'),
        'the plugin to run the trigger seen by its re-established watch',
        45_000,
      );
      // The plugin's pass writes the status first and records the Event after it: the test reads
      // the status from outside while that pass may still be running.
      await until(
        'the BackupSucceeded Event of the run',
        async () =>
          eventCount(await h.endState(), 'BackupSucceeded') >
          eventCount(before, 'BackupSucceeded'),
      );
      const after = await h.endState();
      judge(
        row(
          'dropped watch',
          'OpenBaoCluster watch cut, reconnections refused (503) while a trigger is set',
          'the plugin re-establishes the watch from its resourceVersion; the trigger it sees starts one run; run ok',
        ),
        {
          'watch interruptions logged': interruptions.length >= 2,
          'no pass while the watch was down': passesWhileDown === 0,
          'passes started by the plugin after reconnect':
            backend.runs() > runsBefore,
          'observedTrigger recorded':
            cr.status.backup.observedTrigger === 'while-watch-down',
          ...succeededRunChecks(before, after),
        },
        `${interruptions.length} watch interruptions (${interruptions[0]?.slice(
          0,
          40,
        )}…), ${
          backend.runs() - runsBefore
        } plugin passes after reconnect; ${describeEnd(after)}`,
      );
    } finally {
      await backend.stop();
    }
  });

  it('API server down for a while', async () => {
    const proxy = await startFaultProxy({
      target: h.sandbox.kube.url,
      mode: 'tcp',
    });
    const gateway = ClientNodeKubeGateway.create({
      name: 'sandbox',
      url: `https://127.0.0.1:${proxy.port}`,
      caData: h.sandbox.kube.caData,
      serviceAccountToken: h.sandbox.kube.token,
      skipTLSVerify: false,
      authProvider: 'serviceAccount',
    });
    const clusters = ClusterService.create({
      gateways: [gateway],
      openStore: objectStoreFor,
      health: { staleFactor: 1, graceSeconds: 3600 },
      now: h.now,
    });
    const ref = { kubernetesCluster: 'sandbox', namespace: NS, name: 'bao' };
    try {
      h.restart({ gateways: [gateway], logger: mockServices.logger.mock() });
      h.bao.setFaults({ rateLimitBytesPerSecond: 4 * MiB });
      const before = await h.endState();
      await h.trigger('api-down');
      const { cr: running } = await activeRun();
      await proxy.down();
      // Passes go on while the Job runs to its end behind the outage.
      const outage: string[] = [];
      let threw = 0;
      const jobDone = async () =>
        (await h.jobs()).some(
          j =>
            j.metadata.name === running.status.backup.activeJob &&
            j.status?.succeeded,
        );
      for (let i = 0; i < 150 && !(await jobDone()); i++) {
        try {
          outage.push(...(await h.tick()).errors.map(e => e.message));
        } catch {
          threw++;
        }
        await sleep(200);
      }
      const endedInOutage = await jobDone();
      const fleet = await clusters.fleet();
      const entry = await clusters.entry(ref);
      await proxy.up();
      await h.untilRunEnds('api-down');
      const after = await h.endState();
      const back = await clusters.entry(ref);
      judge(
        row(
          'API server down for a while',
          'tcp proxy in front of the API refuses connections while the Job runs to its end',
          'passes report the cluster unreachable, never throw; fleet/entry unknown with the error; when back the run is recorded ok; one Job',
        ),
        {
          'passes during the outage reported the connection error':
            outage.length > 0 &&
            outage.every(m => /ECONNREFUSED|connect/.test(m)),
          'no pass threw': threw === 0,
          'the Job ended during the outage': endedInOutage,
          'fleet reports the Kubernetes cluster failing':
            fleet.items.length === 0 &&
            fleet.errors.some(e => e.kubernetesCluster === 'sandbox'),
          'cluster entry unknown with the error':
            entry.health === 'unknown' &&
            /ECONNREFUSED|connect/.test(entry.error ?? ''),
          'cluster entry known again when back':
            back.health !== 'unknown' && !back.error,
          ...succeededRunChecks(before, after),
        },
        `${outage.length} pass errors (${outage[0]?.slice(0, 40)}…), entry ${
          entry.health
        } then ${back.health}; ${describeEnd(after)}`,
      );
    } finally {
      await proxy.up();
      await proxy.stop();
      h.restart();
    }
  });

  it('Job (and its pod, forcibly) deleted by someone mid-upload', async () => {
    const { before, activeJob, activeJobKey } = await startStalledRun(
      'job-deleted',
    );
    const jobs = `/apis/batch/v1/namespaces/${NS}/jobs`;
    const pods = await podsOf(activeJob);
    // kubectl delete job --cascade=orphan; kubectl delete pod --grace-period=0 --force: the
    // executor is killed outright and cannot abort its upload.
    await h.sandbox.request(
      'DELETE',
      `${jobs}/${activeJob}?propagationPolicy=Orphan`,
    );
    for (const pod of pods) {
      await h.sandbox.request(
        'DELETE',
        `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}?gracePeriodSeconds=0`,
      );
    }
    const uploadsAtDelete = await h.uploads();
    await h.tickUntil(
      c => !c.status?.backup?.activeJob,
      'the run to be recorded',
    );
    // The janitor re-checks the key for a while (Swift may list an upload late).
    await h.settleUploads();
    const after = await h.endState();
    judge(
      row(
        'Job deleted mid-run',
        'Job deleted (orphaning its pod), pod force-deleted while its multipart upload is open',
        'JobNotFound recorded, failures+1; the janitor aborts the upload at the key kept in status (activeJobKey); nothing at the key; no new Job',
      ),
      {
        'the key was recorded in status while running':
          !!activeJobKey && activeJobKey.endsWith('.snap'),
        'an upload was open at the deletion':
          uploadsAtDelete.includes(activeJobKey),
        'one FailedRunCleanedUp Event':
          eventCount(after, 'FailedRunCleanedUp') ===
          eventCount(before, 'FailedRunCleanedUp') + 1,
        ...failedRunChecks(
          before,
          after,
          new RegExp(`^JobNotFound: Job "${activeJob}" disappeared`),
          { key: activeJobKey },
        ),
      },
      describeEnd(after),
    );
  });

  it('Job deleted with propagationPolicy=Orphan mid-upload, its pod left running', async () => {
    const { before, activeJob, activeJobKey } = await startStalledRun(
      'job-orphaned',
    );
    // kubectl delete job --cascade=orphan, and nothing else: the pod would go on streaming.
    await h.sandbox.request(
      'DELETE',
      `/apis/batch/v1/namespaces/${NS}/jobs/${activeJob}?propagationPolicy=Orphan`,
    );
    const podsAtDelete = (await podsOf(activeJob)).length;
    await h.tickUntil(
      c => !c.status?.backup?.activeJob,
      'the run to be recorded',
    );
    // Deleted with its grace period: the executor aborts its upload and exits.
    await until(
      'the orphaned pod to be gone',
      async () => (await podsOf(activeJob)).length === 0,
      () => podsOf(activeJob),
    );
    // The stream resumes: a pod still alive now could complete an object at the key.
    h.clearFaults();
    await h.settleUploads();
    await sleep(1000);
    const after = await h.endState();
    const next = await h.runToEnd('after-orphan');
    const afterNext = await h.endState();
    judge(
      row(
        'Job deleted with Orphan',
        'Job deleted with propagationPolicy=Orphan while its pod streams a multipart upload; the pod is left running',
        'the backend deletes the orphaned pod (SIGTERM: the executor aborts); JobNotFound recorded, failures+1; no object ever at the key; no upload left; the next run succeeds',
      ),
      {
        'the pod outlived its Job': podsAtDelete > 0,
        'the orphaned pod deleted by the backend':
          (await podsOf(activeJob)).length === 0,
        ...failedRunChecks(
          before,
          after,
          new RegExp(`^JobNotFound: Job "${activeJob}" disappeared`),
          { key: activeJobKey },
        ),
        'still no object at the key after the next run':
          !afterNext.objects.includes(activeJobKey),
        'the next run succeeds':
          !next.cr.status.backup.lastFailureReason &&
          afterNext.objects.includes(next.cr.status.backup.lastBackupName),
      },
      describeEnd(after),
    );
  });

  it('Job deleted with Orphan while the backend may not delete pods', async () => {
    // What a 403 on DELETE pods becomes in ClientNodeKubeGateway (its own test checks that).
    // (A Proxy, not Object.create: the real gateway's methods use its private fields.)
    const real = h.sandbox.gateway;
    const noPodDelete = new Proxy(real, {
      get(target, prop) {
        if (prop === 'deletePod')
          return async (ns: string, name: string) => {
            throw new NotAllowedError(
              `delete Pod ${ns}/${name}: the backend may not delete pods (the chart's RBAC grants delete on pods)`,
            );
          };
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as KubeGateway;
    h.restart({ gateways: [noPodDelete] });
    try {
      const { before, activeJob } = await startStalledRun('orphaned-no-rights');
      await h.sandbox.request(
        'DELETE',
        `/apis/batch/v1/namespaces/${NS}/jobs/${activeJob}?propagationPolicy=Orphan`,
      );
      const { cr } = await h.tickUntil(
        c => !c.status?.backup?.activeJob,
        'the run to be recorded although its pod could not be deleted',
      );
      const after = await h.endState();
      const podsLeft = (await podsOf(activeJob)).length;
      // The operator's part: delete the pod by hand (the Event says so).
      for (const pod of await podsOf(activeJob))
        await h.sandbox.request(
          'DELETE',
          `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}`,
        );
      h.clearFaults();
      h.restart();
      const next = await h.runToEnd('after-orphan-no-rights');
      judge(
        row(
          'Job deleted with Orphan, no right to delete pods',
          "Job deleted with propagationPolicy=Orphan mid-upload; the backend's DELETE pods is refused (403)",
          'the run is still recorded (JobNotFound, failures+1, activeJob cleared), a Warning Event names the pod and the missing permission; the next run succeeds',
        ),
        {
          'the run recorded, not wedged': !cr.status.backup.activeJob,
          'JobNotFound recorded': /^JobNotFound: /.test(
            cr.status.backup.lastFailureReason ?? '',
          ),
          'failures+1':
            after.backup.consecutiveFailures ===
            (before.backup.consecutiveFailures ?? 0) + 1,
          'a Warning Event about the pod':
            eventCount(after, 'OrphanedPodNotDeleted') === 1,
          'the pod was left running (nobody could delete it)': podsLeft > 0,
          'the next run succeeds':
            !next.cr.status.backup.lastFailureReason &&
            next.cr.status.backup.consecutiveFailures === 0,
        },
        describeEnd(after),
      );
    } finally {
      h.restart();
    }
  });

  it('Pod never starting (image missing)', async () => {
    await h.patchBackup({
      executorImage: 'registry.invalid/no-such-executor:1.0',
    });
    try {
      // The backend's clock runs 2 h ahead of the API server's: the wait must be measured on the
      // server's clock (its Date header), not by comparing the backend's clock with its timestamps.
      h.setNow(new Date(Date.now() + 2 * 3600_000));
      const before = await h.endState();
      await h.trigger('image-missing');
      const { cr: running } = await activeRun();
      const { activeJob, activeJobKey } = running.status.backup;
      const podWaiting = async () =>
        (await podsOf(activeJob)).some((p: any) =>
          /^(ErrImagePull|ImagePullBackOff)$/.test(
            p.status?.containerStatuses?.[0]?.state?.waiting?.reason,
          ),
        );
      await until('the pod to wait for its image', podWaiting, async () =>
        (await podsOf(activeJob)).map(p => p.status),
      );
      const podCreated = Date.parse(
        (await podsOf(activeJob))[0].metadata.creationTimestamp,
      );
      await h.tick();
      const stillRunning =
        (await h.cluster()).status.backup.activeJob === activeJob;
      await h.tickUntil(
        c => !c.status?.backup?.activeJob,
        'the run to be recorded',
      );
      // API server and test share the machine's clock; timestamps are truncated to the second.
      const waitedS = (Date.now() - podCreated) / 1000;
      console.log(
        `pod never starting: failed after ${waitedS.toFixed(
          1,
        )} s of API server time (timeout ${POD_START_TIMEOUT_S} s, backend clock 2 h ahead)`,
      );
      await until(
        'the Job to be deleted',
        async () => (await h.jobs()).length === before.jobs.length,
      );
      const after = await h.endState();
      judge(
        row(
          'Pod never starting (image missing)',
          'executor image cannot be pulled (the node retries for ever)',
          `PodStartFailed naming the pull error after podStartTimeoutSeconds (${POD_START_TIMEOUT_S} s of API server time, the backend's clock 2 h ahead), not before; Job deleted; failures+1`,
        ),
        {
          'still running before podStartTimeoutSeconds': stillRunning,
          'not failed before podStartTimeoutSeconds of server time':
            waitedS >= POD_START_TIMEOUT_S - 1,
          ...failedRunChecks(
            before,
            after,
            /^PodStartFailed: the executor pod did not start: (ErrImagePull|ImagePullBackOff): /,
            { key: activeJobKey },
          ),
        },
        describeEnd(after),
      );
    } finally {
      await h.patchBackup({ executorImage: 'openbao-backup-executor:dev' });
    }
  });

  it('deadline exceeded', async () => {
    await h.patchBackup({ activeDeadlineSeconds: DEADLINE_S });
    // The stream stops after 6 MiB (one part stored, the upload open) and waits for the deadline.
    h.bao.setFaults({ stallAfterBytes: 6 * MiB });
    try {
      const before = await h.endState();
      await h.trigger('deadline');
      await activeRun();
      // Read without passes: the run's end is only recorded by the passes below.
      let uploadOpen = false;
      await until('the upload to open or the run to end', async () => {
        uploadOpen = (await h.uploads()).length > 0;
        return uploadOpen || (await h.jobs()).some(j => j.status?.failed);
      });
      await h.tickUntil(
        c => !c.status?.backup?.activeJob,
        'the run to be recorded',
        20_000,
      );
      await h.settleUploads();
      const after = await h.endState();
      judge(
        row(
          'deadline exceeded',
          `activeDeadlineSeconds ${DEADLINE_S} s, the snapshot stream stalls after 6 MiB`,
          'DeadlineExceeded naming the deadline; the upload aborted; failures+1',
        ),
        {
          'the upload was open before the deadline': uploadOpen,
          ...failedRunChecks(
            before,
            after,
            new RegExp(
              `^DeadlineExceeded: the Job ran longer than activeDeadlineSeconds=${DEADLINE_S}`,
            ),
          ),
        },
        describeEnd(after),
      );
    } finally {
      await h.patchBackup({ activeDeadlineSeconds: 120 });
    }
  });
});
