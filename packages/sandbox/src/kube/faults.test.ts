import {
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { startKubeApi, KubeApi } from './startKubeApi';
import { clientsFor, failure, waitFor } from './__testUtils__/kubeClients';

let api: KubeApi;
let c: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  api = await startKubeApi({ namespaces: ['f'], controllers: false });
  c = clientsFor(api);
  await c.core.createNamespacedSecret({
    namespace: 'f',
    body: { metadata: { name: 's' } },
  });
});
afterEach(() => api.faults.clear());
afterAll(() => api.stop());

const read = () => c.core.readNamespacedSecret({ namespace: 'f', name: 's' });

describe('fault injection', () => {
  it.each([
    [500, 'InternalError', 'Internal error occurred: injected fault'],
    [
      503,
      'ServiceUnavailable',
      'the server is currently unable to handle the request (injected fault)',
    ],
    [
      429,
      'TooManyRequests',
      'the server has received too many requests and has asked us to try again later',
    ],
  ] as const)(
    'answers %i with a %s Status on the matching route only',
    async (status, reason, message) => {
      api.faults.add({
        method: 'GET',
        pathPattern: '/api/v1/namespaces/*/secrets/*',
        status,
      });
      const f = await failure(read());
      expect(f.code).toBe(status);
      expect(f.body).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason,
        message,
        code: status,
      });
      // Another route is unaffected.
      await expect(
        c.core.listNamespacedSecret({ namespace: 'f' }),
      ).resolves.toBeDefined();
    },
  );

  it('sends Retry-After with a 429', async () => {
    api.faults.add({
      pathPattern: '/api/**',
      status: 429,
      retryAfterSeconds: 7,
    });
    const res = await fetch(`${api.url}/api/v1/namespaces/f/secrets/s`, {
      headers: { Authorization: `Bearer ${api.token}` },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect((await res.json()).details.retryAfterSeconds).toBe(7);
  });

  it('stops after `times` requests and counts hits', async () => {
    const fault = api.faults.add({
      pathPattern: /\/secrets\/s$/,
      status: 503,
      times: 2,
    });
    expect((await failure(read())).code).toBe(503);
    expect((await failure(read())).code).toBe(503);
    await expect(read()).resolves.toMatchObject({ metadata: { name: 's' } });
    expect(fault.hits).toBe(2);
    expect(api.faults.list()).toEqual([]);
  });

  it('adds latency', async () => {
    api.faults.add({
      method: 'GET',
      pathPattern: '/api/v1/namespaces/f/secrets/s',
      latencyMs: 300,
    });
    const started = Date.now();
    await read();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('fails the next N writes with 409 Conflict without applying them', async () => {
    api.faults.conflictNextWrites(2);
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const patch = () =>
      c.core.patchNamespacedSecret(
        {
          namespace: 'f',
          name: 's',
          body: { metadata: { labels: { n: '1' } } },
        },
        merge,
      );
    const first = await failure(patch());
    expect(first.code).toBe(409);
    expect(first.body).toMatchObject({
      reason: 'Conflict',
      details: { name: 's', kind: 'secrets' },
    });
    expect((await read()).metadata!.labels).toBeUndefined();
    // Reads do not consume the budget.
    await read();
    expect((await failure(patch())).code).toBe(409);
    await expect(patch()).resolves.toMatchObject({
      metadata: { labels: { n: '1' } },
    });
  });

  it('drops a watch connection after dropWatchAfterMs; the client sees the stream end with an error', async () => {
    api.faults.add({
      watch: true,
      pathPattern: '/api/v1/namespaces/f/secrets',
      dropWatchAfterMs: 100,
    });
    let ended: { error: any } | undefined;
    const events: string[] = [];
    await new Watch(c.kc).watch(
      '/api/v1/namespaces/f/secrets',
      {},
      type => events.push(type),
      error => {
        ended = { error };
      },
    );
    await waitFor(() => ended, 3000, 'watch end');
    expect(events).toEqual(['ADDED']);
    expect(ended!.error).toBeTruthy();
  });

  it('does not spend a watch-drop fault on ordinary requests', async () => {
    const drop = api.faults.add({
      pathPattern: '/api/v1/namespaces/f/secrets',
      dropWatchAfterMs: 10,
      times: 1,
    });
    await c.core.listNamespacedSecret({ namespace: 'f' });
    expect(drop.hits).toBe(0);
    expect(api.faults.list()).toHaveLength(1);
  });

  it('clear() removes every fault', async () => {
    api.faults.add({ status: 500 });
    api.faults.conflictNextWrites(5);
    api.faults.clear();
    await expect(read()).resolves.toBeDefined();
    await expect(
      c.core.patchNamespacedSecret({
        namespace: 'f',
        name: 's',
        body: [{ op: 'add', path: '/metadata/annotations', value: { a: 'b' } }],
      }),
    ).resolves.toBeDefined();
  });
});
