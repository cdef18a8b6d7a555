import {
  KubeApi,
  kubeRequest,
  startKubeApi,
} from '@internal/openbao-backup-sandbox';
import {
  COMPONENT_VALUE,
  LABEL_CLUSTER,
  LABEL_COMPONENT,
  OpenBaoCluster,
} from '@internal/plugin-openbao-backup-common';
import { triggerPending } from '../core/triggerPending';
import { ClientNodeKubeGateway } from './ClientNodeKubeGateway';

const NS = 'vault';
const path = `/apis/openbao.org/v1alpha1/namespaces/${NS}/openbaoclusters`;

describe('ClientNodeKubeGateway against the Kubernetes API double', () => {
  let api: KubeApi;
  let gateway: ClientNodeKubeGateway;
  beforeAll(async () => {
    api = await startKubeApi({
      tls: true,
      namespaces: [NS],
      controllers: false,
    });
    gateway = ClientNodeKubeGateway.create({
      name: 'test',
      url: api.url,
      caData: api.caData,
      serviceAccountToken: api.token,
      skipTLSVerify: false,
      authProvider: 'serviceAccount',
    });
  });
  afterAll(() => api.stop());

  /** Collects watch events; `next(pred)` waits for one that matches. */
  function collector() {
    const seen: OpenBaoCluster[] = [];
    const waiters: Array<() => void> = [];
    return {
      onChange: (c: OpenBaoCluster) => {
        seen.push(c);
        waiters.splice(0).forEach(w => w());
      },
      async next(pred: (c: OpenBaoCluster) => boolean, timeoutMs = 5000) {
        const deadline = Date.now() + timeoutMs;
        while (!seen.some(pred)) {
          if (Date.now() > deadline) throw new Error('no matching watch event');
          await new Promise<void>(r => {
            waiters.push(r);
            setTimeout(r, 100);
          });
        }
      },
    };
  }

  it('sees a trigger annotation through the watch, also after the watch connection drops', async () => {
    const events = collector();
    const errors: Error[] = [];
    // The first watch connection is cut shortly after it opens; the gateway must reconnect.
    const drop = api.faults.add({
      watch: true,
      dropWatchAfterMs: 100,
      times: 1,
    });
    const stop = gateway.watchClusters(events.onChange, e => errors.push(e));
    await new Promise(r => setTimeout(r, 400));
    try {
      await kubeRequest(api, 'POST', path, {
        apiVersion: 'openbao.org/v1alpha1',
        kind: 'OpenBaoCluster',
        metadata: { name: 'bao' },
        spec: {},
      });
      await events.next(c => c.metadata.name === 'bao');

      await kubeRequest(api, 'PATCH', `${path}/bao`, {
        metadata: { annotations: { 'openbao.org/trigger-backup': 'one' } },
      });
      await events.next(triggerPending);

      expect(drop.hits).toBe(1);
    } finally {
      stop();
      api.faults.clear();
    }
  });

  it('lists across namespaces and reads a missing cluster as undefined', async () => {
    expect((await gateway.listClusters()).map(c => c.metadata.name)).toContain(
      'bao',
    );
    expect(await gateway.getCluster(NS, 'nope')).toBeUndefined();
  });

  it('names the call that failed when the API server errors', async () => {
    api.faults.add({
      method: 'GET',
      pathPattern: '**/openbaoclusters',
      status: 503,
      times: 5,
    });
    try {
      await expect(gateway.listClusters()).rejects.toThrow(
        /list OpenBaoClusters in test/,
      );
    } finally {
      api.faults.clear();
    }
  });

  it('watches backup Jobs (only those) to their end and deletion, and reports deleted clusters', async () => {
    const events: string[] = [];
    const errors: Error[] = [];
    const stopJobs = gateway.watchJobs(
      (type, job) =>
        events.push(
          `${type} ${job.metadata?.name} ${
            job.status?.conditions?.map(c => c.type).join(',') ?? ''
          }`.trim(),
        ),
      e => errors.push(e),
    );
    const stopClusters = gateway.watchClusters(
      () => {},
      e => errors.push(e),
      c => events.push(`DELETED cluster ${c.metadata.name}`),
    );
    const jobs = `/apis/batch/v1/namespaces/${NS}/jobs`;
    const job = (name: string, labels: Record<string, string>) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, labels },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'c', image: 'i' }],
          },
        },
      },
    });
    try {
      await new Promise(r => setTimeout(r, 300));
      await kubeRequest(api, 'POST', jobs, job('other', { app: 'x' }));
      await kubeRequest(
        api,
        'POST',
        jobs,
        job('bao-backup', {
          [LABEL_COMPONENT]: COMPONENT_VALUE,
          [LABEL_CLUSTER]: 'bao',
        }),
      );
      await kubeRequest(api, 'PATCH', `${jobs}/bao-backup/status`, {
        status: {
          conditions: [{ type: 'Complete', status: 'True' }],
        },
      });
      await kubeRequest(api, 'DELETE', `${jobs}/bao-backup`);
      await kubeRequest(api, 'DELETE', `${path}/bao`);
      const deadline = Date.now() + 5_000;
      while (events.length < 4 && Date.now() < deadline)
        await new Promise(r => setTimeout(r, 50));
      expect(events).toEqual([
        'ADDED bao-backup',
        'MODIFIED bao-backup Complete',
        'DELETED bao-backup Complete',
        'DELETED cluster bao',
      ]);
      expect(errors).toEqual([]);
    } finally {
      stopJobs();
      stopClusters();
    }
  });
});

describe('ClientNodeKubeGateway without permission to delete pods', () => {
  it("turns the API server's 403 into a NotAllowedError that says what is missing", async () => {
    // A user RBAC knows nothing about: every request of theirs is refused with 403.
    const api = await startKubeApi({
      tls: true,
      namespaces: [NS],
      controllers: false,
      users: [{ username: 'no-rights', token: 'no-rights-token' }],
    });
    try {
      const limited = ClientNodeKubeGateway.create({
        name: 'limited',
        url: api.url,
        caData: api.caData,
        serviceAccountToken: 'no-rights-token',
        skipTLSVerify: false,
        authProvider: 'serviceAccount',
      });
      const refused = await limited.deletePod(NS, 'backup-bao-1-abcde').then(
        () => undefined,
        (e: Error) => e,
      );
      expect(refused?.name).toBe('NotAllowedError');
      expect(refused?.message).toMatch(
        /^delete Pod vault\/backup-bao-1-abcde: the backend may not delete pods \(the chart's RBAC grants delete on pods\); caused by .*403/,
      );
    } finally {
      await api.stop();
    }
  });
});
