/*
 * Fault suite, REST API abuse: malformed requests answer 400/404/413 problem bodies, callers
 * without credentials 401 and callers without permission 403, and none of them leaves a trigger
 * annotation behind, so the reconcile pass that follows creates no Job.
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  KubeApi,
  kubeRequest,
  recordFaultCase,
  startKubeApi,
} from '@internal/openbao-backup-sandbox';
import request from 'supertest';
import { ClientNodeKubeGateway } from '../adapters/ClientNodeKubeGateway';
import { Reconciler } from '../reconcile/Reconciler';
import {
  emptyBucket,
  startPluginBackend,
} from '../__testUtils__/pluginBackend';
import {
  UNREACHABLE_S3,
  backupClusterManifest,
  createRunningCluster,
  crsPath,
} from '../__testUtils__/backupClusters';

const NS = 'vault';
const BASE = `/api/openbao-backup/clusters/test/${NS}`;
const CR = `${crsPath(NS)}/bao`;

type Server = Awaited<ReturnType<typeof startPluginBackend>>;

interface Call {
  name: string;
  method: 'get' | 'post';
  path: string;
  body?: string | object;
  contentType?: string;
  auth?: string;
}

describe('fault suite: REST API abuse', () => {
  let api: KubeApi;
  let allowing: Server;
  let denying: Server;
  const kube = (method: string, path: string, body?: object) =>
    kubeRequest(api, method, path, body);

  beforeAll(async () => {
    api = await startKubeApi({
      namespaces: [NS],
      controllers: false,
      tls: true,
    });
    await kube('POST', `/api/v1/namespaces/${NS}/secrets`, {
      metadata: { name: 's3' },
      stringData: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    await createRunningCluster(
      kube,
      NS,
      backupClusterManifest({
        name: 'bao',
        bucket: 'snapshots',
        backup: { schedule: '0 * * * *', target: { endpoint: UNREACHABLE_S3 } },
      }),
    );
    const clusters = [api.clusterConfig('test')];
    allowing = await startPluginBackend({ clusters });
    denying = await startPluginBackend({
      clusters,
      permission: AuthorizeResult.DENY,
    });
  }, 60_000);
  afterAll(() => api?.stop());

  function send(server: Server, call: Call) {
    let r = request(server)[call.method](call.path);
    if (call.auth) r = r.set('Authorization', call.auth);
    if (call.contentType) r = r.set('Content-Type', call.contentType);
    return call.body === undefined ? r : r.send(call.body as any);
  }

  async function annotations() {
    return (await kube('GET', CR)).metadata.annotations ?? {};
  }

  /** Sends, asserts status and problem body, checks nothing was requested, records the row. */
  async function expectRefused(
    area: 'input' | 'security',
    server: Server,
    call: Call,
    status: number,
    message?: RegExp,
  ) {
    const res = await send(server, call);
    const after = await annotations();
    const touched = Object.keys(after).filter(k =>
      k.startsWith('openbao.org/'),
    );
    const problem =
      typeof res.body?.error?.name === 'string' &&
      res.body?.response?.statusCode === status;
    const ok =
      res.status === status &&
      problem &&
      touched.length === 0 &&
      (!message || message.test(res.body.error.message));
    recordFaultCase({
      area,
      name: call.name,
      fault: `${call.method.toUpperCase()} ${call.path.replace(
        '/api/openbao-backup',
        '',
      )}`.slice(0, 90),
      expected: `${status} problem body, no annotation, no Job`,
      observed: `${res.status} ${res.body?.error?.name ?? '(no problem body)'}${
        touched.length ? `; annotations ${touched.join(',')}` : ''
      }`,
      ok,
    });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({
      error: { name: expect.any(String), message: expect.any(String) },
      response: { statusCode: status },
    });
    if (message) expect(res.body.error.message).toMatch(message);
    expect(touched).toEqual([]);
  }

  const trigger = `${BASE}/bao/trigger`;
  const preUpgrade = `${BASE}/bao/pre-upgrade`;
  const service = mockCredentials.service.header();

  // eslint-disable-next-line jest/expect-expect -- expectRefused asserts
  it.each(
    (
      [
        [
          {
            name: 'bad-json',
            method: 'post',
            path: trigger,
            body: '{"reason": ',
            contentType: 'application/json',
          },
          400,
        ],
        [
          {
            name: 'reason-wrong-type',
            method: 'post',
            path: trigger,
            body: { reason: 42 },
          },
          400,
          /reason: .*string/i,
        ],
        [
          { name: 'reason-missing', method: 'post', path: trigger, body: {} },
          400,
          /reason/,
        ],
        [
          {
            name: 'body-is-an-array',
            method: 'post',
            path: trigger,
            body: [{ reason: 'x' }],
          },
          400,
        ],
        [
          {
            name: 'body-not-json',
            method: 'post',
            path: trigger,
            body: 'reason=x',
            contentType: 'text/plain',
          },
          400,
          /reason/,
        ],
        [
          {
            name: 'reason-501-chars',
            method: 'post',
            path: trigger,
            body: { reason: 'r'.repeat(501) },
          },
          400,
          /at most 500 characters/,
        ],
        [
          {
            name: 'reason-10-KiB',
            method: 'post',
            path: trigger,
            body: { reason: 'r'.repeat(10 * 1024) },
          },
          400,
          /at most 500 characters/,
        ],
        [
          {
            name: 'body-1-MiB',
            method: 'post',
            path: trigger,
            body: { reason: 'x', pad: 'p'.repeat(1024 * 1024) },
          },
          413,
        ],
        [
          {
            name: 'unknown-cluster',
            method: 'post',
            path: `${BASE}/nope/trigger`,
            body: { reason: 'x' },
          },
          404,
          /nope/,
        ],
        [
          {
            name: 'unknown-kubernetes-cluster',
            method: 'post',
            path: `/api/openbao-backup/clusters/elsewhere/${NS}/bao/trigger`,
            body: { reason: 'x' },
          },
          404,
          /No Kubernetes cluster named "elsewhere"/,
        ],
        [
          {
            name: 'name-path-traversal',
            method: 'post',
            path: `${BASE}/..%2F..%2Fkube-system%2Fbao/trigger`,
            body: { reason: 'x' },
          },
          400,
          /Invalid cluster path: name/,
        ],
        [
          {
            name: 'namespace-path-traversal',
            method: 'get',
            path: `/api/openbao-backup/clusters/test/..%2Fkube-system/bao/retention/preview`,
          },
          400,
          /Invalid cluster path: namespace/,
        ],
        [
          { name: 'name-unicode', method: 'get', path: `${BASE}/b%C3%A4o` },
          400,
          /Invalid cluster path: name/,
        ],
        [
          {
            name: 'name-300-chars',
            method: 'get',
            path: `${BASE}/${'b'.repeat(300)}/backups`,
          },
          400,
          /Invalid cluster path: name/,
        ],
        [
          {
            name: 'entity-name-300-chars',
            method: 'get',
            path: `/api/openbao-backup/entity/component/default/${'e'.repeat(
              300,
            )}`,
          },
          400,
          /Invalid entity path/,
        ],
        [
          {
            name: 'pre-upgrade-request-id-traversal',
            method: 'post',
            path: preUpgrade,
            auth: service,
            body: { requestId: '../x' },
          },
          400,
          /requestId/,
        ],
        [
          {
            name: 'pre-upgrade-wait-wrong-type',
            method: 'post',
            path: preUpgrade,
            auth: service,
            body: { waitSeconds: '10' },
          },
          400,
          /waitSeconds/,
        ],
        [
          {
            name: 'pre-upgrade-wait-too-long',
            method: 'post',
            path: preUpgrade,
            auth: service,
            body: { waitSeconds: 86400 },
          },
          400,
          /waitSeconds/,
        ],
      ] as Array<[Call, number, RegExp?]>
    ).map(([call, status, message]) => ({ call, status, message })),
  )('input: $call.name → $status', async ({ call, status, message }) => {
    await expectRefused('input', allowing, call, status, message);
  });

  const none = mockCredentials.none.header();
  // eslint-disable-next-line jest/expect-expect -- expectRefused asserts
  it.each(
    (
      [
        [
          {
            name: 'anonymous-list',
            method: 'get',
            path: '/api/openbao-backup/clusters',
            auth: none,
          },
          401,
        ],
        [
          {
            name: 'anonymous-detail',
            method: 'get',
            path: `${BASE}/bao`,
            auth: none,
          },
          401,
        ],
        [
          {
            name: 'anonymous-retention-preview',
            method: 'get',
            path: `${BASE}/bao/retention/preview`,
            auth: none,
          },
          401,
        ],
        [
          {
            name: 'anonymous-trigger',
            method: 'post',
            path: trigger,
            auth: none,
            body: { reason: 'x' },
          },
          401,
        ],
        [
          {
            name: 'anonymous-pre-upgrade',
            method: 'post',
            path: preUpgrade,
            auth: none,
            body: {},
          },
          401,
        ],
        [
          {
            name: 'forged-token-trigger',
            method: 'post',
            path: trigger,
            auth: 'Bearer eyJhbGciOiJub25lIn0.e30.',
            body: { reason: 'x' },
          },
          401,
        ],
        [
          {
            name: 'user-pre-upgrade',
            method: 'post',
            path: preUpgrade,
            body: {},
          },
          403,
        ],
      ] as Array<[Call, number]>
    ).map(([call, status]) => ({ call, status })),
  )(
    'security: $call.name → $status (permissions allow)',
    async ({ call, status }) => {
      await expectRefused('security', allowing, call, status);
    },
  );

  // eslint-disable-next-line jest/expect-expect -- expectRefused asserts
  it.each(
    (
      [
        [
          {
            name: 'denied-trigger',
            method: 'post',
            path: trigger,
            body: { reason: 'x' },
          },
          403,
        ],
        [{ name: 'denied-detail', method: 'get', path: `${BASE}/bao` }, 403],
        [
          {
            name: 'denied-backups',
            method: 'get',
            path: `${BASE}/bao/backups`,
          },
          403,
        ],
        [
          {
            name: 'denied-retention-preview',
            method: 'get',
            path: `${BASE}/bao/retention/preview`,
          },
          403,
        ],
      ] as Array<[Call, number]>
    ).map(([call, status]) => ({ call, status })),
  )(
    'security: $call.name → $status (permissions deny)',
    async ({ call, status }) => {
      await expectRefused('security', denying, call, status, /Not allowed/);
    },
  );

  it('security: a denied fleet list shows no cluster', async () => {
    const res = await request(denying).get('/api/openbao-backup/clusters');
    const ok = res.status === 200 && res.body.items.length === 0;
    recordFaultCase({
      area: 'security',
      name: 'denied-list',
      fault: 'GET /clusters, read permission denied',
      expected: '200 with no cluster in items',
      observed: `${res.status}, ${res.body.items?.length} item(s)`,
      ok,
    });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
  });

  it('after all of it, a reconcile pass creates no Job', async () => {
    const reconciler = Reconciler.create({
      gateways: [ClientNodeKubeGateway.create(api.clusterConfig('test'))],
      openStore: async () => emptyBucket,
      logger: mockServices.logger.mock(),
    });
    await reconciler.tick();
    const jobs = await kube('GET', `/apis/batch/v1/namespaces/${NS}/jobs`);
    expect(jobs.items).toEqual([]);
  });
});
