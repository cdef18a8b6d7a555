import {
  KubeApi,
  kubeRequest,
  startKubeApi,
} from '@internal/openbao-backup-sandbox';
import { OpenBaoCluster } from '@internal/plugin-openbao-backup-common';
import { createBackupClusters, crsPath } from '../__testUtils__/backupClusters';
import { ClientNodeKubeGateway } from './ClientNodeKubeGateway';
import { ObservedCluster } from '../core';

const job = (namespace: string, cluster: string, name: string) => ({
  metadata: {
    name,
    namespace,
    labels: {
      'openbao.org/cluster': cluster,
      'openbao.org/component': 'backup',
    },
  },
  spec: {
    template: {
      spec: { restartPolicy: 'Never', containers: [{ name: 'e', image: 'x' }] },
    },
  },
});

describe('ClientNodeKubeGateway.observeAll', () => {
  let api: KubeApi;
  let clusters: OpenBaoCluster[];
  const requests: string[] = [];

  beforeAll(async () => {
    api = await startKubeApi({ namespaces: ['a', 'b'], controllers: false });
    await createBackupClusters(api, 'a', ['one', 'two'], {
      schedule: '0 3 * * *',
      bucket: 'x',
    });
    await createBackupClusters(api, 'b', ['three'], {
      schedule: '0 3 * * *',
      bucket: 'x',
    });
    for (const [ns, cluster, name] of [
      ['a', 'one', 'backup-one-1'],
      ['a', 'one', 'backup-one-2'],
      ['a', 'two', 'backup-two-1'],
      ['b', 'three', 'backup-three-1'],
    ]) {
      await kubeRequest(
        api,
        'POST',
        `/apis/batch/v1/namespaces/${ns}/jobs`,
        job(ns, cluster, name),
      );
    }
    await kubeRequest(
      api,
      'POST',
      '/apis/openbao.org/v1alpha1/namespaces/b/openbaorestores',
      {
        apiVersion: 'openbao.org/v1alpha1',
        kind: 'OpenBaoRestore',
        metadata: { name: 'r' },
        spec: { cluster: 'three' },
      },
    );
    clusters = [
      ...(await kubeRequest(api, 'GET', crsPath('a'))).items,
      ...(await kubeRequest(api, 'GET', crsPath('b'))).items,
    ];
    api.server.on('request', req => requests.push(`${req.method} ${req.url}`));
  });
  afterAll(() => api.stop());

  const gateway = (namespaces?: string[]) =>
    ClientNodeKubeGateway.create({
      ...api.clusterConfig('test'),
      namespaces,
    });

  it.each([
    ['cluster-wide', undefined, 3 + 2],
    ['per configured namespace', ['a', 'b'], 3 * 2 + 2],
  ])(
    'sees what observe() sees, %s, with lists per pass and each Secret read once',
    async (_what, namespaces, expected) => {
      const g = gateway(namespaces);
      requests.length = 0;
      const all = await g.observeAll(clusters);
      // Jobs, Pods and restores listed once per scope; the two namespaces' `s3` Secrets once each.
      expect(requests).toHaveLength(expected);
      for (const cluster of clusters) {
        const one = await g.observe(cluster);
        const key = `${cluster.metadata.namespace}/${cluster.metadata.name}`;
        // The same objects; the API server's clock (its Date header) at each read.
        const { serverTime, ...rest } = all.get(key) as ObservedCluster;
        expect(rest).toEqual({ ...one, serverTime: undefined });
        expect(serverTime).toBeInstanceOf(Date);
        expect(
          Math.abs(serverTime!.getTime() - one.serverTime!.getTime()),
        ).toBeLessThan(60_000);
      }
      const one = all.get('a/one') as any;
      expect(one.jobs.map((j: any) => j.metadata.name).sort()).toEqual([
        'backup-one-1',
        'backup-one-2',
      ]);
      expect((all.get('b/three') as any).restores).toHaveLength(1);
      expect((all.get('a/one') as any).restores).toHaveLength(0);
    },
  );

  it('gives the clusters whose Secret cannot be read that error, and the others their view', async () => {
    api.faults.add({
      method: 'GET',
      pathPattern: '/api/v1/namespaces/b/secrets/*',
      status: 500,
      times: 1,
    });
    const all = await gateway().observeAll(clusters);
    expect(all.get('b/three')).toEqual(
      expect.objectContaining({
        message: expect.stringMatching(/read Secret b\/s3/),
      }),
    );
    expect(all.get('a/one')).toEqual(
      expect.objectContaining({
        secrets: [{ name: 's3', keys: expect.any(Array) }],
      }),
    );
  });

  it('fails as a whole when a list fails (the pass reports the API server)', async () => {
    api.faults.add({
      method: 'GET',
      pathPattern: '/apis/batch/v1/jobs',
      status: 503,
      times: 1,
    });
    await expect(gateway().observeAll(clusters)).rejects.toThrow(
      /list backup Jobs in all namespaces/,
    );
  });
});
