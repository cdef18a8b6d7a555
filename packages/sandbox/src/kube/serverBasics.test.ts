import {
  ApisApi,
  CoreApi,
  CoreV1Api,
  Health,
  KubeConfig,
  VersionApi,
} from '@kubernetes/client-node';
import { startKubeApi, KubeApi } from './startKubeApi';
import { ServiceAccountTokenIssuer } from './ServiceAccountTokenIssuer';
import { clientsFor, failure } from './__testUtils__/kubeClients';

describe('auth, discovery and TLS', () => {
  let api: KubeApi;
  beforeAll(async () => {
    api = await startKubeApi({
      tokens: ['good-token', 'second-token'],
      controllers: false,
    });
  });
  afterAll(() => api.stop());

  it('rejects a missing or wrong bearer token with a 401 Status', async () => {
    // The generated client drops 401 bodies, so the body is checked with fetch.
    expect(
      (await failure(clientsFor(api, 'bad-token').core.listNamespace({}))).code,
    ).toBe(401);
    const wrong = await fetch(`${api.url}/api/v1/namespaces`, {
      headers: { Authorization: 'Bearer bad-token' },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    const missing = await fetch(`${api.url}/api/v1/namespaces`);
    expect(missing.status).toBe(401);
    await expect(
      clientsFor(api, 'second-token').core.listNamespace({}),
    ).resolves.toBeDefined();
  });

  it('serves discovery documents the client can read', async () => {
    const kc = clientsFor(api).kc;
    const versions = await kc.makeApiClient(CoreApi).getAPIVersions();
    expect(versions.versions).toEqual(['v1']);
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    expect(groups.groups.map(g => g.name).sort()).toEqual([
      'batch',
      'coordination.k8s.io',
      'events.k8s.io',
      'openbao.org',
      'rbac.authorization.k8s.io',
    ]);
    const core = await kc.makeApiClient(CoreV1Api).getAPIResources();
    expect(core.resources.map(r => r.name)).toEqual(
      expect.arrayContaining([
        'pods',
        'pods/status',
        'pods/log',
        'secrets',
        'serviceaccounts',
        'namespaces',
        'events',
      ]),
    );
    const res = await fetch(`${api.url}/apis/openbao.org/v1alpha1`, {
      headers: { Authorization: 'Bearer good-token' },
    });
    const crds = await res.json();
    expect(crds).toMatchObject({
      kind: 'APIResourceList',
      groupVersion: 'openbao.org/v1alpha1',
    });
    expect(
      crds.resources.find((r: any) => r.name === 'openbaoclusters'),
    ).toMatchObject({
      kind: 'OpenBaoCluster',
      namespaced: true,
      verbs: expect.arrayContaining(['watch', 'patch']),
    });
    expect(crds.resources.map((r: any) => r.name)).toContain(
      'openbaorestores/status',
    );
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.major).toBe('1');
    expect(await new Health(kc).readyz({})).toBe(true);
  });

  it('answers 404 for paths it does not serve', async () => {
    const res = await fetch(`${api.url}/apis/apps/v1/deployments`, {
      headers: { Authorization: 'Bearer good-token' },
    });
    expect(res.status).toBe(404);
    expect((await res.json()).reason).toBe('NotFound');
  });

  it('writes a kubeconfig and a backend cluster entry that the client can use', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig({ namespace: 'default' }));
    expect(kc.getCurrentCluster()!.server).toBe(api.url);
    expect(kc.getCurrentUser()!.token).toBe('good-token');
    expect(api.clusterConfig('local')).toEqual({
      name: 'local',
      url: api.url,
      authProvider: 'serviceAccount',
      serviceAccountToken: 'good-token',
      skipTLSVerify: true,
    });
  });

  it('serves HTTPS with a self-signed CA that the client verifies', async () => {
    const tls = await startKubeApi({ tls: true, controllers: false });
    try {
      expect(tls.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const list = await clientsFor(tls).core.listNamespace({});
      expect(list.items.map(n => n.metadata!.name)).toContain('default');
      // Without the CA the client refuses the server.
      const untrusted = clientsFor({ ...tls, caData: undefined });
      await expect(untrusted.core.listNamespace({})).rejects.toThrow(
        /certificate/i,
      );
    } finally {
      await tls.stop();
    }
  });

  it('publishes the service-account issuer JWKS that verifies issued tokens', async () => {
    const issuer = new ServiceAccountTokenIssuer();
    const withIssuer = await startKubeApi({
      controllers: false,
      serviceAccountIssuer: issuer,
    });
    try {
      const jwks = await (
        await fetch(`${withIssuer.url}/openid/v1/jwks`)
      ).json();
      expect(jwks.keys[0]).toMatchObject({
        kty: 'RSA',
        alg: 'RS256',
        kid: issuer.keyId,
      });
      const token = issuer.issue({
        namespace: 'ns',
        serviceAccount: 'bao-backup',
        audience: 'openbao-internal',
      });
      expect(
        issuer.verify(token, { audience: 'openbao-internal' }),
      ).toMatchObject({
        sub: 'system:serviceaccount:ns:bao-backup',
        aud: ['openbao-internal'],
      });
      expect(() => issuer.verify(token, { audience: 'other' })).toThrow(
        /audience/,
      );
      expect(() => issuer.verify(`${token.slice(0, -4)}AAAA`)).toThrow(
        /signature/,
      );
    } finally {
      await withIssuer.stop();
    }
  });
});
