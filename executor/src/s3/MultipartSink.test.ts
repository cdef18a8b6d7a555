import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as tick } from 'node:timers/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  assertS3Reachable,
  createTestBucket,
  headObject,
  holdUploadParts,
  leftovers,
  objectBytes,
  testS3Client,
} from '../__testUtils__/s3';
import { heldS3Client } from '../__testUtils__/heldS3Client';
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
const chunks = (data: Buffer, size = 64 * 1024) =>
  Readable.from(
    (function* split() {
      for (let o = 0; o < data.length; o += size)
        yield data.subarray(o, o + size);
    })(),
  );

/** Lets every pending callback, promise and stream event run (the sink is idle after it). */
const settle = async () => {
  for (let i = 0; i < 50; i++) await tick();
};

describe('MultipartSink with part uploads held open by the store', () => {
  const partSize = 64 * 1024;
  const concurrency = 3;
  const start = (
    s3: ReturnType<typeof heldS3Client>,
    data: Buffer,
    cleanupTimeoutMs?: number,
  ) => {
    const { gate, inspected } = recordingGate();
    const sink = new MultipartSink({
      client: s3.client,
      bucket: 'b',
      key: 'k',
      partSize,
      concurrency,
      contentType: 'application/gzip',
      gate,
      cleanupTimeoutMs,
    });
    const done = pipeline(chunks(data, 4096), sink);
    return { sink, done, inspected };
  };

  it('keeps exactly `concurrency` parts in flight, never more, and takes no input while they are held', async () => {
    const s3 = heldS3Client();
    const data = randomBytes(12 * partSize + 1234);
    const { sink, done, inspected } = start(s3, data);
    await s3.until(() => s3.held().length > 0);
    await settle();
    expect(s3.held()).toEqual([1, 2, 3]);
    // backpressure: the write in progress waits for a free slot, the source is paused
    const written = sink.bytesWritten;
    expect(written).toBeLessThan(data.length);
    expect(sink.writableNeedDrain).toBe(true);
    await settle();
    expect(sink.bytesWritten).toBe(written);

    // one part done → exactly one more goes out, then input stops again
    s3.releaseOne();
    await settle();
    expect(s3.held()).toEqual([2, 3, 4]);
    expect(sink.bytesWritten).toBeGreaterThan(written);
    const written2 = sink.bytesWritten;
    await settle();
    expect(sink.bytesWritten).toBe(written2);
    expect(s3.maxInFlight).toBe(concurrency);

    s3.releaseAll();
    await done;
    expect(await sink.settled).toEqual({ completed: true });
    expect(s3.maxInFlight).toBe(concurrency);
    const numbers = Array.from({ length: 13 }, (_, i) => i + 1);
    expect(s3.completedParts?.map(p => p.PartNumber)).toEqual(numbers);
    const stored = Buffer.concat(numbers.map(n => s3.stored.get(n)!));
    expect(sha256(stored)).toBe(sha256(data));
    expect(sha256(Buffer.concat(inspected))).toBe(sha256(data));
  });

  it('destroyed with parts held, cancels them and aborts the upload without waiting for the store', async () => {
    const s3 = heldS3Client();
    const { sink, done } = start(s3, randomBytes(12 * partSize));
    await s3.until(() => s3.held().length === concurrency);
    sink.destroy(new Error('terminated by SIGTERM'));
    await expect(done).rejects.toThrow('terminated by SIGTERM');
    // settles although no held part was ever released
    expect(await sink.settled).toEqual({ completed: false });
    expect(s3.cancelled).toBe(concurrency);
    expect(s3.inFlight).toBe(0);
    expect(s3.calls.at(-1)).toBe('AbortMultipartUpload');
    expect(s3.calls).not.toContain('CompleteMultipartUpload');
    expect(sink.storageError).toBeUndefined(); // cancelling is not a storage failure
  });

  it('gives up cleaning up after cleanupTimeoutMs when the store does not answer the abort either', async () => {
    const s3 = heldS3Client({ holdAbort: true });
    const { sink, done } = start(s3, randomBytes(12 * partSize), 200);
    await s3.until(() => s3.held().length === concurrency);
    sink.destroy(new Error('terminated by SIGTERM'));
    await expect(done).rejects.toThrow('terminated by SIGTERM');
    const outcome = await sink.settled;
    expect(outcome.completed).toBe(false);
    expect(String(outcome.abortError)).toMatch(
      /gave up cleaning up after 200 ms/,
    );
    expect(s3.cancelled).toBe(concurrency + 1); // the parts, then the abort itself
  });
});

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

  it('destroyed while the store holds part uploads open: cancels them, aborts the upload, leaves nothing', async () => {
    const proxy = await holdUploadParts();
    const b = await createTestBucket(s3, 'sink');
    try {
      const s = new MultipartSink({
        client: testS3Client(proxy.url), // no socket timeout: only cancelling ends a held part
        bucket: b,
        key: 'held.snap',
        partSize: 5 * MiB,
        concurrency: 2,
        contentType: 'application/gzip',
        gate: recordingGate().gate,
      });
      const done = pipeline(chunks(randomBytes(16 * MiB)), s);
      await proxy.untilHeld(2);
      expect((await leftovers(s3, b)).uploads).toHaveLength(1);
      s.destroy(new Error('terminated by SIGTERM'));
      await expect(done).rejects.toThrow('terminated by SIGTERM');
      expect(await s.settled).toEqual({ completed: false });
      expect(proxy.heldClosedByClient).toBe(2);
      expect(proxy.held).toBe(0);
      expect(await leftovers(s3, b)).toEqual({ objects: [], uploads: [] });
    } finally {
      await proxy.stop();
    }
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
