import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startKubeApi, KubeApi } from './startKubeApi';
import {
  clientsFor,
  cluster,
  failure,
  OPENBAO,
} from './__testUtils__/kubeClients';

let api: KubeApi;
let c: ReturnType<typeof clientsFor>;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions(
  'Content-Type',
  PatchStrategy.StrategicMergePatch,
);

beforeAll(async () => {
  api = await startKubeApi({ namespaces: ['ns'], controllers: false });
  c = clientsFor(api);
});
afterAll(() => api.stop());

const job = (name: string) => ({
  metadata: { name },
  spec: {
    template: {
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'executor', image: 'exec:1' }],
      },
    },
  },
});

describe('patches and the status subresource', () => {
  it('applies a JSON merge patch (RFC 7386) to an OpenBaoCluster', async () => {
    await c.custom.createNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'ns',
      body: {
        ...cluster('m', 'ns'),
        metadata: {
          name: 'm',
          namespace: 'ns',
          annotations: { 'openbao.org/trigger-backup': 'now', keep: 'y' },
        },
      },
    });
    const patched: any = await c.custom.patchNamespacedCustomObject(
      {
        ...OPENBAO,
        namespace: 'ns',
        name: 'm',
        body: {
          metadata: { annotations: { 'openbao.org/trigger-backup': null } },
          spec: { backup: { schedule: '0 * * * *' } },
        },
      },
      merge,
    );
    expect(patched.metadata.annotations).toEqual({ keep: 'y' });
    expect(patched.spec).toEqual({
      replicas: 3,
      backup: { schedule: '0 * * * *' },
    });
    expect(patched.metadata.generation).toBe(2);
  });

  it('applies a JSON patch (RFC 6902) and answers 422 when a test op fails', async () => {
    const patched: any = await c.custom.patchNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'ns',
      name: 'm',
      body: [
        { op: 'test', path: '/spec/replicas', value: 3 },
        { op: 'replace', path: '/spec/replicas', value: 5 },
      ],
    });
    expect(patched.spec.replicas).toBe(5);
    const f = await failure(
      c.custom.patchNamespacedCustomObject({
        ...OPENBAO,
        namespace: 'ns',
        name: 'm',
        body: [{ op: 'test', path: '/spec/replicas', value: 1 }],
      }),
    );
    expect(f.code).toBe(422);
    expect(f.body.reason).toBe('Invalid');
  });

  it('removes an annotation with a JSON patch test + remove (`/` escaped as ~1), 422 once the value changed', async () => {
    const path = '/metadata/annotations/openbao.org~1trigger-backup';
    const set = (value: string) =>
      c.custom.patchNamespacedCustomObject(
        {
          ...OPENBAO,
          namespace: 'ns',
          name: 'm',
          body: {
            metadata: { annotations: { 'openbao.org/trigger-backup': value } },
          },
        },
        merge,
      );
    const remove = (value: string) =>
      c.custom.patchNamespacedCustomObject({
        ...OPENBAO,
        namespace: 'ns',
        name: 'm',
        body: [
          { op: 'test', path, value },
          { op: 'remove', path },
        ],
      });
    await set('newer');
    const f = await failure(remove('older'));
    expect(f.code).toBe(422);
    expect(f.body.reason).toBe('Invalid');
    const removed: any = await remove('newer');
    expect(removed.metadata.annotations).toEqual({ keep: 'y' });
    // Gone already: the test fails too (nothing to compare with).
    expect((await failure(remove('newer'))).code).toBe(422);
  });

  it('refuses a status merge patch carrying a stale resourceVersion with 409, as the apiserver does', async () => {
    const read: any = await c.custom.createNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'ns',
      body: cluster('rv', 'ns'),
    });
    const statusPatch = (resourceVersion: string, phase: string) =>
      c.custom.patchNamespacedCustomObjectStatus(
        {
          ...OPENBAO,
          namespace: 'ns',
          name: 'rv',
          body: { metadata: { resourceVersion }, status: { phase } },
        },
        merge,
      );
    const first: any = await statusPatch(read.metadata.resourceVersion, 'A');
    expect(first.status.phase).toBe('A');
    const f = await failure(statusPatch(read.metadata.resourceVersion, 'B'));
    expect(f.code).toBe(409);
    expect(f.body.reason).toBe('Conflict');
    const again: any = await statusPatch(first.metadata.resourceVersion, 'C');
    expect(again.status.phase).toBe('C');
  });

  it('refuses a strategic merge patch on a custom resource with 415, as the apiserver does', async () => {
    const f = await failure(
      c.custom.patchNamespacedCustomObject(
        { ...OPENBAO, namespace: 'ns', name: 'm', body: { spec: {} } },
        strategic,
      ),
    );
    expect(f.code).toBe(415);
    expect(f.body.reason).toBe('UnsupportedMediaType');
  });

  it('merges containers by name and conditions by type in a strategic merge patch', async () => {
    await c.core.createNamespacedPod({
      namespace: 'ns',
      body: {
        metadata: { name: 'p' },
        spec: {
          containers: [
            { name: 'a', image: 'a:1' },
            { name: 'b', image: 'b:1' },
          ],
        },
      },
    });
    const pod = await c.core.patchNamespacedPod(
      {
        namespace: 'ns',
        name: 'p',
        body: { spec: { containers: [{ name: 'b', image: 'b:2' }] } },
      },
      strategic,
    );
    expect(pod.spec!.containers.map(x => `${x.name}=${x.image}`)).toEqual([
      'a=a:1',
      'b=b:2',
    ]);

    await c.core.patchNamespacedPodStatus(
      {
        namespace: 'ns',
        name: 'p',
        body: {
          status: {
            conditions: [
              { type: 'Ready', status: 'False' },
              { type: 'X', status: 'True' },
            ],
          },
        },
      },
      strategic,
    );
    const st = await c.core.patchNamespacedPodStatus(
      {
        namespace: 'ns',
        name: 'p',
        body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      },
      strategic,
    );
    expect(st.status!.conditions!.map(x => `${x.type}=${x.status}`)).toEqual([
      'Ready=True',
      'X=True',
    ]);
  });

  it('isolates status: spec writes ignore status, status writes ignore spec and metadata', async () => {
    await c.batch.createNamespacedJob({
      namespace: 'ns',
      body: { ...job('iso'), status: { active: 9 } } as any,
    });
    const created = await c.batch.readNamespacedJob({
      namespace: 'ns',
      name: 'iso',
    });
    expect(created.status).toEqual({}); // status from the create body is dropped

    const s = await c.batch.patchNamespacedJobStatus(
      {
        namespace: 'ns',
        name: 'iso',
        body: {
          metadata: { labels: { sneaky: 'yes' } },
          spec: { parallelism: 7 },
          status: { active: 1 },
        },
      },
      merge,
    );
    expect(s.status!.active).toBe(1);
    expect(s.spec!.parallelism).toBe(1);
    expect(s.metadata!.labels).toBeUndefined();
    expect(s.metadata!.generation).toBe(1);

    const m = await c.batch.patchNamespacedJob(
      {
        namespace: 'ns',
        name: 'iso',
        body: { metadata: { labels: { a: 'b' } }, status: { active: 5 } },
      },
      merge,
    );
    expect(m.status!.active).toBe(1);
    expect(m.metadata!.labels).toEqual({ a: 'b' });

    // The OpenBaoCluster status: a merge patch on the status subresource, as docs/contract.md §2 writes it.
    const cr: any = await c.custom.patchNamespacedCustomObjectStatus(
      {
        ...OPENBAO,
        namespace: 'ns',
        name: 'm',
        body: {
          spec: { replicas: 1 },
          status: { backup: { consecutiveFailures: 0 } },
        },
      },
      merge,
    );
    expect(cr.status).toEqual({ backup: { consecutiveFailures: 0 } });
    expect(cr.spec.replicas).toBe(5);
    const replaced: any = await c.custom.replaceNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'ns',
      name: 'm',
      body: { ...cr, status: { phase: 'hacked' } },
    });
    expect(replaced.status).toEqual({ backup: { consecutiveFailures: 0 } });
  });

  it('returns 404 for a status subresource the type does not have', async () => {
    const res = await fetch(
      `${api.url}/api/v1/namespaces/ns/secrets/x/status`,
      { headers: { Authorization: `Bearer ${api.token}` } },
    );
    expect(res.status).toBe(404);
  });

  it('sets Job defaults and its generated selector', async () => {
    const j = await c.batch.readNamespacedJob({ namespace: 'ns', name: 'iso' });
    expect(j.spec).toMatchObject({
      backoffLimit: 6,
      completions: 1,
      parallelism: 1,
      suspend: false,
      completionMode: 'NonIndexed',
    });
    expect(j.spec!.selector!.matchLabels).toEqual({
      'batch.kubernetes.io/controller-uid': j.metadata!.uid,
    });
    expect(j.spec!.template.metadata!.labels).toMatchObject({
      'job-name': 'iso',
      'batch.kubernetes.io/job-name': 'iso',
    });
    expect(j.spec!.template.spec!.containers[0]).toMatchObject({
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
    });
  });
});
