import { makeCluster } from './__fixtures__/builders';
import { secretsToObserve, validateBackupSpec } from './validateBackupSpec';

const secrets = [
  {
    name: 's3-credentials',
    keys: ['accessKeyId', 'secretAccessKey', 'sessionToken'],
  },
  { name: 'bao-token', keys: ['token'] },
];

describe('validateBackupSpec', () => {
  it('accepts the sample cluster', () => {
    expect(validateBackupSpec(makeCluster(), secrets)).toEqual([]);
  });

  it.each([
    [
      'token auth',
      {
        spec: {
          backup: { jwtAuthRole: null, tokenSecretRef: { name: 'bao-token' } },
        },
      },
    ],
    [
      'web identity',
      {
        spec: {
          backup: {
            target: {
              credentialsSecretRef: null,
              roleArn: 'arn:aws:iam::123456789012:role/backup',
            },
          },
        },
      },
    ],
    [
      'MinIO role ARN',
      {
        spec: {
          backup: {
            target: {
              credentialsSecretRef: null,
              roleArn: 'arn:minio:iam:::role/backup',
            },
          },
        },
      },
    ],
    [
      'CRON_TZ prefix',
      { spec: { backup: { schedule: 'CRON_TZ=Europe/Amsterdam 0 2 * * *' } } },
    ],
    ['timeZone field', { spec: { backup: { timeZone: 'America/New_York' } } }],
    [
      'tag without verification',
      {
        spec: { backup: { executorImage: 'registry.example/executor:1.2.3' } },
      },
    ],
    [
      'verification with digest',
      { spec: { imageVerification: { enabled: true, publicKey: 'KEY' } } },
    ],
    [
      'verification of a tag, key from a Secret',
      {
        spec: {
          backup: { executorImage: 'registry.example/executor:1.2.3' },
          imageVerification: {
            enabled: true,
            publicKeySecretRef: { name: 'cosign' },
          },
        },
      },
    ],
    [
      'exact limits',
      {
        spec: {
          backup: { target: { partSize: 5 * 1024 * 1024, concurrency: 16 } },
        },
      },
    ],
    ['concurrency 1', { spec: { backup: { target: { concurrency: 1 } } } }],
    ['no endpoint (AWS)', { spec: { backup: { target: { endpoint: null } } } }],
    [
      'http endpoint',
      { spec: { backup: { target: { endpoint: 'http://127.0.0.1:8080' } } } },
    ],
    ['no retention', { spec: { backup: { retention: null } } }],
    [
      'jwt mount with a path',
      { spec: { backup: { jwtAuthMount: 'auth/kubernetes' } } },
    ],
    ['63-char name', { metadata: { name: `p${'r'.repeat(62)}` } }],
  ])('accepts %s', (_, patch) => {
    expect(validateBackupSpec(makeCluster(patch as any), secrets)).toEqual([]);
  });

  it.each([
    ['no spec.backup', { spec: { backup: null } }, 'spec.backup', /not set/],
    [
      'invalid cron',
      { spec: { backup: { schedule: '0 25 * * *' } } },
      'spec.backup.schedule',
      /not a valid cron expression/,
    ],
    [
      '4-field cron',
      { spec: { backup: { schedule: '0 2 * *' } } },
      'spec.backup.schedule',
      /expected 5/,
    ],
    [
      'invalid zone',
      { spec: { backup: { timeZone: 'Europe/Amsterdamm' } } },
      'spec.backup.timeZone',
      /not a known IANA time zone/,
    ],
    [
      'invalid CRON_TZ',
      { spec: { backup: { schedule: 'CRON_TZ=Nope 0 2 * * *' } } },
      'spec.backup.schedule',
      /not a known IANA/,
    ],
    [
      'zone conflict',
      {
        spec: {
          backup: {
            schedule: 'CRON_TZ=UTC 0 2 * * *',
            timeZone: 'Europe/Amsterdam',
          },
        },
      },
      'spec.backup.schedule',
      /only one place/,
    ],
    [
      'no image',
      { spec: { backup: { executorImage: null } } },
      'spec.backup.executorImage',
      /required/,
    ],
    [
      'blank image',
      { spec: { backup: { executorImage: '  ' } } },
      'spec.backup.executorImage',
      /required/,
    ],
    [
      'image with whitespace',
      { spec: { backup: { executorImage: 'a b' } } },
      'spec.backup.executorImage',
      /whitespace/,
    ],
    [
      'short digest with verification',
      {
        spec: {
          backup: { executorImage: 'r/e@sha256:abc' },
          imageVerification: { enabled: true, publicKey: 'K' },
        },
      },
      'spec.backup.executorImage',
      /digest "sha256:abc" is not sha256:<64 hex>/,
    ],
    [
      'invalid reference with verification',
      {
        spec: {
          backup: { executorImage: 'registry.example/Executor:1' },
          imageVerification: { enabled: true, publicKey: 'K' },
        },
      },
      'spec.backup.executorImage',
      /path component "Executor" is invalid/,
    ],
    [
      'verification without key',
      {
        spec: {
          imageVerification: { enabled: true, issuer: 'https://issuer' },
        },
      },
      'spec.imageVerification',
      /publicKey, publicKeySecretRef nor issuer and subject/,
    ],
    [
      'no target',
      { spec: { backup: { target: null } } },
      'spec.backup.target',
      /target is required/,
    ],
    [
      'no bucket',
      { spec: { backup: { target: { bucket: null } } } },
      'spec.backup.target.bucket',
      /required/,
    ],
    [
      'bucket with slash',
      { spec: { backup: { target: { bucket: 'a/b' } } } },
      'spec.backup.target.bucket',
      /not a valid bucket/,
    ],
    [
      'endpoint not a URL',
      { spec: { backup: { target: { endpoint: 's3.example.com' } } } },
      'spec.backup.target.endpoint',
      /not an http\(s\) URL/,
    ],
    [
      'endpoint ftp',
      { spec: { backup: { target: { endpoint: 'ftp://s3.example.com' } } } },
      'spec.backup.target.endpoint',
      /not an http\(s\) URL/,
    ],
    [
      'endpoint with user:password',
      {
        spec: {
          backup: {
            target: { endpoint: 'https://AKIA:pw-canary@s3.example.com' },
          },
        },
      },
      'spec.backup.target.endpoint',
      /contains credentials/,
    ],
    [
      'jwtAuthMount climbing out of auth/',
      { spec: { backup: { jwtAuthMount: 'jwt/../../sys' } } },
      'spec.backup.jwtAuthMount',
      /not a mount path/,
    ],
    [
      'spec.backup not an object',
      { spec: { backup: 'yes' } },
      'spec.backup',
      /must be an object/,
    ],
    [
      'empty region',
      { spec: { backup: { target: { region: ' ' } } } },
      'spec.backup.target.region',
      /empty/,
    ],
    [
      'no credentials at all',
      { spec: { backup: { target: { credentialsSecretRef: null } } } },
      'spec.backup.target.credentialsSecretRef',
      /no credentials/,
    ],
    [
      'both credentials',
      { spec: { backup: { target: { roleArn: 'arn:aws:iam::1:role/x' } } } },
      'spec.backup.target',
      /not both/,
    ],
    [
      'bad role ARN',
      {
        spec: {
          backup: {
            target: { credentialsSecretRef: null, roleArn: 'backup-role' },
          },
        },
      },
      'spec.backup.target.roleArn',
      /not an ARN/,
    ],
    [
      'credentials Secret missing',
      {
        spec: {
          backup: { target: { credentialsSecretRef: { name: 'nope' } } },
        },
      },
      'spec.backup.target.credentialsSecretRef',
      /Secret "nope" not found in namespace "vault"/,
    ],
    [
      'partSize below 5 MiB',
      { spec: { backup: { target: { partSize: 5 * 1024 * 1024 - 1 } } } },
      'spec.backup.target.partSize',
      /from 5242880/,
    ],
    [
      'partSize not an integer',
      { spec: { backup: { target: { partSize: 6e6 + 0.5 } } } },
      'spec.backup.target.partSize',
      /integer/,
    ],
    [
      'partSize above 5 GiB',
      { spec: { backup: { target: { partSize: 6 * 1024 ** 3 } } } },
      'spec.backup.target.partSize',
      /5 GiB/,
    ],
    [
      'concurrency 0',
      { spec: { backup: { target: { concurrency: 0 } } } },
      'spec.backup.target.concurrency',
      /1 to 16, got 0/,
    ],
    [
      'concurrency 17',
      { spec: { backup: { target: { concurrency: 17 } } } },
      'spec.backup.target.concurrency',
      /got 17/,
    ],
    [
      'concurrency string',
      { spec: { backup: { target: { concurrency: '4' } } } },
      'spec.backup.target.concurrency',
      /got "4"/,
    ],
    [
      'no auth',
      { spec: { backup: { jwtAuthRole: null } } },
      'spec.backup.jwtAuthRole',
      /no OpenBao auth/,
    ],
    [
      'both auths',
      { spec: { backup: { tokenSecretRef: { name: 'bao-token' } } } },
      'spec.backup',
      /either jwtAuthRole or tokenSecretRef/,
    ],
    [
      'token Secret missing',
      {
        spec: {
          backup: { jwtAuthRole: null, tokenSecretRef: { name: 'nope' } },
        },
      },
      'spec.backup.tokenSecretRef',
      /not found/,
    ],
    [
      'bad jwt mount',
      { spec: { backup: { jwtAuthMount: '/jwt/' } } },
      'spec.backup.jwtAuthMount',
      /not a mount path/,
    ],
    [
      'maxCount 0',
      { spec: { backup: { retention: { maxCount: 0 } } } },
      'spec.backup.retention.maxCount',
      /≥ 1, got 0/,
    ],
    [
      'negative maxCount',
      { spec: { backup: { retention: { maxCount: -3 } } } },
      'spec.backup.retention.maxCount',
      /got -3/,
    ],
    [
      'fractional maxCount',
      { spec: { backup: { retention: { maxCount: 2.5 } } } },
      'spec.backup.retention.maxCount',
      /got 2.5/,
    ],
    [
      'negative maxAge',
      { spec: { backup: { retention: { maxAge: '-1d' } } } },
      'spec.backup.retention.maxAge',
      /not a duration/,
    ],
    [
      'unitless maxAge',
      { spec: { backup: { retention: { maxAge: '30' } } } },
      'spec.backup.retention.maxAge',
      /not a duration/,
    ],
    [
      'zero maxAge',
      { spec: { backup: { retention: { maxAge: '0d' } } } },
      'spec.backup.retention.maxAge',
      /must be positive/,
    ],
    [
      'deadline 0',
      { spec: { backup: { activeDeadlineSeconds: 0 } } },
      'spec.backup.activeDeadlineSeconds',
      /≥ 1/,
    ],
    ['replicas 0', { spec: { replicas: 0 } }, 'spec.replicas', /≥ 1/],
    [
      '80-char name',
      { metadata: { name: 'p'.repeat(80) } },
      'metadata.name',
      /at most 63 characters/,
    ],
    [
      'unicode name',
      { metadata: { name: 'prød' } },
      'metadata.name',
      /DNS label/,
    ],
    [
      'name with a dot',
      { metadata: { name: 'prod.eu' } },
      'metadata.name',
      /DNS label/,
    ],
    [
      'name starting with a digit',
      { metadata: { name: '1prod' } },
      'metadata.name',
      /starting with a letter/,
    ],
    [
      'unicode namespace',
      { metadata: { namespace: 'våult' } },
      'metadata.namespace',
      /not a valid DNS label/,
    ],
  ])('reports %s', (_, patch, field, message) => {
    const problems = validateBackupSpec(makeCluster(patch as any), secrets);
    expect(problems).toContainEqual({
      field,
      message: expect.stringMatching(message),
    });
  });

  it('reports missing Secret keys by name', () => {
    expect(
      validateBackupSpec(makeCluster(), [
        { name: 's3-credentials', keys: ['accessKeyId', 'caCert'] },
      ]),
    ).toEqual([
      {
        field: 'spec.backup.target.credentialsSecretRef',
        message: 'Secret "s3-credentials" lacks key secretAccessKey',
      },
    ]);
    expect(
      validateBackupSpec(makeCluster(), [{ name: 's3-credentials', keys: [] }]),
    ).toEqual([
      {
        field: 'spec.backup.target.credentialsSecretRef',
        message:
          'Secret "s3-credentials" lacks keys accessKeyId, secretAccessKey',
      },
    ]);
    expect(
      validateBackupSpec(
        makeCluster({
          spec: {
            backup: {
              jwtAuthRole: null,
              tokenSecretRef: { name: 'bao-token' },
            },
          },
        } as any),
        [secrets[0], { name: 'bao-token', keys: ['value'] }],
      ),
    ).toEqual([
      {
        field: 'spec.backup.tokenSecretRef',
        message: 'Secret "bao-token" lacks key token',
      },
    ]);
  });

  it('does not need the credentials Secret with roleArn', () => {
    const cluster = makeCluster({
      spec: {
        backup: {
          target: {
            credentialsSecretRef: null,
            roleArn: 'arn:aws:iam::1:role/x',
          },
        },
      },
    } as any);
    expect(validateBackupSpec(cluster, [])).toEqual([]);
  });

  describe('caSecretRef', () => {
    const withCa = (caSecretRef: object) =>
      makeCluster({
        spec: {
          backup: {
            target: {
              credentialsSecretRef: null,
              roleArn: 'arn:aws:iam::1:role/x',
              caSecretRef,
            },
          },
        },
      } as any);
    const caSecrets = [
      { name: 'store-ca', keys: ['caCert'] },
      { name: 'tls-bundle', keys: ['ca.crt', 'tls.key'] },
    ];

    it.each([[{ name: 'store-ca' }], [{ name: 'tls-bundle', key: 'ca.crt' }]])(
      'accepts %j with web identity',
      ref => {
        expect(validateBackupSpec(withCa(ref), caSecrets)).toEqual([]);
      },
    );

    it('accepts it next to a credentials Secret', () => {
      const cluster = makeCluster({
        spec: { backup: { target: { caSecretRef: { name: 'store-ca' } } } },
      } as any);
      expect(validateBackupSpec(cluster, [...secrets, ...caSecrets])).toEqual(
        [],
      );
    });

    it.each([
      [{ name: 'nope' }, 'Secret "nope" not found in namespace "vault"'],
      [
        { name: 'tls-bundle' },
        'Secret "tls-bundle" lacks key caCert (the PEM CA of the S3 endpoint)',
      ],
      [
        { name: 'store-ca', key: 'ca.crt' },
        'Secret "store-ca" lacks key ca.crt (the PEM CA of the S3 endpoint)',
      ],
      [
        { name: 'store-ca', key: '../ca' },
        'caSecretRef.key "../ca" is not a Secret key (letters, digits, "-", "_", ".")',
      ],
      [
        { name: '' },
        "caSecretRef.name must name a Secret in the cluster's namespace",
      ],
    ])('reports %j', (ref, message) => {
      expect(validateBackupSpec(withCa(ref), caSecrets)).toEqual([
        { field: 'spec.backup.target.caSecretRef', message },
      ]);
    });

    it('skips the Secret check when the Secrets could not be read', () => {
      expect(validateBackupSpec(withCa({ name: 'nope' }), undefined)).toEqual(
        [],
      );
    });
  });

  it('skips Secret checks when the Secrets could not be read', () => {
    expect(validateBackupSpec(makeCluster(), undefined)).toEqual([]);
  });

  it.each([
    'https://AKIA:pw-canary@s3.example.com',
    'AKIA:pw-canary@s3.example.com',
    'ftp://AKIA:pw-canary@s3.example.com',
  ])('never repeats the password of endpoint %s', endpoint => {
    const problems = validateBackupSpec(
      makeCluster({ spec: { backup: { target: { endpoint } } } } as any),
      secrets,
    );
    expect(problems.map(p => p.field)).toEqual(['spec.backup.target.endpoint']);
    expect(JSON.stringify(problems)).not.toContain('pw-canary');
  });

  it('lists every problem at once', () => {
    const cluster = makeCluster({
      metadata: { name: 'Prod_1' },
      spec: {
        backup: {
          schedule: 'x',
          executorImage: null,
          target: { bucket: null, concurrency: 99 },
          jwtAuthRole: null,
        },
      },
    } as any);
    expect(validateBackupSpec(cluster, secrets).map(p => p.field)).toEqual([
      'metadata.name',
      'spec.backup.schedule',
      'spec.backup.executorImage',
      'spec.backup.target.bucket',
      'spec.backup.target.concurrency',
      'spec.backup.jwtAuthRole',
    ]);
  });
});

describe('secretsToObserve', () => {
  it.each([
    [{}, ['s3-credentials']],
    [
      {
        spec: {
          backup: {
            target: {
              credentialsSecretRef: null,
              roleArn: 'arn:aws:iam::1:role/x',
            },
          },
        },
      },
      [],
    ],
    [
      {
        spec: {
          backup: { jwtAuthRole: null, tokenSecretRef: { name: 'tok' } },
        },
      },
      ['s3-credentials', 'tok'],
    ],
    [
      {
        spec: {
          backup: {
            target: {
              credentialsSecretRef: null,
              roleArn: 'arn:aws:iam::1:role/x',
              caSecretRef: { name: 'store-ca' },
            },
          },
        },
      },
      ['store-ca'],
    ],
    [
      {
        spec: {
          backup: { target: { caSecretRef: { name: 's3-credentials' } } },
        },
      },
      ['s3-credentials'],
    ],
    [{ spec: { backup: null } }, []],
  ])('%j → %j', (patch, names) => {
    expect(secretsToObserve(makeCluster(patch as any))).toEqual(names);
  });
});
