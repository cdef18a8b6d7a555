import { makeCluster } from './__fixtures__/builders';
import {
  buildBackupJob,
  openBaoAddresses,
  resolveBackupJobSettings,
} from './buildBackupJob';

const runAt = new Date('2026-11-25T02:00:15Z');
const key = 'backups/vault/prod/2026-11-25T02-00-15Z-0badcafe.snap';
const image =
  'registry.example/openbao-backup-executor@sha256:4f5e8a1d7c0b9e2f3a6d1c8b7e0f9a2d3c6b5e4f1a0d9c8b7e6f5a4d3c2b1a0f';
const labels = {
  'app.kubernetes.io/name': 'openbao-backup',
  'app.kubernetes.io/managed-by': 'backstage-openbao-backup',
  'openbao.org/cluster': 'prod',
  'openbao.org/component': 'backup',
  'openbao.org/backup-trigger': 'scheduled',
};
const envOf = (job: ReturnType<typeof buildBackupJob>) =>
  Object.fromEntries(
    job.spec.template.spec.containers[0].env.map(e => [e.name, e.value]),
  );
const volumeNames = (job: ReturnType<typeof buildBackupJob>) =>
  job.spec.template.spec.volumes.map(v => v.name);
const mounts = (job: ReturnType<typeof buildBackupJob>) =>
  Object.fromEntries(
    job.spec.template.spec.containers[0].volumeMounts.map((m: any) => [
      m.name,
      m.mountPath,
    ]),
  );

describe('buildBackupJob', () => {
  it('builds the whole Job of docs/contract.md §3 for the sample cluster (jwt auth, static credentials)', () => {
    const job = buildBackupJob(makeCluster(), {}, runAt, 'scheduled', key, {
      slot: new Date('2026-11-25T02:00:00Z'),
    });
    expect(job).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'backup-prod-20261125020015',
        namespace: 'vault',
        labels,
        annotations: {
          'openbao.org/run-at': '2026-11-25T02:00:15.000Z',
          'openbao.org/backup-key': key,
          'openbao.org/scheduled-time': '2026-11-25T02:00:00.000Z',
        },
        ownerReferences: [
          {
            apiVersion: 'openbao.org/v1alpha1',
            kind: 'OpenBaoCluster',
            name: 'prod',
            uid: '8b0d6a4e-1b8e-4c55-9a3e-2f5f3c0b7a11',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 3600,
        ttlSecondsAfterFinished: 86400,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'prod-backup',
            automountServiceAccountToken: false,
            restartPolicy: 'Never',
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              fsGroup: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'executor',
                image,
                imagePullPolicy: 'IfNotPresent',
                env: [
                  { name: 'CLUSTER_NAMESPACE', value: 'vault' },
                  { name: 'CLUSTER_NAME', value: 'prod' },
                  {
                    name: 'OPENBAO_ADDRESSES',
                    value:
                      'https://prod-0.prod.vault.svc:8200,https://prod-1.prod.vault.svc:8200,https://prod-2.prod.vault.svc:8200',
                  },
                  { name: 'BACKUP_AUTH_METHOD', value: 'jwt' },
                  { name: 'BACKUP_JWT_AUTH_ROLE', value: 'backup' },
                  { name: 'BACKUP_JWT_AUTH_MOUNT', value: 'jwt' },
                  { name: 'BACKUP_ENDPOINT', value: 'https://s3.example.com' },
                  { name: 'BACKUP_BUCKET', value: 'openbao-snapshots' },
                  { name: 'BACKUP_KEY', value: key },
                  { name: 'BACKUP_REGION', value: 'eu-west-1' },
                  { name: 'BACKUP_USE_PATH_STYLE', value: 'true' },
                  { name: 'BACKUP_PART_SIZE', value: String(16 * 1024 * 1024) },
                  { name: 'BACKUP_CONCURRENCY', value: '4' },
                  { name: 'BACKUP_STATE_CHECKSUM_METADATA', value: 'skip' },
                ],
                resources: {
                  requests: { cpu: '100m', memory: '128Mi' },
                  limits: { cpu: '1', memory: '512Mi' },
                },
                volumeMounts: [
                  { name: 'tls-ca', mountPath: '/etc/bao/tls', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                  {
                    name: 'openbao-token',
                    mountPath: '/var/run/secrets/tokens',
                    readOnly: true,
                  },
                  {
                    name: 'backup-credentials',
                    mountPath: '/etc/bao/backup/credentials',
                    readOnly: true,
                  },
                ],
                terminationMessagePath: '/dev/termination-log',
                terminationMessagePolicy: 'File',
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
              },
            ],
            volumes: [
              {
                name: 'tls-ca',
                secret: {
                  secretName: 'prod-tls',
                  items: [{ key: 'ca.crt', path: 'ca.crt' }],
                },
              },
              { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
              {
                name: 'openbao-token',
                projected: {
                  sources: [
                    {
                      serviceAccountToken: {
                        audience: 'openbao-internal',
                        expirationSeconds: 3600,
                        path: 'openbao-token',
                      },
                    },
                  ],
                },
              },
              {
                name: 'backup-credentials',
                secret: { secretName: 's3-credentials' },
              },
            ],
          },
        },
      },
    });
  });

  it('uses token auth and web identity when configured', () => {
    const cluster = makeCluster({
      spec: {
        backup: {
          jwtAuthRole: null,
          tokenSecretRef: { name: 'bao-token' },
          target: {
            credentialsSecretRef: null,
            roleArn: 'arn:aws:iam::123456789012:role/backup',
            endpoint: null,
            region: null,
            usePathStyle: null,
          },
        },
      },
    } as any);
    const job = buildBackupJob(cluster, {}, runAt, 'manual', key, {
      triggerValue: 'please',
    });
    const env = envOf(job);
    expect(env).toMatchObject({
      BACKUP_AUTH_METHOD: 'token',
      AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/backup',
      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/aws/token',
      BACKUP_REGION: 'us-east-1',
      BACKUP_USE_PATH_STYLE: 'false',
    });
    expect(env).not.toHaveProperty('BACKUP_JWT_AUTH_ROLE');
    expect(env).not.toHaveProperty('BACKUP_ENDPOINT');
    expect(volumeNames(job)).toEqual([
      'tls-ca',
      'tmp',
      'aws-token',
      'openbao-static-token',
    ]);
    expect(mounts(job)).toEqual({
      'tls-ca': '/etc/bao/tls',
      tmp: '/tmp',
      'aws-token': '/var/run/secrets/aws',
      'openbao-static-token': '/etc/bao/token',
    });
    expect(
      job.spec.template.spec.volumes[2].projected.sources[0].serviceAccountToken
        .audience,
    ).toBe('sts.amazonaws.com');
    expect(job.spec.template.spec.volumes[3].secret).toEqual({
      secretName: 'bao-token',
      items: [{ key: 'token', path: 'token' }],
    });
    expect(job.metadata.labels['openbao.org/backup-trigger']).toBe('manual');
    expect(
      job.spec.template.metadata.labels['openbao.org/backup-trigger'],
    ).toBe('manual');
    expect(job.metadata.annotations).toEqual({
      'openbao.org/run-at': runAt.toISOString(),
      'openbao.org/backup-key': key,
      'openbao.org/trigger-value': 'please',
    });
  });

  const credentialsVolume = (target: object) => {
    const job = buildBackupJob(
      makeCluster({ spec: { backup: { target } } } as any),
      {},
      runAt,
      'scheduled',
      key,
    );
    expect(mounts(job)['backup-credentials']).toBe(
      '/etc/bao/backup/credentials',
    );
    return job.spec.template.spec.volumes.find(
      v => v.name === 'backup-credentials',
    );
  };

  it('mounts only the CA key of caSecretRef as caCert for web identity', () => {
    expect(
      credentialsVolume({
        credentialsSecretRef: null,
        roleArn: 'arn:aws:iam::1:role/backup',
        caSecretRef: { name: 'store-ca' },
      }),
    ).toEqual({
      name: 'backup-credentials',
      projected: {
        sources: [
          {
            secret: {
              name: 'store-ca',
              items: [{ key: 'caCert', path: 'caCert' }],
            },
          },
        ],
      },
    });
  });

  it('projects the credentials Secret and then the caSecretRef key (which wins) into one directory', () => {
    expect(
      credentialsVolume({
        caSecretRef: { name: 'store-ca', key: 'ca.crt' },
      }),
    ).toEqual({
      name: 'backup-credentials',
      projected: {
        sources: [
          { secret: { name: 's3-credentials' } },
          {
            secret: {
              name: 'store-ca',
              items: [{ key: 'ca.crt', path: 'caCert' }],
            },
          },
        ],
      },
    });
  });

  it('applies settings, the spec deadline, part size, concurrency, jwt mount and pull secrets', () => {
    const cluster = makeCluster({
      spec: {
        replicas: 1,
        backup: {
          activeDeadlineSeconds: 900,
          jwtAuthMount: 'auth/k8s',
          target: { partSize: 8 * 1024 * 1024, concurrency: 8 },
        },
        imageVerification: {
          enabled: true,
          publicKey: 'K',
          imagePullSecrets: [{ name: 'regcred' }],
        },
      },
    } as any);
    const job = buildBackupJob(
      cluster,
      {
        tokenAudience: 'bao',
        addressTemplate: 'http://{cluster}-{i}.{namespace}:8200',
        imagePullPolicy: 'Always',
        resources: { limits: { memory: '1Gi' } },
        ttlSecondsAfterFinished: 600,
        tokenExpirationSeconds: 900,
      },
      runAt,
      'pre-upgrade',
      key,
      { image: 'registry.example/e@sha256:ff' },
    );
    const container = job.spec.template.spec.containers[0];
    expect(container.image).toBe('registry.example/e@sha256:ff');
    expect(container.imagePullPolicy).toBe('Always');
    expect(container.resources).toEqual({ limits: { memory: '1Gi' } });
    expect(job.spec.activeDeadlineSeconds).toBe(900);
    expect(job.spec.ttlSecondsAfterFinished).toBe(600);
    expect(job.spec.template.spec.imagePullSecrets).toEqual([
      { name: 'regcred' },
    ]);
    expect(
      job.spec.template.spec.volumes[2].projected.sources[0]
        .serviceAccountToken,
    ).toEqual({
      audience: 'bao',
      expirationSeconds: 900,
      path: 'openbao-token',
    });
    expect(envOf(job)).toMatchObject({
      OPENBAO_ADDRESSES: 'http://prod-0.vault:8200',
      BACKUP_JWT_AUTH_MOUNT: 'auth/k8s',
      BACKUP_PART_SIZE: String(8 * 1024 * 1024),
      BACKUP_CONCURRENCY: '8',
    });
    expect(job.metadata.labels['openbao.org/backup-trigger']).toBe(
      'pre-upgrade',
    );
  });

  it.each(['skip', 'copy'] as const)(
    'passes stateChecksumMetadata %s to the executor',
    mode => {
      const job = buildBackupJob(
        makeCluster(),
        { stateChecksumMetadata: mode },
        runAt,
        'scheduled',
        key,
      );
      expect(envOf(job).BACKUP_STATE_CHECKSUM_METADATA).toBe(mode);
    },
  );

  it('names the Job of a long cluster name within 63 characters', () => {
    const name = `p${'r'.repeat(62)}`;
    const job = buildBackupJob(
      makeCluster({ metadata: { name } }),
      {},
      runAt,
      'scheduled',
      key,
    );
    expect(job.metadata.name.length).toBeLessThanOrEqual(63);
    expect(job.spec.template.spec.serviceAccountName).toBe(`${name}-backup`);
  });
});

describe('openBaoAddresses', () => {
  it.each([
    [undefined, 3],
    [1, 1],
    [5, 5],
    [0, 1],
  ])('replicas %p → %d URLs', (replicas, count) => {
    const cluster = makeCluster({
      spec: { replicas: replicas ?? null },
    } as any);
    expect(
      openBaoAddresses(cluster, resolveBackupJobSettings()).split(','),
    ).toHaveLength(count);
  });
});

describe('openBaoAddresses with the backup-addresses annotation', () => {
  it.each([
    [
      ' http://127.0.0.1:8201 , http://127.0.0.1:8202,',
      'http://127.0.0.1:8201,http://127.0.0.1:8202',
    ],
    [
      ' , ',
      'https://prod-0.prod.vault.svc:8200,https://prod-1.prod.vault.svc:8200,https://prod-2.prod.vault.svc:8200',
    ],
  ])('%j → %s', (annotation, expected) => {
    const cluster = makeCluster({
      metadata: { annotations: { 'openbao.org/backup-addresses': annotation } },
    });
    expect(
      openBaoAddresses(
        cluster,
        resolveBackupJobSettings({ allowAddressOverride: true }),
      ),
    ).toBe(expected);
  });

  it('is ignored unless the backend allows it', () => {
    const cluster = makeCluster({
      metadata: {
        annotations: {
          'openbao.org/backup-addresses': 'https://evil.example:8200',
        },
      },
    });
    expect(openBaoAddresses(cluster, resolveBackupJobSettings())).toBe(
      'https://prod-0.prod.vault.svc:8200,https://prod-1.prod.vault.svc:8200,https://prod-2.prod.vault.svc:8200',
    );
  });
});

describe('resolveBackupJobSettings', () => {
  it('ignores undefined overrides', () => {
    expect(
      resolveBackupJobSettings({ tokenAudience: undefined }).tokenAudience,
    ).toBe('openbao-internal');
  });
});
