import { authorize, effectiveGroups, RbacObjects, verbOf } from './rbac';
import { kubeRequest } from './kubeRequest';
import { KubeApi, startKubeApi } from './startKubeApi';

const SA = 'system:serviceaccount:ops:backend';
const user = { username: SA };

const rbac: RbacObjects = {
  roles: [
    {
      metadata: { name: 'jobs', namespace: 'vault' },
      rules: [
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get'] },
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: ['s3'],
          verbs: ['get'],
        },
        {
          apiGroups: ['openbao.org'],
          resources: ['openbaoclusters/status'],
          verbs: ['patch'],
        },
      ],
    },
  ],
  clusterRoles: [
    {
      metadata: { name: 'events' },
      rules: [{ apiGroups: [''], resources: ['events'], verbs: ['create'] }],
    },
    {
      metadata: { name: 'read-all' },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['list'] }],
    },
  ],
  roleBindings: [
    {
      metadata: { name: 'jobs', namespace: 'vault' },
      roleRef: { kind: 'Role', name: 'jobs' },
      subjects: [{ kind: 'ServiceAccount', name: 'backend', namespace: 'ops' }],
    },
    {
      metadata: { name: 'events', namespace: 'vault' },
      roleRef: { kind: 'ClusterRole', name: 'events' },
      subjects: [{ kind: 'Group', name: 'system:serviceaccounts:ops' }],
    },
  ],
  clusterRoleBindings: [
    {
      metadata: { name: 'auditors' },
      roleRef: { kind: 'ClusterRole', name: 'read-all' },
      subjects: [{ kind: 'User', name: 'auditor' }],
    },
  ],
};

describe('rbac', () => {
  it.each([
    ['GET', true, false, 'get'],
    ['GET', false, false, 'list'],
    ['GET', false, true, 'watch'],
    ['POST', false, false, 'create'],
    ['PUT', true, false, 'update'],
    ['PATCH', true, false, 'patch'],
    ['DELETE', true, false, 'delete'],
    ['DELETE', false, false, 'deletecollection'],
  ])('%s (name %s, watch %s) is the verb %s', (method, named, watch, verb) => {
    expect(verbOf(method, named, watch)).toBe(verb);
  });

  it('adds the groups the apiserver gives a service account', () => {
    expect(effectiveGroups(user).sort()).toEqual([
      'system:authenticated',
      'system:serviceaccounts',
      'system:serviceaccounts:ops',
    ]);
  });

  const job = { apiGroup: 'batch', resource: 'jobs', namespace: 'vault' };
  it.each([
    ['create a Job in the bound namespace', { ...job, verb: 'create' }, true],
    [
      'delete a Job (verb not granted)',
      { ...job, verb: 'delete', name: 'j' },
      false,
    ],
    [
      'create a Job elsewhere',
      { ...job, verb: 'create', namespace: 'x' },
      false,
    ],
    [
      'list Jobs at the cluster scope',
      { ...job, verb: 'list', namespace: undefined },
      false,
    ],
    [
      'get the named Secret',
      {
        verb: 'get',
        apiGroup: '',
        resource: 'secrets',
        namespace: 'vault',
        name: 's3',
      },
      true,
    ],
    [
      'get another Secret',
      {
        verb: 'get',
        apiGroup: '',
        resource: 'secrets',
        namespace: 'vault',
        name: 'tls',
      },
      false,
    ],
    [
      'list Secrets (names never match a list)',
      { verb: 'list', apiGroup: '', resource: 'secrets', namespace: 'vault' },
      false,
    ],
    [
      'patch the status subresource',
      {
        verb: 'patch',
        apiGroup: 'openbao.org',
        resource: 'openbaoclusters',
        subresource: 'status',
        namespace: 'vault',
        name: 'bao',
      },
      true,
    ],
    [
      'patch the object itself (only status granted)',
      {
        verb: 'patch',
        apiGroup: 'openbao.org',
        resource: 'openbaoclusters',
        namespace: 'vault',
        name: 'bao',
      },
      false,
    ],
    [
      'create an Event through a ClusterRole bound to a group in the namespace',
      { verb: 'create', apiGroup: '', resource: 'events', namespace: 'vault' },
      true,
    ],
  ])('%s → %s', (_, attributes, allowed) => {
    expect(authorize(user, attributes, rbac).allowed).toBe(allowed);
  });

  it('words a denial as the apiserver does', () => {
    expect(
      authorize(user, { ...job, verb: 'delete', name: 'backup-1' }, rbac),
    ).toEqual({
      allowed: false,
      message: `jobs.batch "backup-1" is forbidden: User "${SA}" cannot delete resource "jobs" in API group "batch" in the namespace "vault"`,
    });
    expect(
      authorize(
        user,
        { verb: 'list', apiGroup: 'openbao.org', resource: 'openbaoclusters' },
        rbac,
      ),
    ).toEqual({
      allowed: false,
      message: `openbaoclusters.openbao.org is forbidden: User "${SA}" cannot list resource "openbaoclusters" in API group "openbao.org" at the cluster scope`,
    });
  });

  it('honours wildcards of a ClusterRoleBinding everywhere', () => {
    const auditor = { username: 'auditor' };
    expect(
      authorize(
        auditor,
        { verb: 'list', apiGroup: 'batch', resource: 'jobs' },
        rbac,
      ).allowed,
    ).toBe(true);
    expect(
      authorize(auditor, { ...job, verb: 'get', name: 'j' }, rbac).allowed,
    ).toBe(false);
  });
});

describe('the API double enforcing RBAC', () => {
  let api: KubeApi;
  const token = 'backend-token';
  const asUser = (method: string, path: string, body?: object) =>
    kubeRequest({ ...api, token }, method, path, body);

  beforeAll(async () => {
    api = await startKubeApi({
      namespaces: ['vault'],
      controllers: false,
      users: [{ token, username: SA }],
    });
    await kubeRequest(
      api,
      'POST',
      '/apis/rbac.authorization.k8s.io/v1/namespaces/vault/roles',
      rbac.roles[0],
    );
    await kubeRequest(
      api,
      'POST',
      '/apis/rbac.authorization.k8s.io/v1/namespaces/vault/rolebindings',
      rbac.roleBindings[0],
    );
  });
  afterAll(() => api.stop());

  const jobBody = {
    metadata: { name: 'j' },
    spec: {
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'c', image: 'x' }],
        },
      },
    },
  };

  it('lets the user do what its Role grants', async () => {
    await expect(
      asUser('POST', '/apis/batch/v1/namespaces/vault/jobs', jobBody),
    ).resolves.toMatchObject({ metadata: { name: 'j' } });
    await expect(
      asUser('GET', '/apis/batch/v1/namespaces/vault/jobs/j'),
    ).resolves.toMatchObject({ metadata: { name: 'j' } });
  });

  it('answers 403 with the Kubernetes Status body for a verb it does not grant', async () => {
    const error = await asUser(
      'DELETE',
      '/apis/batch/v1/namespaces/vault/jobs/j',
    ).catch(e => e);
    const [, code, body] = /: (\d{3}) (.*)$/s.exec(String(error.message))!;
    expect(code).toBe('403');
    expect(JSON.parse(body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `jobs.batch "j" is forbidden: User "${SA}" cannot delete resource "jobs" in API group "batch" in the namespace "vault"`,
      reason: 'Forbidden',
      details: { name: 'j', group: 'batch', kind: 'jobs' },
      code: 403,
    });
    // Nothing was deleted.
    await expect(
      kubeRequest(api, 'GET', '/apis/batch/v1/namespaces/vault/jobs/j'),
    ).resolves.toBeDefined();
  });

  it('still serves discovery, and keeps the admin token unrestricted', async () => {
    await expect(asUser('GET', '/apis')).resolves.toMatchObject({
      kind: 'APIGroupList',
    });
    await expect(
      kubeRequest(api, 'GET', '/api/v1/namespaces/vault/secrets'),
    ).resolves.toMatchObject({ items: [] });
    await expect(
      asUser('GET', '/api/v1/namespaces/vault/secrets'),
    ).rejects.toThrow(/403/);
  });
});
