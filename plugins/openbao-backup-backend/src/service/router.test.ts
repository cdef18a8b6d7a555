import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  KubeApi,
  kubeRequest as kube,
  startKubeApi,
} from '@internal/openbao-backup-sandbox';
import request from 'supertest';
import { ClientNodeKubeGateway } from '../adapters/ClientNodeKubeGateway';
import { Reconciler } from '../reconcile/Reconciler';
import { startPluginBackend } from '../__testUtils__/pluginBackend';
import {
  UNREACHABLE_S3,
  backupClusterManifest,
  createRunningCluster,
  crsPath,
} from '../__testUtils__/backupClusters';

const NS = 'vault';

const cluster = (name: string) =>
  backupClusterManifest({
    name,
    bucket: 'snapshots',
    backup: {
      schedule: '0 * * * *',
      target: { endpoint: UNREACHABLE_S3 },
      retention: { maxCount: 3 },
    },
  });
const crPath = (name: string) => `${crsPath(NS)}/${name}`;

const entities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'secrets',
      namespace: 'default',
      annotations: {
        'openbao.org/cluster': `test/${NS}/bao, down/${NS}/bao, not-a-ref`,
      },
    },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/platform' }],
    spec: { owner: 'platform' },
  },
];

describe('openbao-backup REST API', () => {
  let api: KubeApi;

  beforeAll(async () => {
    api = await startKubeApi({
      namespaces: [NS],
      controllers: false,
      tls: true,
    });
    const create = (name: string, status?: object) =>
      createRunningCluster(
        (method, path, body) => kube(api, method, path, body),
        NS,
        cluster(name),
        status,
      );
    await create('bao');
    await create('upgrading', {
      upgrade: { fromVersion: '2.1.0', toVersion: '2.2.0' },
    });
    await create('busy', {
      backup: { activeJob: 'backup-busy-20261125000000' },
    });
    // A running backup Job of "busy" (controllers are off, so it stays active).
    await kube(api, 'POST', `/apis/batch/v1/namespaces/${NS}/jobs`, {
      metadata: {
        name: 'backup-busy-20261125000000',
        labels: {
          'openbao.org/cluster': 'busy',
          'openbao.org/component': 'backup',
        },
      },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'e', image: 'x' }],
          },
        },
      },
    });
    await kube(api, 'POST', `/api/v1/namespaces/${NS}/secrets`, {
      metadata: { name: 's3' },
      stringData: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
  });
  afterAll(() => api.stop());

  const scheduler = mockServices.scheduler.mock();

  const backend = (
    permission:
      | AuthorizeResult.ALLOW
      | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
    auditor?: { factory: any },
  ) =>
    startPluginBackend({
      clusters: [
        api.clusterConfig('test'),
        // Nothing listens on the discard port: an unreachable API server.
        { name: 'down', url: 'https://127.0.0.1:9', serviceAccountToken: 'x' },
      ],
      permission,
      // The reconciler is tested on its own; here no pass may consume a trigger.
      scheduler,
      auditor,
      entities,
    });

  it('lists the fleet with health, and reports the unreachable API server apart', async () => {
    const res = await request(await backend()).get(
      '/api/openbao-backup/clusters',
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: any) => [e.ref.name, e.health])).toEqual([
      ['bao', 'never'],
      ['busy', 'never'],
      ['upgrading', 'never'],
    ]);
    // The skip reason comes from the CR alone and leaves the health as it is.
    expect(res.body.items.map((e: any) => e.skipped)).toEqual([
      undefined,
      undefined,
      {
        reason: 'UpgradeInProgress',
        message: 'an upgrade is in progress (status.upgrade is set)',
      },
    ]);
    expect(res.body.items[0].entityRefs).toEqual(['component:default/secrets']);
    expect(res.body.items[0].owners).toEqual(['group:default/platform']);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ kubernetesCluster: 'down' }),
    ]);
  });

  it('resolves an entity to its clusters, one failing cluster reported per entry', async () => {
    const res = await request(await backend()).get(
      '/api/openbao-backup/entity/component/default/secrets',
    );
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((e: any) => [
        e.ref.kubernetesCluster,
        e.health,
        !!e.error,
      ]),
    ).toEqual([
      ['test', 'never', false],
      ['down', 'unknown', true],
    ]);
    expect(res.body.errors).toEqual([
      '"not-a-ref" is not [<kubernetes-cluster>/]<namespace>/<name>',
    ]);
  });

  it('answers 404 problem bodies for unknown clusters and entities', async () => {
    const server = await backend();
    const res = await request(server).get(
      `/api/openbao-backup/clusters/test/${NS}/nope`,
    );
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual(
      expect.objectContaining({ name: 'NotFoundError' }),
    );
    const other = await request(server).get(
      `/api/openbao-backup/clusters/nowhere/${NS}/bao`,
    );
    expect(other.status).toBe(404);
    expect(other.body.error.message).toMatch(
      /No Kubernetes cluster named "nowhere"/,
    );
  });

  it('rejects a trigger without a reason with 400 and touches nothing', async () => {
    const res = await request(await backend())
      .post(`/api/openbao-backup/clusters/test/${NS}/bao/trigger`)
      .send({ reason: '   ' });
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(/reason is required/);
    const cr = await kube(api, 'GET', crPath('bao'));
    expect(
      cr.metadata.annotations?.['openbao.org/trigger-backup'],
    ).toBeUndefined();
  });

  it('answers 401 without credentials and 403 when denied, with no annotation written', async () => {
    const server = await backend(AuthorizeResult.DENY);
    const anonymous = await request(server)
      .post(`/api/openbao-backup/clusters/test/${NS}/bao/trigger`)
      .set('Authorization', mockCredentials.none.header())
      .send({ reason: 'test' });
    expect(anonymous.status).toBe(401);
    const denied = await request(server)
      .post(`/api/openbao-backup/clusters/test/${NS}/bao/trigger`)
      .send({ reason: 'test' });
    expect(denied.status).toBe(403);
    const cr = await kube(api, 'GET', crPath('bao'));
    expect(
      cr.metadata.annotations?.['openbao.org/trigger-backup'],
    ).toBeUndefined();
    const list = await request(server).get('/api/openbao-backup/clusters');
    expect(list.body.items).toEqual([]);
  });

  it('answers 409 with the pre-flight reason while a run is active', async () => {
    const res = await request(await backend())
      .post(`/api/openbao-backup/clusters/test/${NS}/busy/trigger`)
      .send({ reason: 'before maintenance' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      'Backup not started: BackupInProgress: backup Job "backup-busy-20261125000000" is still running',
    );
  });

  it('accepts a trigger: 202, annotation set, audited with user and reason', async () => {
    const auditor = mockServices.auditor.mock();
    const success = jest.fn();
    auditor.createEvent.mockResolvedValue({ success, fail: jest.fn() } as any);
    const res = await request(await backend(AuthorizeResult.ALLOW, auditor))
      .post(`/api/openbao-backup/clusters/test/${NS}/bao/trigger`)
      .send({ reason: 'before maintenance' });
    expect(res.status).toBe(202);
    expect(res.body.triggerId).toMatch(/^\d{4}-\d{2}-\d{2}T.*-[0-9a-f]{6}$/);
    const cr = await kube(api, 'GET', crPath('bao'));
    expect(cr.metadata.annotations['openbao.org/trigger-backup']).toBe(
      res.body.triggerId,
    );
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'backup-trigger',
        meta: { cluster: `test/${NS}/bao`, reason: 'before maintenance' },
      }),
    );
    expect(success).toHaveBeenCalledWith({
      meta: { triggerId: res.body.triggerId },
    });
    const events = await kube(api, 'GET', `/api/v1/namespaces/${NS}/events`);
    expect(events.items.map((e: any) => e.reason)).toContain('BackupRequested');
    // The reconcile pass is started at once instead of waiting for the next interval.
    expect(scheduler.triggerTask).toHaveBeenCalledWith(
      'openbao-backup:reconcile',
    );

    // The pass that follows creates exactly one manual Job, and a second pass no other.
    const gateway = ClientNodeKubeGateway.create({
      name: 'test',
      url: api.url,
      caData: api.caData,
      serviceAccountToken: api.token,
      skipTLSVerify: false,
      authProvider: 'serviceAccount',
    });
    const emptyBucket = {
      list: async () => [],
      deleteMany: async () => ({ deleted: [], errors: [] }),
      listPendingUploads: async () => [],
      abortUpload: async () => {},
    };
    const reconciler = Reconciler.create({
      gateways: [gateway],
      openStore: async () => emptyBucket,
      logger: mockServices.logger.mock(),
    });
    await reconciler.tick();
    await reconciler.tick();
    const jobs = await kube(
      api,
      'GET',
      `/apis/batch/v1/namespaces/${NS}/jobs?labelSelector=openbao.org/cluster=bao`,
    );
    expect(
      jobs.items.map(
        (j: any) => j.metadata.labels['openbao.org/backup-trigger'],
      ),
    ).toEqual(['manual']);
  });

  it('answers 400 for malformed path params', async () => {
    const res = await request(await backend()).get(
      `/api/openbao-backup/clusters/test/Bad_NS/bao`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/Invalid cluster path: namespace/);
  });

  it('shows one cluster with its retention policy and runs', async () => {
    const res = await request(await backend()).get(
      `/api/openbao-backup/clusters/test/${NS}/busy`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      ref: { kubernetesCluster: 'test', namespace: NS, name: 'busy' },
      retention: { maxCount: 3 },
      retentionApplies: true,
      bucket: 'snapshots',
      runs: [{ jobName: 'backup-busy-20261125000000', phase: 'Pending' }],
    });
    // A running Job is not a refusal.
    expect(res.body.preflightRefusal).toBeUndefined();
  });

  it('says why an upgrading cluster is not backed up, and refuses its trigger with a 409 problem body and no Job', async () => {
    const server = await backend();
    const upgrading = `/api/openbao-backup/clusters/test/${NS}/upgrading`;
    const detail = await request(server).get(upgrading);
    expect(detail.status).toBe(200);
    const refusal = {
      reason: 'UpgradeInProgress',
      message: 'an upgrade is in progress (status.upgrade is set)',
    };
    expect(detail.body.preflightRefusal).toEqual(refusal);
    const idle = await request(server).get(
      `/api/openbao-backup/clusters/test/${NS}/bao`,
    );
    expect(idle.body.preflightRefusal).toBeUndefined();

    const res = await request(server)
      .post(`${upgrading}/trigger`)
      .send({ reason: 'before the upgrade' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: expect.objectContaining({
        name: 'ConflictError',
        message: `Backup not started: ${refusal.reason}: ${refusal.message}`,
      }),
      request: {
        method: 'POST',
        url: `/clusters/test/${NS}/upgrading/trigger`,
      },
      response: { statusCode: 409 },
    });
    const cr = await kube(api, 'GET', crPath('upgrading'));
    expect(
      cr.metadata.annotations?.['openbao.org/trigger-backup'],
    ).toBeUndefined();
    const jobs = await kube(
      api,
      'GET',
      `/apis/batch/v1/namespaces/${NS}/jobs?labelSelector=openbao.org/cluster=upgrading`,
    );
    expect(jobs.items).toEqual([]);
  });

  it("answers 503 naming the bucket when the cluster's S3 endpoint is down", async () => {
    const server = await backend();
    for (const path of ['backups', 'retention/preview']) {
      const res = await request(server).get(
        `/api/openbao-backup/clusters/test/${NS}/bao/${path}`,
      );
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(
        /Cannot list the bucket of vault\/bao/,
      );
    }
  });

  describe('pre-upgrade snapshots (service-to-service)', () => {
    const url = `/api/openbao-backup/clusters/test/${NS}/bao/pre-upgrade`;

    it('refuses users', async () => {
      const res = await request(await backend())
        .post(url)
        .send({});
      expect(res.status).toBe(403);
      const cr = await kube(api, 'GET', crPath('bao'));
      expect(
        cr.metadata.annotations?.['openbao.org/pre-upgrade-backup'],
      ).toBeUndefined();
    });

    it('accepts a service: 202 and the request annotation', async () => {
      const res = await request(await backend())
        .post(url)
        .set('Authorization', mockCredentials.service.header())
        .send({ requestId: 'upgrade-2-2', reason: 'operator upgrade to 2.2' });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ requestId: 'upgrade-2-2' });
      const cr = await kube(api, 'GET', crPath('bao'));
      expect(cr.metadata.annotations['openbao.org/pre-upgrade-backup']).toBe(
        'upgrade-2-2',
      );
    });

    it('answers 409 for a request id a Job already ran, though a manual run came since', async () => {
      await createRunningCluster(
        (method, path, body) => kube(api, method, path, body),
        NS,
        cluster('rerun'),
        { backup: { observedTrigger: 'manual-later' } },
      );
      // The pre-upgrade run's Job is still kept; observedTrigger names the later manual run.
      await kube(api, 'POST', `/apis/batch/v1/namespaces/${NS}/jobs`, {
        metadata: {
          name: 'backup-rerun-20261125000000',
          labels: {
            'openbao.org/cluster': 'rerun',
            'openbao.org/component': 'backup',
          },
          annotations: { 'openbao.org/trigger-value': 'upgrade-2-1' },
        },
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'e', image: 'x' }],
            },
          },
        },
      });
      const server = await backend();
      const post = (requestId: string) =>
        request(server)
          .post(`/api/openbao-backup/clusters/test/${NS}/rerun/pre-upgrade`)
          .set('Authorization', mockCredentials.service.header())
          .send({ requestId });

      const again = await post('upgrade-2-1');
      expect(again.status).toBe(409);
      expect(again.body.error.message).toBe(
        'Pre-upgrade backup upgrade-2-1 was already requested',
      );
      expect(
        (await kube(api, 'GET', crPath('rerun'))).metadata.annotations?.[
          'openbao.org/pre-upgrade-backup'
        ],
      ).toBeUndefined();
      expect((await post('upgrade-2-2')).status).toBe(202);
    });

    it('waits for the run to end when asked to', async () => {
      const server = await backend();
      const answer = request(server)
        .post(url)
        .set('Authorization', mockCredentials.service.header())
        .send({ requestId: 'upgrade-2-3', waitSeconds: 10 });
      // The reconciler's part, played here: the run is observed and succeeds.
      setTimeout(() => {
        kube(api, 'PATCH', `${crPath('bao')}/status`, {
          status: {
            backup: {
              observedTrigger: 'upgrade-2-3',
              activeJob: null,
              lastBackupName: 'k.snap',
              lastBackupSize: 7,
            },
            conditions: [
              {
                type: 'BackingUp',
                status: 'False',
                reason: 'BackupSucceeded',
                message: 'ok',
                lastTransitionTime: new Date().toISOString(),
              },
            ],
          },
        });
      }, 1500);
      const res = await answer;
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        requestId: 'upgrade-2-3',
        ok: true,
        key: 'k.snap',
        size: 7,
      });
    });
  });
});
