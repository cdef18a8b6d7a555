import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  assertS3Reachable,
  createTestBucket,
  headObject,
  leftovers,
  objectBytes,
  testS3Client,
} from '../__testUtils__/s3';
import { signsPayload, useUnsignedPayload } from './createS3Client';
import { MultipartSink, UploadGate } from './MultipartSink';

jest.setTimeout(60_000);

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Records what it inspects; the test decides how the end goes. */
function recordingGate(refuse?: Error) {
  const inspected: Buffer[] = [];
  const gate: UploadGate = {
    async inspect(part) {
      inspected.push(Buffer.from(part)); // the sink reuses its buffers
    },
    async createMetadata() {
      return { phase: 'create' };
    },
    async beforeComplete() {
      if (refuse) throw refuse;
      return { phase: 'complete' };
    },
  };
  return { gate, inspected };
}

/** The source in socket-sized chunks. */
const chunks = (data: Buffer) =>
  Readable.from(
    (function* split() {
      for (let o = 0; o < data.length; o += 64 * 1024)
        yield data.subarray(o, o + 64 * 1024);
    })(),
  );

describe('MultipartSink against a real S3 server', () => {
  let s3: S3Client;
  let bucket: string;
  beforeAll(async () => {
    await assertS3Reachable();
    s3 = testS3Client();
    bucket = await createTestBucket(s3, 'sink');
  });

  const sink = (
    key: string,
    gate: UploadGate,
    client: S3Client = s3,
    partSize = 5 * MiB,
  ) =>
    new MultipartSink({
      client,
      bucket,
      key,
      partSize,
      concurrency: 2,
      contentType: 'application/gzip',
      gate,
    });

  it('uploads from at most concurrency + 1 buffers, each part inspected in order, metadata from the gate', async () => {
    const data = randomBytes(23 * MiB);
    const { gate, inspected } = recordingGate();
    const s = sink('multi.snap', gate);
    await pipeline(chunks(data), s);
    expect(await s.settled).toEqual({ completed: true });
    expect(s.buffersAllocated).toBeLessThanOrEqual(3);
    expect(inspected.map(b => b.length)).toEqual([
      5 * MiB,
      5 * MiB,
      5 * MiB,
      5 * MiB,
      3 * MiB,
    ]);
    expect(sha256(Buffer.concat(inspected))).toBe(sha256(data));
    expect(sha256(await objectBytes(s3, bucket, 'multi.snap'))).toBe(
      sha256(data),
    );
    const head = await headObject(s3, bucket, 'multi.snap');
    expect(head.ETag).toMatch(/-5"$/); // Swift: "<md5>-<parts>"
    expect(head.Metadata).toEqual({ phase: 'create' });
  });

  it('sends exactly one part as one PutObject with the final metadata (no empty last part)', async () => {
    const data = randomBytes(5 * MiB);
    const { gate, inspected } = recordingGate();
    await pipeline(chunks(data), sink('single.snap', gate));
    expect(inspected).toHaveLength(1);
    const head = await headObject(s3, bucket, 'single.snap');
    expect(head.ETag).not.toContain('-');
    expect(head.ContentLength).toBe(5 * MiB);
    expect(head.Metadata).toEqual({ phase: 'complete' });
  });

  it('aborts when the gate refuses at the end: no object, no multipart upload, not a storage error', async () => {
    const refusal = new Error('checksum mismatch');
    const { gate } = recordingGate(refusal);
    const b = await createTestBucket(s3, 'sink');
    const s = new MultipartSink({
      client: s3,
      bucket: b,
      key: 'refused.snap',
      partSize: 5 * MiB,
      concurrency: 2,
      contentType: 'application/gzip',
      gate,
    });
    await expect(pipeline(chunks(randomBytes(12 * MiB)), s)).rejects.toBe(
      refusal,
    );
    expect(await s.settled).toEqual({ completed: false });
    expect(s.partsUploaded).toBe(3);
    expect(s.storageError).toBeUndefined();
    expect(await leftovers(s3, b)).toEqual({ objects: [], uploads: [] });
  });

  it('reports a failed S3 request as its storage error', async () => {
    const s = new MultipartSink({
      client: s3,
      bucket: `missing-${Date.now()}`,
      key: 'x.snap',
      partSize: 5 * MiB,
      concurrency: 2,
      contentType: 'application/gzip',
      gate: recordingGate().gate,
    });
    await expect(pipeline(chunks(randomBytes(11 * MiB)), s)).rejects.toThrow();
    expect(s.storageError?.name).toBe('NoSuchBucket');
  });

  it('signs payloads over http only; UNSIGNED-PAYLOAD is accepted by the store', async () => {
    expect(signsPayload('http://minio.svc:9000')).toBe(true);
    expect(signsPayload('https://s3.example.com')).toBe(false);
    expect(signsPayload(undefined)).toBe(false); // AWS: https

    const client = testS3Client();
    useUnsignedPayload(client);
    const sent: string[] = [];
    client.middlewareStack.add(
      next => args => {
        sent.push(
          (args.request as { headers: Record<string, string> }).headers[
            'x-amz-content-sha256'
          ],
        );
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordPayloadHash' },
    );
    const data = randomBytes(7 * MiB);
    await pipeline(
      chunks(data),
      sink('unsigned.snap', recordingGate().gate, client),
    );
    expect(sent.length).toBeGreaterThanOrEqual(4); // create, 2 parts, complete
    expect(new Set(sent)).toEqual(new Set(['UNSIGNED-PAYLOAD']));
    expect(sha256(await objectBytes(s3, bucket, 'unsigned.snap'))).toBe(
      sha256(data),
    );
  });
});
