import { startKubeApi, KubeApi } from './startKubeApi';
import { createSimulatedPodExecutor } from './SimulatedPodExecutor';
import {
  clientsFor,
  cluster,
  failure,
  OPENBAO,
  waitFor,
} from './__testUtils__/kubeClients';

let api: KubeApi;
let c: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  // Pods that run until stopped, so deletion has something to wait for.
  api = await startKubeApi({
    namespaces: ['gc'],
    podExecutor: createSimulatedPodExecutor(() => ({ durationMs: 60_000 })),
  });
  c = clientsFor(api);
});
afterAll(() => api.stop());

async function jobOwnedBy(owner: any, name: string) {
  return c.batch.createNamespacedJob({
    namespace: 'gc',
    body: {
      metadata: {
        name,
        ownerReferences: owner
          ? [
              {
                apiVersion: 'openbao.org/v1alpha1',
                kind: 'OpenBaoCluster',
                name: owner.metadata.name,
                uid: owner.metadata.uid,
                controller: true,
              },
            ]
          : undefined,
      },
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'c', image: 'x' }],
          },
        },
      },
    },
  });
}

const podsOf = async (job: string) =>
  (
    await c.core.listNamespacedPod({
      namespace: 'gc',
      labelSelector: `job-name=${job}`,
    })
  ).items;
const exists = (p: Promise<unknown>) =>
  p.then(
    () => true,
    () => false,
  );

describe('ownerReferences and deletion', () => {
  it('deleting an OpenBaoCluster deletes its Jobs, and they their Pods', async () => {
    const owner: any = await c.custom.createNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'gc',
      body: cluster('owner', 'gc'),
    });
    await jobOwnedBy(owner, 'owned-job');
    const [pod] = await waitFor(() =>
      podsOf('owned-job').then(p => (p.length ? p : undefined)),
    );
    expect(pod.metadata!.ownerReferences![0]).toMatchObject({
      kind: 'Job',
      name: 'owned-job',
      controller: true,
    });
    await c.custom.deleteNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'gc',
      name: 'owner',
    });
    await waitFor(
      async () =>
        !(await exists(
          c.batch.readNamespacedJob({ namespace: 'gc', name: 'owned-job' }),
        )),
      5000,
      'job deleted',
    );
    await waitFor(
      async () => (await podsOf('owned-job')).length === 0,
      5000,
      'pods deleted',
    );
  });

  it('deleting a batch/v1 Job without a policy orphans its Pods and warns, as the apiserver does', async () => {
    await jobOwnedBy(undefined, 'orphaning');
    await waitFor(() => podsOf('orphaning').then(p => p.length === 1));
    const res = await fetch(
      `${api.url}/apis/batch/v1/namespaces/gc/jobs/orphaning`,
      { method: 'DELETE', headers: { Authorization: `Bearer ${api.token}` } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('warning')).toContain(
      'child pods are preserved by default when jobs are deleted',
    );
    const body = await res.json();
    expect(body.metadata.finalizers).toEqual(['orphan']);
    expect(body.metadata.deletionTimestamp).toBeDefined();
    await waitFor(
      async () =>
        !(await exists(
          c.batch.readNamespacedJob({ namespace: 'gc', name: 'orphaning' }),
        )),
    );
    const [pod] = await podsOf('orphaning');
    expect(pod.metadata!.ownerReferences).toBeUndefined();
    await c.core.deleteNamespacedPod({
      namespace: 'gc',
      name: pod.metadata!.name!,
      gracePeriodSeconds: 0,
    });
  });

  it('deletes the Pods of a Job deleted with propagationPolicy=Background', async () => {
    await jobOwnedBy(undefined, 'background');
    await waitFor(() => podsOf('background').then(p => p.length === 1));
    await c.batch.deleteNamespacedJob({
      namespace: 'gc',
      name: 'background',
      propagationPolicy: 'Background',
    });
    await waitFor(
      async () => (await podsOf('background')).length === 0,
      5000,
      'pods deleted',
    );
    expect(
      await exists(
        c.batch.readNamespacedJob({ namespace: 'gc', name: 'background' }),
      ),
    ).toBe(false);
  });

  it('keeps a Foreground-deleted Job (with its finalizer) until its Pods are gone', async () => {
    await jobOwnedBy(undefined, 'foreground');
    await waitFor(() =>
      podsOf('foreground').then(p => p[0]?.status?.phase === 'Running'),
    );
    // Raw call: the client's typed V1Status result would drop the Job's metadata.
    const res = await fetch(
      `${api.url}/apis/batch/v1/namespaces/gc/jobs/foreground`,
      {
        method: 'DELETE',
        headers: {
          Authorization: `Bearer ${api.token}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          propagationPolicy: 'Foreground',
        }),
      },
    );
    expect((await res.json()).metadata.finalizers).toEqual([
      'foregroundDeletion',
    ]);
    await waitFor(
      async () =>
        !(await exists(
          c.batch.readNamespacedJob({ namespace: 'gc', name: 'foreground' }),
        )),
    );
    expect(await podsOf('foreground')).toEqual([]);
  });

  it('holds an object with finalizers until they are removed', async () => {
    await c.custom.createNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'gc',
      body: {
        ...cluster('fin', 'gc'),
        metadata: {
          name: 'fin',
          namespace: 'gc',
          finalizers: ['openbao.org/protect'],
        },
      },
    });
    const pending: any = await c.custom.deleteNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'gc',
      name: 'fin',
    });
    expect(pending.metadata.deletionTimestamp).toBeDefined();
    const still: any = await c.custom.getNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'gc',
      name: 'fin',
    });
    await c.custom.replaceNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'gc',
      name: 'fin',
      body: { ...still, metadata: { ...still.metadata, finalizers: [] } },
    });
    expect(
      (
        await failure(
          c.custom.getNamespacedCustomObject({
            ...OPENBAO,
            namespace: 'gc',
            name: 'fin',
          }),
        )
      ).code,
    ).toBe(404);
  });

  it('deletes a running Pod gracefully: it is returned with a deletionTimestamp and goes once stopped', async () => {
    await c.core.createNamespacedPod({
      namespace: 'gc',
      body: {
        metadata: { name: 'graceful' },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      },
    });
    await waitFor(
      async () =>
        (
          await c.core.readNamespacedPod({ namespace: 'gc', name: 'graceful' })
        ).status?.phase === 'Running',
    );
    const deleted = await c.core.deleteNamespacedPod({
      namespace: 'gc',
      name: 'graceful',
    });
    expect(deleted.metadata!.deletionTimestamp).toBeDefined();
    expect(deleted.metadata!.deletionGracePeriodSeconds).toBe(30);
    await waitFor(
      async () =>
        !(await exists(
          c.core.readNamespacedPod({ namespace: 'gc', name: 'graceful' }),
        )),
    );
  });

  it('terminates a namespace: content deleted, creates refused, then the namespace goes', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    const ns = await c.core.readNamespace({ name: 'doomed' });
    expect(ns.status!.phase).toBe('Active');
    expect(ns.metadata!.labels).toEqual({
      'kubernetes.io/metadata.name': 'doomed',
    });
    await waitFor(
      () =>
        exists(
          c.core.readNamespacedServiceAccount({
            namespace: 'doomed',
            name: 'default',
          }),
        ),
      5000,
      'default SA',
    );
    await c.core.createNamespacedSecret({
      namespace: 'doomed',
      body: { metadata: { name: 's' } },
    });
    // A finalizer holds the namespace in Terminating while the test looks.
    await c.custom.createNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'doomed',
      body: {
        ...cluster('held', 'doomed'),
        metadata: { name: 'held', namespace: 'doomed', finalizers: ['x/hold'] },
      },
    });
    const terminating = await c.core.deleteNamespace({ name: 'doomed' });
    expect((terminating as any).status.phase).toBe('Terminating');
    const refused = await failure(
      c.core.createNamespacedSecret({
        namespace: 'doomed',
        body: { metadata: { name: 's2' } },
      }),
    );
    expect(refused.code).toBe(403);
    expect(refused.body.message).toBe(
      'unable to create new content in namespace doomed because it is being terminated',
    );
    await waitFor(
      async () =>
        !(await exists(
          c.core.readNamespacedSecret({ namespace: 'doomed', name: 's' }),
        )),
      5000,
      'content deleted',
    );
    expect((await c.core.readNamespace({ name: 'doomed' })).status!.phase).toBe(
      'Terminating',
    );
    await c.custom.patchNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'doomed',
      name: 'held',
      body: [{ op: 'remove', path: '/metadata/finalizers' }],
    });
    await waitFor(
      async () => !(await exists(c.core.readNamespace({ name: 'doomed' }))),
      5000,
      'namespace gone',
    );
  });
});
