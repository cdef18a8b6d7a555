import { commandForImage, imageRepository } from './imageCommand';
import { pathOverrides } from './pathOverrides';
import {
  ContainerConfigError,
  expandReferences,
  podEnvironment,
} from './podEnvironment';
import { MountError, planVolumes } from './planVolumes';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secrets: Record<string, any> = {
  'ns/creds': {
    metadata: { name: 'creds' },
    data: { accessKeyId: b64('AKIA'), secretAccessKey: b64('s3cr3t') },
  },
  'ns/tls': {
    metadata: { name: 'tls' },
    data: { 'ca.crt': b64('CA PEM'), 'tls.key': b64('KEY') },
  },
};
const readSecret = (ns: string, name: string) => secrets[`${ns}/${name}`];
const pod = (spec: object = {}) => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', labels: { app: 'x' } },
  spec: { serviceAccountName: 'c1-backup', nodeName: 'node', ...spec },
});

describe('image mapping', () => {
  it.each([
    ['openbao-backup-executor', 'openbao-backup-executor'],
    ['openbao-backup-executor:1.2', 'openbao-backup-executor'],
    [
      'ghcr.io/acme/openbao-backup-executor:1.2@sha256:abc',
      'ghcr.io/acme/openbao-backup-executor',
    ],
    ['registry:5000/x/y', 'registry:5000/x/y'],
    ['registry:5000/x/y:tag', 'registry:5000/x/y'],
  ])('repository of %s is %s', (image, repo) => {
    expect(imageRepository(image)).toBe(repo);
  });

  const images = {
    'openbao-backup-executor': ['node', 'exec.js'],
    'acme/special': (c: any) => ['special', c.name],
  };
  it.each([
    [
      { image: 'ghcr.io/acme/openbao-backup-executor@sha256:1', args: ['--x'] },
      ['node', 'exec.js', '--x'],
    ],
    [{ image: 'openbao-backup-executor:latest' }, ['node', 'exec.js']],
    [{ image: 'my-openbao-backup-executor:1' }, undefined],
    [{ image: 'docker.io/acme/special:2', name: 'c' }, ['special', 'c']],
    [{ image: 'unknown' }, undefined],
  ])('%j → %j', (container, expected) => {
    expect(commandForImage(images, container)).toEqual(expected);
  });
});

describe('podEnvironment', () => {
  it('builds literal, secretKeyRef, fieldRef and envFrom values, expanding $(VAR)', () => {
    const container = {
      envFrom: [{ secretRef: { name: 'creds' }, prefix: 'S3_' }],
      env: [
        { name: 'CLUSTER_NAME', value: 'c1' },
        {
          name: 'GREETING',
          value: 'hi $(CLUSTER_NAME) $(UNKNOWN) $$(CLUSTER_NAME)',
        },
        {
          name: 'KEY',
          valueFrom: { secretKeyRef: { name: 'creds', key: 'accessKeyId' } },
        },
        {
          name: 'OPT',
          valueFrom: {
            secretKeyRef: { name: 'missing', key: 'x', optional: true },
          },
        },
        {
          name: 'POD',
          valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
        },
        {
          name: 'APP',
          valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } },
        },
      ],
    };
    expect(podEnvironment(pod(), container, readSecret)).toEqual({
      S3_accessKeyId: 'AKIA',
      S3_secretAccessKey: 's3cr3t',
      CLUSTER_NAME: 'c1',
      GREETING: 'hi c1 $(UNKNOWN) $(CLUSTER_NAME)',
      KEY: 'AKIA',
      POD: 'p',
      APP: 'x',
    });
  });

  it.each([
    [
      {
        env: [
          {
            name: 'K',
            valueFrom: { secretKeyRef: { name: 'missing', key: 'k' } },
          },
        ],
      },
      'secret "missing" not found',
    ],
    [
      {
        env: [
          {
            name: 'K',
            valueFrom: { secretKeyRef: { name: 'creds', key: 'nope' } },
          },
        ],
      },
      "couldn't find key nope in Secret ns/creds",
    ],
    [
      {
        env: [
          {
            name: 'K',
            valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } },
          },
        ],
      },
      'configmap "cm" not found',
    ],
  ])('refuses %j with CreateContainerConfigError', (container, message) => {
    expect(() => podEnvironment(pod(), container, readSecret)).toThrow(
      new ContainerConfigError(message),
    );
  });

  it('expands only known references', () => {
    expect(expandReferences('$(A)-$(B)', { A: '1' })).toBe('1-$(B)');
  });
});

describe('planVolumes and pathOverrides', () => {
  const spec = {
    volumes: [
      {
        name: 'tls',
        secret: {
          secretName: 'tls',
          items: [{ key: 'ca.crt', path: 'ca.crt' }],
        },
      },
      { name: 'creds', secret: { secretName: 'creds' } },
      {
        name: 'token',
        projected: {
          sources: [
            {
              serviceAccountToken: {
                audience: 'openbao-internal',
                path: 'openbao-token',
              },
            },
          ],
        },
      },
      { name: 'scratch', emptyDir: {} },
    ],
  };
  const container = {
    volumeMounts: [
      { name: 'tls', mountPath: '/etc/bao/tls' },
      { name: 'creds', mountPath: '/etc/bao/backup/credentials/' },
      { name: 'token', mountPath: '/var/run/secrets/tokens' },
      { name: 'scratch', mountPath: '/tmp' },
    ],
  };
  const issued: any[] = [];
  const hook = (r: any) => {
    issued.push(r);
    return `jwt-for-${r.audience}`;
  };

  it('plans Secret files, projected tokens and empty dirs at their in-container paths', () => {
    const plan = planVolumes(pod(spec), container, readSecret, hook);
    expect(plan.mounts).toEqual([
      '/etc/bao/tls',
      '/etc/bao/backup/credentials',
      '/var/run/secrets/tokens',
      '/tmp',
    ]);
    expect(plan.files.map(f => [f.path, f.content.toString()])).toEqual([
      ['/etc/bao/tls/ca.crt', 'CA PEM'],
      ['/etc/bao/backup/credentials/accessKeyId', 'AKIA'],
      ['/etc/bao/backup/credentials/secretAccessKey', 's3cr3t'],
      ['/var/run/secrets/tokens/openbao-token', 'jwt-for-openbao-internal'],
    ]);
    expect(issued[0]).toMatchObject({
      namespace: 'ns',
      serviceAccount: 'c1-backup',
      audience: 'openbao-internal',
      pod: { name: 'p', uid: 'uid-1' },
    });
  });

  it('mounts a single key with subPath', () => {
    const plan = planVolumes(
      pod(spec),
      {
        volumeMounts: [
          { name: 'tls', mountPath: '/etc/bao/tls/ca.crt', subPath: 'ca.crt' },
        ],
      },
      readSecret,
      hook,
    );
    expect(plan.files.map(f => f.path)).toEqual(['/etc/bao/tls/ca.crt']);
  });

  it('fails the mount for a missing Secret unless optional', () => {
    const missing = {
      volumes: [{ name: 'v', secret: { secretName: 'nope' } }],
    };
    expect(() =>
      planVolumes(
        pod(missing),
        { volumeMounts: [{ name: 'v', mountPath: '/x' }] },
        readSecret,
        hook,
      ),
    ).toThrow(MountError);
    const optional = {
      volumes: [{ name: 'v', secret: { secretName: 'nope', optional: true } }],
    };
    expect(
      planVolumes(
        pod(optional),
        { volumeMounts: [{ name: 'v', mountPath: '/x' }] },
        readSecret,
        hook,
      ).files,
    ).toEqual([]);
  });

  it('points the override vars at mounted paths only, and rewrites pod env paths inside mounts', () => {
    const plan = planVolumes(pod(spec), container, readSecret, hook);
    const env = pathOverrides({
      plan,
      root: '/tmp/pod/root',
      terminationLogPath: '/tmp/pod/termination-log',
      podEnv: {
        SOME_FILE: '/var/run/secrets/tokens/openbao-token',
        OTHER: '/not/mounted',
        BACKUP_TOKEN_PATH: '/custom',
      },
    });
    expect(env).toEqual({
      SOME_FILE: '/tmp/pod/root/var/run/secrets/tokens/openbao-token',
      TLS_CA_PATH: '/tmp/pod/root/etc/bao/tls/ca.crt',
      BACKUP_CREDENTIALS_PATH: '/tmp/pod/root/etc/bao/backup/credentials',
      JWT_TOKEN_PATH: '/tmp/pod/root/var/run/secrets/tokens/openbao-token',
      TERMINATION_LOG_PATH: '/tmp/pod/termination-log',
    });
  });
});
