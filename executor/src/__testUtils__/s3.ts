import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  FaultProxy,
  ProxiedRequest,
  startFaultProxy,
} from '@internal/openbao-backup-sandbox';

/** The real S3 server tests run against (scripts/s3-swift.sh). */
export const S3_TEST_ENDPOINT =
  process.env.S3_TEST_ENDPOINT ?? 'http://127.0.0.1:8080';
export const S3_TEST_KEY = process.env.S3_TEST_ACCESS_KEY ?? 'test:tester';
export const S3_TEST_SECRET = process.env.S3_TEST_SECRET_KEY ?? 'testing';

/** A client for the S3 test server (or a proxy in front of it at `endpoint`). */
export function testS3Client(endpoint = S3_TEST_ENDPOINT): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3_TEST_KEY, secretAccessKey: S3_TEST_SECRET },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Fails loudly (never skips) when the S3 server is not running. */
export async function assertS3Reachable(): Promise<void> {
  try {
    const res = await fetch(S3_TEST_ENDPOINT, {
      signal: AbortSignal.timeout(3000),
    });
    await res.arrayBuffer();
  } catch (e) {
    throw new Error(
      `The S3 test server is not reachable at ${S3_TEST_ENDPOINT} (${
        (e as Error).message
      }). ` +
        `Start it with: bash scripts/s3-swift.sh start (install once with: bash scripts/s3-swift.sh install), ` +
        `or point S3_TEST_ENDPOINT at another S3 server.`,
    );
  }
}

/** A fresh bucket per test keeps tests independent. */
export async function createTestBucket(
  s3: S3Client,
  prefix = 'exec',
): Promise<string> {
  const bucket = `${prefix}-${Date.now().toString(36)}-${randomBytes(
    3,
  ).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

export async function objectBytes(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

export async function headObject(s3: S3Client, bucket: string, key: string) {
  return s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

/** What is left in the bucket: object keys and multipart uploads in progress. */
export async function leftovers(
  s3: S3Client,
  bucket: string,
): Promise<{ objects: string[]; uploads: string[] }> {
  const objects = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const uploads = await s3.send(
    new ListMultipartUploadsCommand({ Bucket: bucket }),
  );
  return {
    objects: (objects.Contents ?? []).map(o => o.Key!),
    uploads: (uploads.Uploads ?? []).map(u => `${u.Key} ${u.UploadId}`),
  };
}

/**
 * A proxy in front of the S3 test server that never answers the UploadParts `also` picks (all by
 * default) — a store stuck on part uploads — and forwards everything else. Its `held` and
 * `heldClosedByClient` show whether the client really cancelled them.
 */
export function holdUploadParts(
  also: (req: ProxiedRequest) => boolean = () => true,
): Promise<FaultProxy> {
  return startFaultProxy({
    target: S3_TEST_ENDPOINT,
    mode: 'http',
    onRequest: req =>
      req.method === 'PUT' && /[?&]partNumber=/.test(req.url) && also(req)
        ? { hold: true }
        : undefined,
  });
}
