import {
  PatchStrategy,
  setHeaderOptions,
  V1Job,
} from '@kubernetes/client-node';
import { startKubeApi, KubeApi } from './startKubeApi';
import {
  clientsFor,
  cluster,
  failure,
  OPENBAO,
} from './__testUtils__/kubeClients';

let api: KubeApi;
let c: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  api = await startKubeApi({
    namespaces: ['team-a', 'team-b'],
    controllers: false,
  });
  c = clientsFor(api);
});
afterAll(() => api.stop());

describe('CRUD with the real client', () => {
  it('creates, reads, updates and deletes an OpenBaoCluster with resourceVersion and generation', async () => {
    const created: any = await c.custom.createNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'team-a',
      body: cluster('crud-1'),
    });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.creationTimestamp).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    const rv1 = Number(created.metadata.resourceVersion);

    const read: any = await c.custom.getNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'team-a',
      name: 'crud-1',
    });
    expect(read).toEqual(created);

    read.spec.replicas = 5;
    const updated: any = await c.custom.replaceNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'team-a',
      name: 'crud-1',
      body: read,
    });
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(rv1);
    expect(updated.metadata.generation).toBe(2);

    // A metadata-only change keeps the generation.
    updated.metadata.annotations = { note: 'x' };
    const annotated: any = await c.custom.replaceNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'team-a',
      name: 'crud-1',
      body: updated,
    });
    expect(annotated.metadata.generation).toBe(2);

    // An identical write is a no-op: same resourceVersion.
    const again: any = await c.custom.replaceNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'team-a',
      name: 'crud-1',
      body: annotated,
    });
    expect(again.metadata.resourceVersion).toBe(
      annotated.metadata.resourceVersion,
    );

    const deleted: any = await c.custom.deleteNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'team-a',
      name: 'crud-1',
    });
    expect(deleted).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: {
        name: 'crud-1',
        group: 'openbao.org',
        kind: 'openbaoclusters',
      },
    });
    expect(
      (
        await failure(
          c.custom.getNamespacedCustomObject({
            ...OPENBAO,
            namespace: 'team-a',
            name: 'crud-1',
          }),
        )
      ).code,
    ).toBe(404);
  });

  it('answers 404 with the apiserver Status body', async () => {
    const f = await failure(
      c.batch.readNamespacedJob({ name: 'nope', namespace: 'team-a' }),
    );
    expect(f.code).toBe(404);
    expect(f.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'jobs.batch "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'batch', kind: 'jobs' },
      code: 404,
    });
    const core = await failure(
      c.core.readNamespacedSecret({ name: 'nope', namespace: 'team-a' }),
    );
    expect(core.body.message).toBe('secrets "nope" not found');
    expect(core.body.details).toEqual({ name: 'nope', kind: 'secrets' });
  });

  it('answers 409 AlreadyExists on a duplicate create', async () => {
    await c.core.createNamespacedServiceAccount({
      namespace: 'team-a',
      body: { metadata: { name: 'dup' } },
    });
    const f = await failure(
      c.core.createNamespacedServiceAccount({
        namespace: 'team-a',
        body: { metadata: { name: 'dup' } },
      }),
    );
    expect(f.code).toBe(409);
    expect(f.body).toMatchObject({
      reason: 'AlreadyExists',
      message: 'serviceaccounts "dup" already exists',
      details: { name: 'dup', kind: 'serviceaccounts' },
      code: 409,
    });
    // ServiceAccounts (like Pods) answer DELETE with the object; most kinds with a Status.
    const deleted = await c.core.deleteNamespacedServiceAccount({
      namespace: 'team-a',
      name: 'dup',
    });
    expect(deleted).toMatchObject({
      kind: 'ServiceAccount',
      metadata: { name: 'dup' },
    });
    await c.core.createNamespacedSecret({
      namespace: 'team-a',
      body: { metadata: { name: 'gone' } },
    });
    const status: any = await c.core.deleteNamespacedSecret({
      namespace: 'team-a',
      name: 'gone',
    });
    expect(status).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'gone', kind: 'secrets' },
    });
  });

  it('answers 409 Conflict for a stale resourceVersion on PUT and on a patch', async () => {
    const lease = await c.coordination.createNamespacedLease({
      namespace: 'team-a',
      body: { metadata: { name: 'lock' }, spec: { holderIdentity: 'a' } },
    });
    await c.coordination.replaceNamespacedLease({
      namespace: 'team-a',
      name: 'lock',
      body: { ...lease, spec: { holderIdentity: 'b' } },
    });
    const stale = await failure(
      c.coordination.replaceNamespacedLease({
        namespace: 'team-a',
        name: 'lock',
        body: { ...lease, spec: { holderIdentity: 'c' } },
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on leases.coordination.k8s.io "lock": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'lock', group: 'coordination.k8s.io', kind: 'leases' },
    });
    const patch = await failure(
      c.coordination.patchNamespacedLease(
        {
          namespace: 'team-a',
          name: 'lock',
          body: {
            metadata: { resourceVersion: lease.metadata!.resourceVersion },
            spec: { holderIdentity: 'd' },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(patch.code).toBe(409);
  });

  it('answers 422 Invalid with causes, e.g. for a Job name over 63 characters', async () => {
    const job: V1Job = {
      metadata: { name: `backup-${'x'.repeat(60)}` },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'c', image: 'i' }],
          },
        },
      },
    };
    const f = await failure(
      c.batch.createNamespacedJob({ namespace: 'team-a', body: job }),
    );
    expect(f.code).toBe(422);
    expect(f.body).toMatchObject({
      status: 'Failure',
      reason: 'Invalid',
      details: {
        name: job.metadata!.name,
        group: 'batch',
        kind: 'Job',
        causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name' }],
      },
    });
    expect(f.body.message).toMatch(
      /^Job\.batch ".*" is invalid: metadata\.name: Invalid value: ".*": must be no more than 63 characters/,
    );

    const noPolicy = await failure(
      c.batch.createNamespacedJob({
        namespace: 'team-a',
        body: {
          metadata: { name: 'j' },
          spec: {
            template: { spec: { containers: [{ name: 'c', image: 'i' }] } },
          },
        },
      }),
    );
    expect(noPolicy.body.details.causes[0]).toMatchObject({
      field: 'spec.template.spec.restartPolicy',
      reason: 'FieldValueRequired',
    });
    const noName = await failure(
      c.core.createNamespacedSecret({
        namespace: 'team-a',
        body: { metadata: {} },
      }),
    );
    expect(noName.body.details.causes[0]).toMatchObject({
      field: 'metadata.name',
      reason: 'FieldValueRequired',
    });
  });

  it('rejects Job template changes as immutable and requires a resourceVersion to update a custom resource', async () => {
    const job = await c.batch.createNamespacedJob({
      namespace: 'team-a',
      body: {
        metadata: { name: 'immutable' },
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'c', image: 'i:1' }],
            },
          },
        },
      },
    });
    job.spec!.template.spec!.containers[0].image = 'i:2';
    const f = await failure(
      c.batch.replaceNamespacedJob({
        namespace: 'team-a',
        name: 'immutable',
        body: job,
      }),
    );
    expect(f.code).toBe(422);
    expect(f.body.message).toContain('spec.template: Invalid value');
    expect(f.body.message).toContain('field is immutable');

    await c.custom.createNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'team-a',
      body: cluster('no-rv'),
    });
    const noRv = await failure(
      c.custom.replaceNamespacedCustomObject({
        ...OPENBAO,
        namespace: 'team-a',
        name: 'no-rv',
        body: cluster('no-rv'),
      }),
    );
    expect(noRv.code).toBe(422);
    expect(noRv.body.message).toContain(
      'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    );
  });

  it('refuses objects in a missing namespace and mismatched names or kinds', async () => {
    const f = await failure(
      c.core.createNamespacedSecret({
        namespace: 'ghost',
        body: { metadata: { name: 's' } },
      }),
    );
    expect(f.code).toBe(404);
    expect(f.body.message).toBe('namespaces "ghost" not found');
    const res = await fetch(`${api.url}/api/v1/namespaces/team-a/secrets`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${api.token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', namespace: 'team-b' },
      }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toBe(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
    const cr = await fetch(
      `${api.url}/apis/openbao.org/v1alpha1/namespaces/team-a/openbaoclusters`,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${api.token}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ metadata: { name: 'kindless' } }),
      },
    );
    expect(cr.status).toBe(400);
    expect((await cr.json()).message).toMatch(/^Object 'Kind' is missing/);
  });

  it('generates names from generateName', async () => {
    const a = await c.core.createNamespacedSecret({
      namespace: 'team-a',
      body: { metadata: { generateName: 'creds-' } },
    });
    const b = await c.core.createNamespacedSecret({
      namespace: 'team-a',
      body: { metadata: { generateName: 'creds-' } },
    });
    expect(a.metadata!.name).toMatch(
      /^creds-[bcdfghjklmnpqrstvwxz2456789]{5}$/,
    );
    expect(b.metadata!.name).not.toBe(a.metadata!.name);
  });

  it('stores stringData as base64 data and defaults the Secret type', async () => {
    const s = await c.core.createNamespacedSecret({
      namespace: 'team-a',
      body: {
        metadata: { name: 'string-data' },
        stringData: { accessKeyId: 'AK' },
      },
    });
    expect(s.data).toEqual({
      accessKeyId: Buffer.from('AK').toString('base64'),
    });
    expect(s.stringData).toBeUndefined();
    expect(s.type).toBe('Opaque');
  });

  it('lists one namespace or all, with label and field selectors', async () => {
    const mk = (
      name: string,
      namespace: string,
      labels: Record<string, string>,
    ) =>
      c.core.createNamespacedServiceAccount({
        namespace,
        body: { metadata: { name, labels } },
      });
    await mk('sel-1', 'team-a', { app: 'bao', tier: 'db' });
    await mk('sel-2', 'team-a', { app: 'bao' });
    await mk('sel-3', 'team-b', { app: 'other', tier: 'db' });
    const names = (l: { items: { metadata?: { name?: string } }[] }) =>
      l.items.map(i => i.metadata!.name).filter(n => n!.startsWith('sel-'));

    expect(
      names(await c.core.listNamespacedServiceAccount({ namespace: 'team-a' })),
    ).toEqual(['sel-1', 'sel-2']);
    expect(names(await c.core.listServiceAccountForAllNamespaces({}))).toEqual([
      'sel-1',
      'sel-2',
      'sel-3',
    ]);
    const cases: [string, string[]][] = [
      ['app=bao', ['sel-1', 'sel-2']],
      ['app!=bao', ['sel-3']],
      ['tier', ['sel-1', 'sel-3']],
      ['!tier', ['sel-2']],
      ['app in (bao,other),tier', ['sel-1', 'sel-3']],
      ['app notin (bao)', ['sel-3']],
    ];
    for (const [labelSelector, expected] of cases) {
      expect(
        names(
          await c.core.listServiceAccountForAllNamespaces({ labelSelector }),
        ),
      ).toEqual(expected);
    }
    expect(
      names(
        await c.core.listServiceAccountForAllNamespaces({
          fieldSelector: 'metadata.name=sel-2',
        }),
      ),
    ).toEqual(['sel-2']);
    expect(
      names(
        await c.core.listServiceAccountForAllNamespaces({
          fieldSelector: 'metadata.namespace!=team-a',
        }),
      ),
    ).toEqual(['sel-3']);
    const bad = await failure(
      c.core.listServiceAccountForAllNamespaces({
        fieldSelector: 'spec.whatever=1',
      }),
    );
    expect(bad.code).toBe(400);
    expect(bad.body.message).toContain(
      'field label not supported: spec.whatever',
    );
  });

  it('lists built-in items without kind/apiVersion and custom resources with them', async () => {
    const res = await fetch(
      `${api.url}/api/v1/namespaces/team-a/serviceaccounts`,
      { headers: { Authorization: `Bearer ${api.token}` } },
    );
    const list = await res.json();
    expect(list).toMatchObject({
      kind: 'ServiceAccountList',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(api.store.resourceVersion) },
    });
    expect(list.items[0].kind).toBeUndefined();
    await c.custom.createNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'team-b',
      body: cluster('listed', 'team-b'),
    });
    const crs: any = await c.custom.listClusterCustomObject(OPENBAO);
    expect(crs.kind).toBe('OpenBaoClusterList');
    expect(
      crs.items.find((i: any) => i.metadata.name === 'listed'),
    ).toMatchObject({
      kind: 'OpenBaoCluster',
      apiVersion: 'openbao.org/v1alpha1',
    });
  });

  it('paginates with limit and continue', async () => {
    for (let i = 0; i < 5; i++) {
      await c.coordination.createNamespacedLease({
        namespace: 'team-b',
        body: { metadata: { name: `page-${i}`, labels: { page: 'yes' } } },
      });
    }
    const first = await c.coordination.listNamespacedLease({
      namespace: 'team-b',
      limit: 2,
    });
    expect(first.items.map(i => i.metadata!.name)).toEqual([
      'page-0',
      'page-1',
    ]);
    expect(first.metadata!.remainingItemCount).toBe(3);
    const second = await c.coordination.listNamespacedLease({
      namespace: 'team-b',
      limit: 2,
      _continue: first.metadata!._continue,
    });
    expect(second.items.map(i => i.metadata!.name)).toEqual([
      'page-2',
      'page-3',
    ]);
    expect(second.metadata!.resourceVersion).toBe(
      first.metadata!.resourceVersion,
    );
    const last = await c.coordination.listNamespacedLease({
      namespace: 'team-b',
      limit: 2,
      _continue: second.metadata!._continue,
    });
    expect(last.items.map(i => i.metadata!.name)).toEqual(['page-4']);
    expect(last.metadata!._continue).toBeUndefined();
    const bad = await failure(
      c.coordination.listNamespacedLease({
        namespace: 'team-b',
        _continue: 'garbage',
      }),
    );
    expect(bad.code).toBe(400);
    // After a compaction an old continue token is 410 Expired, as after etcd compaction.
    const stale = await c.coordination.listNamespacedLease({
      namespace: 'team-b',
      limit: 1,
    });
    await c.coordination.createNamespacedLease({
      namespace: 'team-b',
      body: { metadata: { name: 'page-late' } },
    });
    api.store.compact();
    const expired = await failure(
      c.coordination.listNamespacedLease({
        namespace: 'team-b',
        limit: 1,
        _continue: stale.metadata!._continue,
      }),
    );
    expect(expired.code).toBe(410);
    expect(expired.body).toMatchObject({ reason: 'Expired', code: 410 });
  });

  it('writes events through v1 and events.k8s.io/v1', async () => {
    const ev = await c.core.createNamespacedEvent({
      namespace: 'team-a',
      body: {
        metadata: { generateName: 'bao.' },
        involvedObject: {
          kind: 'OpenBaoCluster',
          name: 'x',
          namespace: 'team-a',
        },
        reason: 'BackupStarted',
        type: 'Normal',
        message: 'm',
      },
    });
    expect(ev.metadata!.name).toMatch(/^bao\./);
    const listed = await c.core.listNamespacedEvent({
      namespace: 'team-a',
      fieldSelector: 'involvedObject.name=x,reason=BackupStarted',
    });
    expect(listed.items).toHaveLength(1);
    const ev2 = await c.events.createNamespacedEvent({
      namespace: 'team-a',
      body: {
        metadata: { name: 'e2' },
        eventTime: new Date('2026-01-01T00:00:00.000000Z') as any,
        reason: 'R',
        action: 'A',
        reportingController: 'c',
        reportingInstance: 'i',
        type: 'Normal',
      },
    });
    expect(ev2.metadata!.name).toBe('e2');
  });

  it('checks delete preconditions and deletes a collection by label selector', async () => {
    const lease = await c.coordination.createNamespacedLease({
      namespace: 'team-a',
      body: { metadata: { name: 'pre', labels: { sweep: 'yes' } } },
    });
    await c.coordination.createNamespacedLease({
      namespace: 'team-a',
      body: { metadata: { name: 'pre-2', labels: { sweep: 'yes' } } },
    });
    await c.coordination.createNamespacedLease({
      namespace: 'team-a',
      body: { metadata: { name: 'keep' } },
    });
    const stale = await failure(
      c.coordination.deleteNamespacedLease({
        namespace: 'team-a',
        name: 'pre',
        body: { preconditions: { uid: 'not-the-uid' } },
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body.message).toContain(
      `Precondition failed: UID in precondition: not-the-uid, UID in object meta: ${
        lease.metadata!.uid
      }`,
    );
    await c.coordination.deleteCollectionNamespacedLease({
      namespace: 'team-a',
      labelSelector: 'sweep=yes',
    });
    const left = (
      await c.coordination.listNamespacedLease({ namespace: 'team-a' })
    ).items.map(l => l.metadata!.name);
    expect(left).toContain('keep');
    expect(left).not.toContain('pre');
    expect(left).not.toContain('pre-2');
  });
});
