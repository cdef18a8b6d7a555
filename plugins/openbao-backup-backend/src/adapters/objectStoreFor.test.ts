import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  startTlsProxy,
  TlsProxyHandle,
} from '@internal/openbao-backup-sandbox';
import { makeCluster } from '../core/__fixtures__/builders';
import {
  S3_CREDENTIALS,
  S3_ENDPOINT,
  createTestBucket,
  s3Client,
} from '../__testUtils__/sandbox';
import { KubeGateway } from './KubeGateway';
import { objectStoreFor } from './objectStoreFor';

// The real S3 server behind an https proxy whose self-signed certificate stands in for a private CA.
describe('objectStoreFor with a private storage CA', () => {
  let proxy: TlsProxyHandle;
  let bucket: string;

  beforeAll(async () => {
    bucket = await createTestBucket('store-ca');
    await s3Client().send(
      new PutObjectCommand({ Bucket: bucket, Key: 'p/x.snap', Body: 'x' }),
    );
    proxy = await startTlsProxy(S3_ENDPOINT);
  });
  afterAll(() => proxy?.close());

  const listWith = async (
    target: object,
    secrets: Record<string, Record<string, string>>,
  ) => {
    const gateway = {
      readSecretData: async (_ns: string, name: string) => secrets[name],
    } as unknown as KubeGateway;
    const cluster = makeCluster({
      spec: {
        backup: {
          target: {
            endpoint: proxy.url,
            bucket,
            usePathStyle: true,
            region: 'us-east-1',
            ...target,
          },
        },
      },
    } as any);
    const store = await objectStoreFor(gateway, cluster);
    return (await store.list('p/')).map(o => o.key);
  };
  const credentials = {
    's3-credentials': { ...S3_CREDENTIALS },
  };

  it('trusts the key of caSecretRef, over the credentials Secret caCert', async () => {
    const secrets = {
      's3-credentials': { ...S3_CREDENTIALS, caCert: 'not a PEM' },
      'store-ca': { 'ca.crt': proxy.caPem },
    };
    expect(
      await listWith(
        { caSecretRef: { name: 'store-ca', key: 'ca.crt' } },
        secrets,
      ),
    ).toEqual(['p/x.snap']);
  });

  it('without a CA the certificate is refused', async () => {
    await expect(listWith({}, credentials)).rejects.toThrow(
      /self[- ]signed certificate/i,
    );
  });

  it('names the Secret and key when the CA is missing', async () => {
    await expect(
      listWith({ caSecretRef: { name: 'store-ca' } }, credentials),
    ).rejects.toThrow(
      'Secret vault/store-ca (target.caSecretRef) is missing or lacks the key caCert',
    );
  });
});
