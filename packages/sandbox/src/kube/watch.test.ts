import { makeInformer, Watch } from '@kubernetes/client-node';
import { startKubeApi, KubeApi } from './startKubeApi';
import {
  clientsFor,
  cluster,
  OPENBAO,
  waitFor,
} from './__testUtils__/kubeClients';

let api: KubeApi;
let c: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  api = await startKubeApi({
    namespaces: ['w'],
    controllers: false,
    bookmarkIntervalMs: 50,
  });
  c = clientsFor(api);
});
afterAll(() => api.stop());

/** Starts a watch with the client's Watch class and records what it delivers. */
async function record(
  path: string,
  query: Record<string, string | number | boolean> = {},
) {
  const events: { type: string; object: any }[] = [];
  let ended: { error: unknown } | undefined;
  const controller = await new Watch(c.kc).watch(
    path,
    query,
    (type, object) => events.push({ type, object }),
    error => {
      ended = { error };
    },
  );
  return {
    events,
    names: () =>
      events
        .filter(e => e.type !== 'BOOKMARK')
        .map(e => `${e.type} ${e.object.metadata?.name}`),
    ended: () => ended,
    stop: () => controller.abort(),
  };
}

const secret = (name: string, labels?: Record<string, string>) => ({
  metadata: { name, labels },
});

describe('watch with the real client', () => {
  it('streams ADDED for existing objects, then MODIFIED and DELETED', async () => {
    await c.core.createNamespacedSecret({
      namespace: 'w',
      body: secret('before'),
    });
    const w = await record('/api/v1/namespaces/w/secrets');
    await waitFor(() => w.events.length >= 1);
    await c.core.patchNamespacedSecret({
      namespace: 'w',
      name: 'before',
      body: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }],
    });
    await c.core.createNamespacedSecret({
      namespace: 'w',
      body: secret('after'),
    });
    await c.core.deleteNamespacedSecret({ namespace: 'w', name: 'before' });
    await waitFor(() => w.events.length >= 4);
    expect(w.names()).toEqual([
      'ADDED before',
      'MODIFIED before',
      'ADDED after',
      'DELETED before',
    ]);
    // Watch events carry kind/apiVersion and increasing resourceVersions.
    expect(w.events[1].object).toMatchObject({
      kind: 'Secret',
      apiVersion: 'v1',
    });
    const rvs = w.events.map(e => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    w.stop();
  });

  it('turns selector transitions into ADDED/DELETED', async () => {
    const w = await record('/api/v1/namespaces/w/secrets', {
      labelSelector: 'watched=yes',
    });
    await c.core.createNamespacedSecret({
      namespace: 'w',
      body: secret('sel'),
    });
    await c.core.patchNamespacedSecret({
      namespace: 'w',
      name: 'sel',
      body: [
        { op: 'add', path: '/metadata/labels', value: { watched: 'yes' } },
      ],
    });
    await c.core.patchNamespacedSecret({
      namespace: 'w',
      name: 'sel',
      body: [{ op: 'replace', path: '/metadata/labels/watched', value: 'no' }],
    });
    await waitFor(() => w.events.length >= 2);
    expect(w.names()).toEqual(['ADDED sel', 'DELETED sel']);
    w.stop();
  });

  it('resumes from a resourceVersion with exactly the later changes', async () => {
    const list = await c.coordination.listNamespacedLease({ namespace: 'w' });
    const from = list.metadata!.resourceVersion!;
    await c.coordination.createNamespacedLease({
      namespace: 'w',
      body: { metadata: { name: 'l1' } },
    });
    await c.coordination.createNamespacedLease({
      namespace: 'w',
      body: { metadata: { name: 'l2' } },
    });
    const w = await record('/apis/coordination.k8s.io/v1/namespaces/w/leases', {
      resourceVersion: from,
    });
    await c.coordination.deleteNamespacedLease({ namespace: 'w', name: 'l1' });
    await waitFor(() => w.events.length >= 3);
    expect(w.names()).toEqual(['ADDED l1', 'ADDED l2', 'DELETED l1']);
    w.stop();
  });

  it('sends a 410 Expired ERROR event for a compacted resourceVersion', async () => {
    const old = String(api.store.resourceVersion);
    await c.coordination.createNamespacedLease({
      namespace: 'w',
      body: { metadata: { name: 'l3' } },
    });
    api.store.compact();
    const w = await record('/apis/coordination.k8s.io/v1/namespaces/w/leases', {
      resourceVersion: old,
    });
    await waitFor(() => w.ended());
    expect(w.events).toHaveLength(1);
    expect(w.events[0].type).toBe('ERROR');
    expect(w.events[0].object).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
    });
    expect(w.events[0].object.message).toMatch(
      /^too old resource version: \d+ \(\d+\)$/,
    );
  });

  it('keeps one watch cache per resource type: a busy type expires, a quiet one still resumes', async () => {
    const small = await startKubeApi({
      namespaces: ['w'],
      controllers: false,
      watchCacheSize: 3,
    });
    try {
      const sc = clientsFor(small);
      const from = String(small.store.resourceVersion);
      for (let i = 0; i < 5; i++)
        await sc.coordination.createNamespacedLease({
          namespace: 'w',
          body: { metadata: { name: `busy-${i}` } },
        });
      const events = async (path: string) => {
        const res = await fetch(
          `${small.url}${path}?watch=1&resourceVersion=${from}&timeoutSeconds=1`,
          { headers: { Authorization: `Bearer ${small.token}` } },
        );
        return (await res.text())
          .trim()
          .split('\n')
          .filter(Boolean)
          .map(l => JSON.parse(l));
      };
      const busy = await events(
        '/apis/coordination.k8s.io/v1/namespaces/w/leases',
      );
      expect(busy).toEqual([
        {
          type: 'ERROR',
          object: expect.objectContaining({ code: 410, reason: 'Expired' }),
        },
      ]);
      expect(await events('/api/v1/namespaces/w/secrets')).toEqual([]);
    } finally {
      await small.stop();
    }
  });

  it('sends BOOKMARKs when allowWatchBookmarks is set, and none otherwise', async () => {
    const rv = String(api.store.resourceVersion);
    const withBookmarks = await record('/apis/batch/v1/namespaces/w/jobs', {
      resourceVersion: rv,
      allowWatchBookmarks: true,
    });
    const without = await record('/apis/batch/v1/namespaces/w/jobs', {
      resourceVersion: rv,
    });
    await waitFor(() => withBookmarks.events.length >= 2);
    expect(withBookmarks.events[0]).toEqual({
      type: 'BOOKMARK',
      object: {
        kind: 'Job',
        apiVersion: 'batch/v1',
        metadata: { resourceVersion: String(api.store.resourceVersion) },
      },
    });
    expect(without.events).toEqual([]);
    withBookmarks.stop();
    without.stop();
  });

  it('ends the stream after timeoutSeconds', async () => {
    const started = Date.now();
    const w = await record('/api/v1/namespaces/w/pods', {
      resourceVersion: String(api.store.resourceVersion),
      timeoutSeconds: 1,
    });
    await waitFor(() => w.ended(), 3000);
    expect(w.ended()!.error).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('watches one object by metadata.name field selector, across namespaces', async () => {
    const w = await record('/api/v1/secrets', {
      fieldSelector: 'metadata.name=one',
    });
    await c.core.createNamespacedSecret({
      namespace: 'w',
      body: secret('two'),
    });
    await c.core.createNamespacedSecret({
      namespace: 'w',
      body: secret('one'),
    });
    await waitFor(() => w.events.length >= 1);
    expect(w.names()).toEqual(['ADDED one']);
    w.stop();
  });

  it('writes one JSON event per line over a chunked response (plain fetch)', async () => {
    const res = await fetch(
      `${api.url}/api/v1/namespaces/w/secrets?watch=1&timeoutSeconds=1`,
      { headers: { Authorization: `Bearer ${api.token}` } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map(l => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(
      lines.every(l => l.type === 'ADDED' && l.object.kind === 'Secret'),
    ).toBe(true);
  });

  it("feeds the client's informer (list, then watch from the list's resourceVersion)", async () => {
    await c.custom.createNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'w',
      body: cluster('inf-1', 'w'),
    });
    const informer = makeInformer<any>(
      c.kc,
      '/apis/openbao.org/v1alpha1/namespaces/w/openbaoclusters',
      () =>
        c.custom.listNamespacedCustomObject({
          ...OPENBAO,
          namespace: 'w',
        }) as any,
    );
    const seen: string[] = [];
    informer.on('add', o => seen.push(`add ${o.metadata.name}`));
    informer.on('update', o =>
      seen.push(`update ${o.metadata.name} ${o.spec.replicas}`),
    );
    informer.on('delete', o => seen.push(`delete ${o.metadata.name}`));
    await informer.start();
    await c.custom.createNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'w',
      body: cluster('inf-2', 'w'),
    });
    await c.custom.patchNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'w',
      name: 'inf-1',
      body: [{ op: 'replace', path: '/spec/replicas', value: 5 }],
    });
    await c.custom.deleteNamespacedCustomObject({
      ...OPENBAO,
      namespace: 'w',
      name: 'inf-2',
    });
    await waitFor(() => seen.length >= 4);
    expect(seen).toEqual([
      'add inf-1',
      'add inf-2',
      'update inf-1 5',
      'delete inf-2',
    ]);
    expect(informer.list().map(o => o.metadata.name)).toEqual(['inf-1']);
    await informer.stop();
  });
});
