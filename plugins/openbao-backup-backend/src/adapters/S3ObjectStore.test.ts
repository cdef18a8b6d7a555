import {
  CreateMultipartUploadCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  S3_CREDENTIALS as credentials,
  S3_ENDPOINT as endpoint,
  createBucket,
  s3Client,
} from '../__testUtils__/sandbox';
import { startFaultProxy } from '@internal/openbao-backup-sandbox';
import { S3ObjectStore } from './S3ObjectStore';

// A real S3 server: scripts/s3-swift.sh (Swift + s3api), started by scripts/test-all.sh.
const bucket = `retention-${Date.now().toString(36)}`;
const raw = s3Client();
const store = S3ObjectStore.create({
  bucket,
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials,
});

beforeAll(async () => {
  await createBucket(bucket);
  const keys = [
    'a/ns/c/1.snap',
    'a/ns/c/2.snap',
    'a/ns/c/3.snap',
    'a/ns/other/1.snap',
    'b/x.snap',
  ];
  for (const Key of keys) {
    await raw.send(
      new PutObjectCommand({ Bucket: bucket, Key, Body: `data of ${Key}` }),
    );
  }
});

describe('S3ObjectStore against a real S3 server', () => {
  it('lists only the prefix, with sizes and dates', async () => {
    const objects = await store.list('a/ns/c/');
    expect(objects.map(o => o.key)).toEqual([
      'a/ns/c/1.snap',
      'a/ns/c/2.snap',
      'a/ns/c/3.snap',
    ]);
    expect(objects[0].size).toBe('data of a/ns/c/1.snap'.length);
    expect(objects[0].lastModified).toBeInstanceOf(Date);
  });

  it('deletes a batch (Content-MD5 accepted) and is idempotent when re-run', async () => {
    const first = await store.deleteMany(['a/ns/c/1.snap', 'a/ns/c/2.snap']);
    expect(first.errors).toEqual([]);
    expect(first.deleted.sort()).toEqual(['a/ns/c/1.snap', 'a/ns/c/2.snap']);
    // S3 reports deleting a missing key as success: a retried plan converges.
    const again = await store.deleteMany(['a/ns/c/1.snap']);
    expect(again.errors).toEqual([]);
    expect((await store.list('a/ns/')).map(o => o.key)).toEqual([
      'a/ns/c/3.snap',
      'a/ns/other/1.snap',
    ]);
  });

  it('finds and aborts unfinished multipart uploads under a prefix', async () => {
    const { UploadId } = await raw.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: 'a/ns/c/orphan.snap',
      }),
    );
    const pending = await store.listPendingUploads('a/ns/c/');
    expect(pending).toEqual([
      expect.objectContaining({
        key: 'a/ns/c/orphan.snap',
        uploadId: UploadId,
      }),
    ]);
    await store.abortUpload(pending[0]);
    expect(await store.listPendingUploads('a/ns/c/')).toEqual([]);
  });

  it('reports per-key failures instead of throwing when the server is down', async () => {
    const dead = S3ObjectStore.create({
      bucket,
      endpoint: 'http://127.0.0.1:9', // discard port: nothing listens
      region: 'us-east-1',
      forcePathStyle: true,
      credentials,
    });
    const result = await dead.deleteMany(['k1', 'k2']);
    expect(result.deleted).toEqual([]);
    expect(result.errors.map(e => e.key)).toEqual(['k1', 'k2']);
    await expect(dead.list('a/')).rejects.toThrow(
      `list objects in bucket ${bucket}`,
    );
  });

  it('names the bucket when credentials are wrong', async () => {
    const wrong = S3ObjectStore.create({
      bucket,
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test:tester', secretAccessKey: 'wrong' },
    });
    await expect(wrong.list('a/')).rejects.toThrow(
      new RegExp(
        `list objects in bucket ${bucket}.*(SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId)`,
      ),
    );
  });

  it('fails a request the store never answers after its deadline, with the operation named', async () => {
    // A store that accepts connections and never answers (the SDK itself would wait forever).
    const hung = await startFaultProxy({ target: endpoint, mode: 'tcp' });
    hung.silent();
    try {
      const stuck = S3ObjectStore.create({
        bucket,
        endpoint: hung.url,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials,
        requestTimeoutMs: 300,
      });
      await expect(stuck.list('a/')).rejects.toThrow(
        new RegExp(
          `^list objects in bucket ${bucket}; caused by .*timed? ?out`,
          'i',
        ),
      );
      expect(hung.swallowed).toBeGreaterThan(0);
    } finally {
      await hung.stop();
    }
  });
});
