import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { mockServices } from '@backstage/backend-test-utils';
import {
  OpenBaoCluster,
  objectKeyFor,
} from '@internal/plugin-openbao-backup-common';
import { S3ObjectStore } from '../adapters/S3ObjectStore';
import { planRetention } from '../core';
import {
  S3_CREDENTIALS,
  S3_ENDPOINT,
  createBucket,
  s3Client,
} from '../__testUtils__/sandbox';
import { runRetention } from './runRetention';

const ref = { namespace: 'vault', name: 'prod' };
const HOUR = 3600_000;

function cluster(bucket: string, extra: object = {}): OpenBaoCluster {
  return {
    apiVersion: 'openbao.org/v1alpha1',
    kind: 'OpenBaoCluster',
    metadata: { name: 'prod', namespace: 'vault' },
    spec: {
      backup: {
        schedule: '0 * * * *',
        executorImage: 'x',
        jwtAuthRole: 'backup',
        target: {
          bucket,
          pathPrefix: 'snaps',
          credentialsSecretRef: { name: 's3' },
        },
        retention: { maxCount: 3 },
        ...extra,
      },
    },
  };
}

const storeFor = (bucket: string) =>
  S3ObjectStore.create({
    bucket,
    endpoint: S3_ENDPOINT,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
  });

async function put(bucket: string, keys: string[], body = 'snapshot') {
  const s3 = s3Client();
  // A few at a time: Swift on two cores answers "SlowDown" to a burst.
  for (let i = 0; i < keys.length; i += 16) {
    await Promise.all(
      keys
        .slice(i, i + 16)
        .map(Key =>
          s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: body })),
        ),
    );
  }
}

async function listAll(bucket: string) {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3Client().send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map(o => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

describe('runRetention on a real S3 server', () => {
  const now = new Date('2026-11-25T12:00:30Z');
  const keyAt = (hoursAgo: number, hex: string) =>
    objectKeyFor(
      { pathPrefix: 'snaps' },
      ref,
      new Date(now.getTime() - hoursAgo * HOUR),
      hex,
      'scheduled',
    );

  it('deletes exactly the planned keys and leaves foreign objects and other clusters alone', async () => {
    const bucket = `retention-run-${Date.now().toString(36)}`;
    await createBucket(bucket);
    const ours = [1, 2, 3, 4, 5, 6].map((h, i) => keyAt(h, `0000000${i}`));
    const foreign = [
      'snaps/vault/prod/notes.txt',
      'snaps/vault/prod-2/2026-11-20T00-00-00Z-deadbeef.snap',
      'snaps/other/prod/2026-11-20T00-00-00Z-deadbeef.snap',
    ];
    await put(bucket, [...ours, ...foreign]);
    const store = storeFor(bucket);
    const planned = planRetention(
      await store.list('snaps/vault/prod/'),
      { maxCount: 3 },
      ref,
      'snaps',
      now,
    ).delete.map(d => d.key);
    expect(planned.sort()).toEqual(ours.slice(3).sort());

    const report = await runRetention({
      cluster: cluster(bucket),
      store,
      now,
      logger: mockServices.logger.mock(),
    });
    expect(report.errors).toEqual([]);
    expect(report.deleted.sort()).toEqual(planned.sort());
    expect(report.bytesFreed).toBe(planned.length * 'snapshot'.length);
    expect(await listAll(bucket)).toEqual(
      [...ours.slice(0, 3), ...foreign].sort(),
    );

    // Idempotent: a second pass finds nothing more to delete.
    const again = await runRetention({
      cluster: cluster(bucket),
      store,
      now,
      logger: mockServices.logger.mock(),
    });
    expect(again.deleted).toEqual([]);
  }, 60_000);

  it('lists past 1000 objects (pagination) and deletes in batches of at most 1000', async () => {
    const bucket = `retention-big-${Date.now().toString(36)}`;
    await createBucket(bucket);
    const keys = Array.from({ length: 1010 }, (_, i) =>
      keyAt(1 + i / 60, i.toString(16).padStart(8, '0')),
    );
    await put(bucket, keys, 'x');
    const store = storeFor(bucket);
    expect(await store.list('snaps/vault/prod/')).toHaveLength(1010);
    const report = await runRetention({
      cluster: cluster(bucket, { retention: { maxCount: 5 } }),
      store,
      now,
      logger: mockServices.logger.mock(),
    });
    expect(report.errors).toEqual([]);
    expect(report.deleted).toHaveLength(1005);
    expect(await listAll(bucket)).toHaveLength(5);
  }, 180_000);

  it('aborts orphaned multipart uploads older than the limit, not younger ones', async () => {
    const bucket = `retention-orphans-${Date.now().toString(36)}`;
    await createBucket(bucket);
    const s3 = s3Client();
    const oldKey = keyAt(1, 'aaaaaaaa');
    const youngKey = keyAt(0, 'bbbbbbbb');
    await s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: oldKey }),
    );
    await new Promise(r => setTimeout(r, 2500));
    await s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: youngKey }),
    );
    const report = await runRetention({
      cluster: cluster(bucket),
      store: storeFor(bucket),
      now: new Date(),
      logger: mockServices.logger.mock(),
      orphanUploadMaxAgeMs: 1500,
    });
    expect(report.abortedUploads).toBe(1);
    const left = await s3.send(
      new ListMultipartUploadsCommand({ Bucket: bucket }),
    );
    expect((left.Uploads ?? []).map(u => u.Key)).toEqual([youngKey]);
  }, 60_000);

  it('leaves the bucket to its lifecycle for web identity clusters', async () => {
    const report = await runRetention({
      cluster: cluster('unused', {
        target: { bucket: 'unused', roleArn: 'arn:aws:iam::1:role/r' },
      }),
      store: storeFor('unused-bucket-never-touched'),
      now,
      logger: mockServices.logger.mock(),
    });
    expect(report).toEqual(
      expect.objectContaining({
        applies: false,
        reason: 'bucket lifecycle owns retention',
        deleted: [],
      }),
    );
  });
});
