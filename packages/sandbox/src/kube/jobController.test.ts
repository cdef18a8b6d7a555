import { V1Job } from '@kubernetes/client-node';
import { startKubeApi, KubeApi } from './startKubeApi';
import { createSimulatedPodExecutor } from './SimulatedPodExecutor';
import { clientsFor, failure, waitFor } from './__testUtils__/kubeClients';

let api: KubeApi;
let c: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  // Each Pod's outcome comes from its annotations, so one server serves every case.
  const executor = createSimulatedPodExecutor(pod => {
    const a = pod.metadata.annotations ?? {};
    if (a['sim/waiting'])
      return {
        waiting: { reason: a['sim/waiting'], message: 'no such image' },
      };
    return {
      exitCode: Number(a['sim/exitCode'] ?? 0),
      durationMs: Number(a['sim/durationMs'] ?? 30),
      message: a['sim/message'],
      log: 'line 1\nline 2\nline 3\n',
    };
  });
  api = await startKubeApi({
    namespaces: ['jobs'],
    podExecutor: executor,
    kubelet: { imagePullFailAfterMs: 300, retryMs: 100 },
  });
  c = clientsFor(api);
});
afterAll(() => api.stop());

function job(
  name: string,
  annotations: Record<string, string>,
  spec: Partial<V1Job['spec']> = {},
): V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      ...spec,
      template: {
        metadata: { annotations },
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'executor', image: 'executor:1' }],
        },
      },
    },
  };
}

const readJob = (name: string) =>
  c.batch.readNamespacedJob({ namespace: 'jobs', name });
const conditionTypes = (j: V1Job) =>
  (j.status?.conditions ?? []).map(
    x => `${x.type}${x.reason ? `:${x.reason}` : ''}`,
  );
const finished = (name: string) =>
  waitFor(
    async () => {
      const j = await readJob(name);
      return j.status?.conditions?.some(
        x => ['Complete', 'Failed'].includes(x.type) && x.status === 'True',
      )
        ? j
        : undefined;
    },
    8000,
    `job ${name} to finish`,
  );
const podsOf = async (name: string) =>
  (
    await c.core.listNamespacedPod({
      namespace: 'jobs',
      labelSelector: `batch.kubernetes.io/job-name=${name}`,
    })
  ).items;

describe('the Job controller and kubelet', () => {
  it('runs a Job to Complete with a Pod that reports its termination message', async () => {
    await c.batch.createNamespacedJob({
      namespace: 'jobs',
      body: job('ok', {
        'sim/message': '{"ok":true}',
        'sim/durationMs': '300',
      }),
    });
    const running = await waitFor(async () => {
      const j = await readJob('ok');
      return j.status?.active === 1 ? j : undefined;
    });
    expect(running.status!.startTime).toBeDefined();
    const [pod] = await podsOf('ok');
    expect(pod.metadata!.name).toMatch(/^ok-[a-z0-9]{5}$/);
    expect(pod.metadata!.ownerReferences).toEqual([
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        name: 'ok',
        uid: running.metadata!.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(pod.spec!.nodeName).toBe('sandbox-node');

    const done = await finished('ok');
    expect(conditionTypes(done)).toEqual([
      'SuccessCriteriaMet:CompletionsReached',
      'Complete:CompletionsReached',
    ]);
    expect(done.status).toMatchObject({
      succeeded: 1,
      ready: 0,
      terminating: 0,
    });
    expect(done.status!.active).toBeUndefined();
    expect(done.status!.completionTime).toBeDefined();
    const [finishedPod] = await podsOf('ok');
    expect(finishedPod.status!.phase).toBe('Succeeded');
    expect(
      finishedPod.status!.containerStatuses![0].state!.terminated,
    ).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
      message: '{"ok":true}',
    });
    const log = await c.core.readNamespacedPodLog({
      namespace: 'jobs',
      name: finishedPod.metadata!.name!,
      tailLines: 2,
    });
    expect(log).toBe('line 2\nline 3\n');
  });

  it('fails a Job with BackoffLimitExceeded when its only Pod exits non-zero', async () => {
    await c.batch.createNamespacedJob({
      namespace: 'jobs',
      body: job('bad', {
        'sim/exitCode': '5',
        'sim/message': '{"ok":false,"stage":"storage"}',
      }),
    });
    const done = await finished('bad');
    expect(conditionTypes(done)).toEqual([
      'FailureTarget:BackoffLimitExceeded',
      'Failed:BackoffLimitExceeded',
    ]);
    expect(done.status!.conditions![1].message).toBe(
      'Job has reached the specified backoff limit',
    );
    expect(done.status!.failed).toBe(1);
    expect(done.status!.completionTime).toBeUndefined();
    const [pod] = await podsOf('bad');
    expect(pod.status!.phase).toBe('Failed');
    expect(pod.status!.containerStatuses![0].state!.terminated).toMatchObject({
      exitCode: 5,
      reason: 'Error',
      message: '{"ok":false,"stage":"storage"}',
    });
  });

  it('retries up to backoffLimit with a new Pod', async () => {
    await c.batch.createNamespacedJob({
      namespace: 'jobs',
      body: job('retry', { 'sim/exitCode': '1' }, { backoffLimit: 1 }),
    });
    const done = await finished('retry');
    expect(done.status!.failed).toBe(2);
    expect(await podsOf('retry')).toHaveLength(2);
  });

  it('kills the Pod and fails the Job with DeadlineExceeded at activeDeadlineSeconds', async () => {
    await c.batch.createNamespacedJob({
      namespace: 'jobs',
      body: job(
        'slow',
        { 'sim/durationMs': '60000' },
        { activeDeadlineSeconds: 1 },
      ),
    });
    await waitFor(
      async () => (await podsOf('slow'))[0]?.status?.phase === 'Running',
    );
    const done = await finished('slow');
    expect(conditionTypes(done)).toEqual([
      'FailureTarget:DeadlineExceeded',
      'Failed:DeadlineExceeded',
    ]);
    expect(done.status!.conditions![1].message).toBe(
      'Job was active longer than specified deadline',
    );
    const elapsed =
      Date.parse(done.status!.conditions![1].lastTransitionTime as any) -
      Date.parse(done.status!.startTime as any);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    // As in Kubernetes, the controller deleted the Pod.
    expect(await podsOf('slow')).toEqual([]);
  });

  it('deletes a finished Job and its Pods after ttlSecondsAfterFinished', async () => {
    await c.batch.createNamespacedJob({
      namespace: 'jobs',
      body: job('ttl', {}, { ttlSecondsAfterFinished: 1 }),
    });
    await finished('ttl');
    expect(await podsOf('ttl')).toHaveLength(1);
    await waitFor(
      async () =>
        (await failure(readJob('ttl')).catch(() => ({ code: 200 }))).code ===
        404,
      5000,
      'ttl deletion',
    );
    await waitFor(async () => (await podsOf('ttl')).length === 0);
  });

  it('reports an image that cannot be pulled, then fails the Job instead of hanging', async () => {
    await c.batch.createNamespacedJob({
      namespace: 'jobs',
      body: job('noimage', { 'sim/waiting': 'ErrImagePull' }),
    });
    const waiting = await waitFor(async () => {
      const [p] = await podsOf('noimage');
      return p?.status?.containerStatuses?.[0]?.state?.waiting ? p : undefined;
    });
    expect(waiting.status!.phase).toBe('Pending');
    expect(waiting.status!.containerStatuses![0].state!.waiting).toEqual({
      reason: 'ErrImagePull',
      message: 'no such image',
    });
    const log = await failure(
      c.core.readNamespacedPodLog({
        namespace: 'jobs',
        name: waiting.metadata!.name!,
      }),
    );
    expect(log.code).toBe(400);
    const done = await finished('noimage');
    expect(conditionTypes(done)).toContain('Failed:BackoffLimitExceeded');
    const [pod] = await podsOf('noimage');
    expect(pod.status!.phase).toBe('Failed');
    expect(pod.status!.containerStatuses![0].state!.waiting!.reason).toBe(
      'ImagePullBackOff',
    );
  });
});
