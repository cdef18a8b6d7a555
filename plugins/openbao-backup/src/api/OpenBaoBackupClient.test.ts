import { ResponseError } from '@backstage/errors';
import { OpenBaoBackupClient } from './OpenBaoBackupClient';

function setup(response: () => Response) {
  const fetch = jest.fn(async (_url: string, _init?: RequestInit) =>
    response(),
  );
  const client = new OpenBaoBackupClient({
    discoveryApi: {
      getBaseUrl: async (id: string) => `http://backstage/api/${id}`,
    },
    fetchApi: { fetch: fetch as any },
  });
  return { client, fetch };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

const ref = { kubernetesCluster: 'k8s a', namespace: 'ns/x', name: 'bao#1' };

describe('OpenBaoBackupClient', () => {
  it('builds encoded URLs under the plugin base URL for every call', async () => {
    const { client, fetch } = setup(() => json({ items: [], errors: [] }));
    await client.getFleet();
    await client.getEntityClusters({
      kind: 'Component',
      namespace: 'default',
      name: 'a/b',
    });
    await client.getCluster(ref);
    await client.listSnapshots(ref);
    await client.previewRetention(ref);
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      'http://backstage/api/openbao-backup/clusters',
      'http://backstage/api/openbao-backup/entity/Component/default/a%2Fb',
      'http://backstage/api/openbao-backup/clusters/k8s%20a/ns%2Fx/bao%231',
      'http://backstage/api/openbao-backup/clusters/k8s%20a/ns%2Fx/bao%231/backups',
      'http://backstage/api/openbao-backup/clusters/k8s%20a/ns%2Fx/bao%231/retention/preview',
    ]);
  });

  it('POSTs the trigger reason as JSON and returns the trigger id', async () => {
    const { client, fetch } = setup(() => json({ triggerId: 'abc' }, 202));
    await expect(client.triggerBackup(ref, 'before upgrade')).resolves.toEqual({
      triggerId: 'abc',
    });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe(
      'http://backstage/api/openbao-backup/clusters/k8s%20a/ns%2Fx/bao%231/trigger',
    );
    expect(init?.method).toBe('POST');
    expect(JSON.parse(String(init?.body))).toEqual({
      reason: 'before upgrade',
    });
  });

  it('throws a ResponseError carrying the server error on non-2xx', async () => {
    const { client } = setup(() =>
      json(
        {
          error: { name: 'ConflictError', message: 'a backup is running' },
          request: { method: 'POST', url: '/trigger' },
          response: { statusCode: 409 },
        },
        409,
      ),
    );
    const error = await client.triggerBackup(ref, 'x').catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(409);
    expect(error.cause.name).toBe('ConflictError');
    expect(error.cause.message).toBe('a backup is running');
  });
});
