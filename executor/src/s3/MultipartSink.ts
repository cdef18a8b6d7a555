import { Writable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

export interface MultipartSinkOptions {
  client: S3Client;
  bucket: string;
  key: string;
  partSize: number;
  /** Parts uploaded in parallel. */
  concurrency: number;
  contentType: string;
  /** Read when the object is created (CreateMultipartUpload or the single PutObject): may be filled in late. */
  metadata: Record<string, string>;
}

/** How the sink ended: completed, or cleaned up (the multipart upload aborted, or why not). */
export interface SinkOutcome {
  completed: boolean;
  abortError?: unknown;
}

/**
 * The end of the stream into S3: copies the incoming bytes into a fixed pool of part buffers
 * (at most concurrency + 1, allocated once and reused) and uploads each full buffer with
 * UploadPart, at most `concurrency` at a time; `write` waits while all are busy (backpressure).
 * The end of the stream completes the upload (one PutObject if it fits in one part), so a
 * caller that holds the end until the bytes are verified never completes an unverified object.
 * Destroying it lets the parts in flight settle, then awaits AbortMultipartUpload.
 */
export class MultipartSink extends Writable {
  readonly #o: MultipartSinkOptions;
  readonly #free: Buffer[] = [];
  #allocated = 0;
  #current?: Buffer;
  #filled = 0;
  #partNumber = 0;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #parts: CompletedPart[] = [];
  #uploadId?: Promise<string>;
  #failure?: Error;
  /** The first failed S3 request. */
  storageError?: Error;
  #completed = false;
  #finishing?: Promise<void>;
  #settle!: (o: SinkOutcome) => void;
  /** Resolves once the object is complete, or once a destroyed sink has cleaned up. Never rejects. */
  readonly settled: Promise<SinkOutcome>;

  constructor(options: MultipartSinkOptions) {
    super();
    this.#o = options;
    this.settled = new Promise(resolve => {
      this.#settle = resolve;
    });
  }

  /** Part buffers allocated so far: never more than concurrency + 1. */
  get buffersAllocated(): number {
    return this.#allocated;
  }

  /** Parts stored by S3 so far. */
  get partsUploaded(): number {
    return this.#parts.length;
  }

  _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error) => void) {
    this.#copyIn(chunk).then(() => cb(), cb);
  }

  _final(cb: (e?: Error) => void) {
    this.#finishing = this.#finish();
    this.#finishing.then(
      () => cb(),
      (e: Error) => cb(this.#storageFailure(e)),
    );
  }

  _destroy(err: Error | null, cb: (e: Error | null) => void) {
    this.#cleanUp().then(
      () => cb(err),
      abortError => {
        this.#settle({ completed: false, abortError });
        cb(err ?? abortError);
      },
    );
  }

  /** Nothing new is sent once a part failed or the sink is being destroyed. */
  #assertLive() {
    if (this.#failure) throw this.#failure;
    if (this.destroyed) throw new Error('upload stream destroyed');
  }

  #storageFailure(e: Error): Error {
    this.storageError ??= e;
    return e;
  }

  async #copyIn(chunk: Buffer) {
    let offset = 0;
    while (offset < chunk.length) {
      // a full buffer goes out only when more bytes follow: the last part is never empty
      if (this.#filled === this.#o.partSize) await this.#dispatch();
      this.#current ??= this.#takeBuffer();
      const n = chunk.copy(this.#current, this.#filled, offset);
      this.#filled += n;
      offset += n;
    }
  }

  #takeBuffer(): Buffer {
    const reused = this.#free.pop();
    if (reused) return reused;
    this.#allocated++;
    // outside Node's small-buffer pool: one long-lived allocation per slot
    return Buffer.allocUnsafeSlow(this.#o.partSize);
  }

  /** Sends the current buffer as the next part, once fewer than `concurrency` are in flight. */
  async #dispatch() {
    while (this.#inFlight.size >= this.#o.concurrency) {
      await Promise.race(this.#inFlight);
    }
    this.#assertLive();
    const buffer = this.#current!;
    const body = buffer.subarray(0, this.#filled);
    this.#current = undefined;
    this.#filled = 0;
    const partNumber = ++this.#partNumber;
    const sent: Promise<void> = this.#uploadPart(partNumber, body)
      .then(
        part => {
          this.#parts.push(part);
          this.#free.push(buffer);
          this.emit('part', { partNumber, bytes: body.length });
        },
        (e: Error) => {
          this.#failure ??= this.#storageFailure(e);
          this.destroy(e);
        },
      )
      .finally(() => this.#inFlight.delete(sent));
    this.#inFlight.add(sent);
  }

  #createUpload(): Promise<string> {
    this.#uploadId ??= this.#o.client
      .send(
        new CreateMultipartUploadCommand({
          Bucket: this.#o.bucket,
          Key: this.#o.key,
          ContentType: this.#o.contentType,
          Metadata: { ...this.#o.metadata },
        }),
      )
      .then(r => r.UploadId!);
    return this.#uploadId;
  }

  async #uploadPart(partNumber: number, body: Buffer): Promise<CompletedPart> {
    const uploadId = await this.#createUpload();
    const res = await this.#o.client.send(
      new UploadPartCommand({
        Bucket: this.#o.bucket,
        Key: this.#o.key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: body,
        ContentLength: body.length,
      }),
    );
    if (!res.ETag) throw new Error(`part ${partNumber} stored without an ETag`);
    return { PartNumber: partNumber, ETag: res.ETag };
  }

  async #finish() {
    if (this.#partNumber === 0) {
      const body = (this.#current ?? Buffer.alloc(0)).subarray(0, this.#filled);
      await this.#o.client.send(
        new PutObjectCommand({
          Bucket: this.#o.bucket,
          Key: this.#o.key,
          Body: body,
          ContentLength: body.length,
          ContentType: this.#o.contentType,
          Metadata: { ...this.#o.metadata },
        }),
      );
    } else {
      if (this.#filled > 0) await this.#dispatch();
      await Promise.all(this.#inFlight);
      this.#assertLive();
      const parts = [...this.#parts].sort(
        (a, b) => a.PartNumber! - b.PartNumber!,
      );
      await this.#o.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.#o.bucket,
          Key: this.#o.key,
          UploadId: await this.#uploadId!,
          MultipartUpload: { Parts: parts },
        }),
      );
    }
    this.#completed = true;
    this.#free.length = 0;
    this.#current = undefined;
    this.#settle({ completed: true });
  }

  async #cleanUp() {
    // Requests are never cancelled: a request cancelled on our side can still be carried out
    // after the abort, so every request is settled first.
    while (this.#inFlight.size) await Promise.all(this.#inFlight);
    await this.#finishing?.catch(() => {});
    if (this.#completed) return; // the caller deletes the object
    const uploadId = await this.#uploadId?.catch(() => undefined);
    if (uploadId) {
      try {
        await this.#o.client.send(
          new AbortMultipartUploadCommand({
            Bucket: this.#o.bucket,
            Key: this.#o.key,
            UploadId: uploadId,
          }),
        );
      } catch (e) {
        if ((e as { name?: string }).name !== 'NoSuchUpload') throw e;
      }
    }
    this.#settle({ completed: false });
  }
}
