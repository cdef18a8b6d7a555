import { parseConfig, parseSize } from './parseConfig';

const files = new Set([
  '/jwt',
  '/tok',
  '/creds/accessKeyId',
  '/creds/secretAccessKey',
  '/ca.crt',
  '/aws-token',
]);
const exists = (p: string) => files.has(p);
const base = {
  CLUSTER_NAMESPACE: 'ns1',
  CLUSTER_NAME: 'c1',
  OPENBAO_ADDRESSES:
    'https://c1-0.c1.ns1.svc:8200, https://c1-1.c1.ns1.svc:8200',
  BACKUP_AUTH_METHOD: 'jwt',
  BACKUP_JWT_AUTH_ROLE: 'backup',
  JWT_TOKEN_PATH: '/jwt',
  BACKUP_BUCKET: 'b',
  BACKUP_KEY: 'p/ns1/c1/2026-01-01T00-00-00Z-0123abcd.snap',
  BACKUP_CREDENTIALS_PATH: '/creds',
  TLS_CA_PATH: '/ca.crt',
};

describe('parseConfig', () => {
  it('parses a complete JWT configuration with defaults', () => {
    const { config, problems } = parseConfig(base, exists);
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      addresses: [
        'https://c1-0.c1.ns1.svc:8200',
        'https://c1-1.c1.ns1.svc:8200',
      ],
      auth: { method: 'jwt', role: 'backup', mount: 'jwt', jwtPath: '/jwt' },
      tlsCaPath: '/ca.crt',
      storage: {
        region: 'us-east-1',
        forcePathStyle: false,
        partSize: 16 * 1024 * 1024,
        concurrency: 4,
        insecureSkipVerify: false,
        caCertPath: '/creds/caCert',
        credentials: { kind: 'static', path: '/creds' },
      },
      terminationLogPath: '/dev/termination-log',
      timeouts: { connectMs: 10000, headerMs: 30000, idleMs: 60000 },
    });
  });

  it.each([
    [{ CLUSTER_NAME: '' }, 'CLUSTER_NAME is required'],
    [
      { OPENBAO_ADDRESSES: 'ftp://x' },
      'OPENBAO_ADDRESSES: "ftp://x" is not an http(s) URL without path',
    ],
    [
      { OPENBAO_ADDRESSES: 'https://x:8200/v1' },
      'is not an http(s) URL without path',
    ],
    [
      { BACKUP_AUTH_METHOD: 'kerberos' },
      'BACKUP_AUTH_METHOD must be jwt or token',
    ],
    [{ BACKUP_JWT_AUTH_ROLE: '' }, 'BACKUP_JWT_AUTH_ROLE is required'],
    [{ JWT_TOKEN_PATH: '/nope' }, 'JWT token file /nope does not exist'],
    [
      { BACKUP_AUTH_METHOD: 'token', BACKUP_TOKEN_PATH: '/nope' },
      'token file /nope does not exist',
    ],
    [{ TLS_CA_PATH: '/nope' }, 'TLS_CA_PATH /nope does not exist'],
    [{ BACKUP_KEY: '/abs/key' }, 'must not start with "/"'],
    [{ BACKUP_KEY: 'a//b' }, 'contain "//"'],
    [
      { BACKUP_PART_SIZE: '4Mi' },
      'BACKUP_PART_SIZE must be between 5 MiB and 5 GiB',
    ],
    [
      { BACKUP_CONCURRENCY: '17' },
      'BACKUP_CONCURRENCY must be an integer between 1 and 16',
    ],
    [
      { BACKUP_USE_PATH_STYLE: 'maybe' },
      'BACKUP_USE_PATH_STYLE must be true or false',
    ],
    [
      { BACKUP_ENDPOINT: 'not a url' },
      'BACKUP_ENDPOINT "not a url" is not an http(s) URL',
    ],
    [
      { BACKUP_CREDENTIALS_PATH: '/none' },
      'credentials file /none/accessKeyId does not exist',
    ],
    [
      { AWS_ROLE_ARN: 'arn:aws:iam::1:role/x' },
      'AWS_WEB_IDENTITY_TOKEN_FILE is required with AWS_ROLE_ARN',
    ],
  ])('reports %j', (override, message) => {
    const { config, problems } = parseConfig({ ...base, ...override }, exists);
    expect(config).toBeUndefined();
    expect(problems.join('\n')).toContain(message);
  });

  it('lists every problem at once', () => {
    const { problems } = parseConfig({}, () => false);
    expect(problems).toEqual(
      expect.arrayContaining([
        'CLUSTER_NAMESPACE is required',
        'CLUSTER_NAME is required',
        'OPENBAO_ADDRESSES is required',
        'BACKUP_BUCKET is required',
        'BACKUP_KEY is required',
      ]),
    );
    expect(problems.length).toBeGreaterThan(5);
  });

  it('infers token auth, web identity, path style, part size and concurrency', () => {
    const { config } = parseConfig(
      {
        ...base,
        BACKUP_AUTH_METHOD: '',
        BACKUP_JWT_AUTH_ROLE: '',
        BACKUP_TOKEN_PATH: '/tok',
        AWS_ROLE_ARN: 'arn:aws:iam::1:role/x',
        AWS_WEB_IDENTITY_TOKEN_FILE: '/aws-token',
        BACKUP_USE_PATH_STYLE: 'true',
        BACKUP_PART_SIZE: '64Mi',
        BACKUP_CONCURRENCY: '8',
        BACKUP_JWT_AUTH_MOUNT: '/kubernetes/',
        BACKUP_ENDPOINT: 'http://127.0.0.1:8080',
        BACKUP_INSECURE_SKIP_VERIFY: 'true',
        TERMINATION_LOG_PATH: '/tmp/t',
      },
      exists,
    );
    expect(config).toMatchObject({
      auth: { method: 'token', tokenPath: '/tok' },
      storage: {
        endpoint: 'http://127.0.0.1:8080',
        forcePathStyle: true,
        partSize: 64 * 1024 * 1024,
        concurrency: 8,
        insecureSkipVerify: true,
        // the storage CA is read with web identity too
        caCertPath: '/creds/caCert',
        credentials: {
          kind: 'webIdentity',
          roleArn: 'arn:aws:iam::1:role/x',
          tokenFile: '/aws-token',
        },
      },
      terminationLogPath: '/tmp/t',
    });
  });

  it('uses the default CA path only when the file exists', () => {
    const { TLS_CA_PATH, ...noCa } = base;
    expect(parseConfig(noCa, exists).config?.tlsCaPath).toBeUndefined();
    expect(
      parseConfig(noCa, p => p === '/etc/bao/tls/ca.crt' || exists(p)).config
        ?.tlsCaPath,
    ).toBe('/etc/bao/tls/ca.crt');
  });
});

it('accepts copy or skip for the state checksum metadata', () => {
  expect(parseConfig(base, exists).config?.storage.stateChecksumMetadata).toBe(
    'skip',
  );
  expect(
    parseConfig({ ...base, BACKUP_STATE_CHECKSUM_METADATA: 'copy' }, exists)
      .config?.storage.stateChecksumMetadata,
  ).toBe('copy');
  expect(
    parseConfig({ ...base, BACKUP_STATE_CHECKSUM_METADATA: 'tag' }, exists)
      .problems,
  ).toEqual(['BACKUP_STATE_CHECKSUM_METADATA must be copy or skip, got "tag"']);
});

describe('parseSize', () => {
  it.each([
    ['16777216', 16777216],
    ['16Mi', 16777216],
    ['16MiB', 16777216],
    ['16m', 16777216],
    ['1Gi', 1073741824],
    ['512k', 524288],
    ['1.5Mi', undefined],
    ['lots', undefined],
  ])('%s → %s', (text, bytes) => expect(parseSize(text)).toBe(bytes));
});
