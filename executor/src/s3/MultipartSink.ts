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

/** What the bytes must pass before they become an object. */
export interface UploadGate {
  /** Sees every byte in order, one part at a time; the buffer is reused once this resolves. */
  inspect(part: Buffer): Promise<void>;
  /** Metadata for CreateMultipartUpload, which waits for it. */
  createMetadata(): Promise<Record<string, string>>;
  /** After the last part was inspected: the final metadata, or a rejection to abort. */
  beforeComplete(): Promise<Record<string, string>>;
}

export interface MultipartSinkOptions {
  client: S3Client;
  bucket: string;
  key: string;
  partSize: number;
  /** Parts uploaded (and inspected) in parallel. */
  concurrency: number;
  contentType: string;
  gate: UploadGate;
  /**
   * How long a destroyed sink may spend cleaning up (AbortMultipartUpload and any request
   * still out) before it gives up, so that a SIGTERM'd Job ends within its grace period.
   */
  cleanupTimeoutMs?: number;
}

/** Default cleanup bound: well inside Kubernetes' default 30 s termination grace period. */
export const DEFAULT_CLEANUP_TIMEOUT_MS = 15_000;

/** How the sink ended: completed, or cleaned up (the multipart upload aborted, or why not). */
export interface SinkOutcome {
  completed: boolean;
  abortError?: unknown;
}

/**
 * The end of the stream into S3: copies the incoming bytes into a fixed pool of part buffers
 * (at most concurrency + 1, allocated once and reused) and hands each full buffer to the gate
 * and to UploadPart at once, at most `concurrency` at a time; `write` waits while all are busy
 * (backpressure). At the end of the stream the upload is completed (one PutObject if it fits
 * in one part) only if the gate agrees. Destroying it cancels the part uploads in flight, then
 * awaits AbortMultipartUpload; the whole cleanup is bounded by `cleanupTimeoutMs`.
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
  /** Bytes written into the sink so far. */
  bytesWritten = 0;
  /** The first failed S3 request (the gate's own failures are the gate's to report). */
  storageError?: Error;
  #completed = false;
  #finishing?: Promise<void>;
  #settle!: (o: SinkOutcome) => void;
  /** Aborted on destroy: cancels the UploadPart requests in flight. */
  readonly #cancelParts = new AbortController();
  /** Aborted once a destroyed sink has used up its cleanup time: ends every other request. */
  readonly #cleanupDeadline = new AbortController();
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

  /** Parts handed to UploadPart so far (stored, in flight, or cancelled). */
  get partsSent(): number {
    return this.#partNumber;
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
      (e: Error) => cb(e),
    );
  }

  _destroy(err: Error | null, cb: (e: Error | null) => void) {
    const timer = setTimeout(
      () =>
        this.#cleanupDeadline.abort(
          new Error(
            `gave up cleaning up after ${
              this.#cleanupTimeoutMs
            } ms (the multipart upload may be left for the bucket's lifecycle rule)`,
          ),
        ),
      this.#cleanupTimeoutMs,
    );
    this.#cancelParts.abort(new Error('upload cancelled'));
    this.#cleanUp()
      .then(
        () => cb(err),
        (e: unknown) => {
          // the SDK's "Request aborted" says less than why it was aborted
          const deadline = this.#cleanupDeadline.signal;
          const abortError = deadline.aborted ? deadline.reason : e;
          this.#settle({ completed: false, abortError });
          cb(err ?? abortError);
        },
      )
      .finally(() => clearTimeout(timer));
  }

  get #cleanupTimeoutMs(): number {
    return this.#o.cleanupTimeoutMs ?? DEFAULT_CLEANUP_TIMEOUT_MS;
  }

  /** Nothing new is sent once a part failed or the sink is being destroyed. */
  #assertLive() {
    if (this.#failure) throw this.#failure;
    if (this.destroyed) throw new Error('upload stream destroyed');
  }

  /**
   * An S3 request, its failure recorded as a storage error (a request a destroyed sink cancelled
   * is not one), sent with the signal that cancels it. Part uploads are cancelled as soon as the sink is destroyed; every other
   * request once the cleanup time is up.
   */
  #s3<T>(
    send: (options: { abortSignal: AbortSignal }) => Promise<T>,
    cancel: AbortSignal = this.#cleanupDeadline.signal,
  ): Promise<T> {
    return send({ abortSignal: cancel }).catch((e: Error) => {
      if (!cancel.aborted) this.storageError ??= e;
      throw e;
    });
  }

  async #copyIn(chunk: Buffer) {
    this.bytesWritten += chunk.length;
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
    // allSettled: the buffer is free, and the sink may clean up, only when both are done
    const sent: Promise<void> = Promise.allSettled([
      this.#o.gate.inspect(body),
      this.#uploadPart(partNumber, body),
    ])
      .then(([inspected, uploaded]) => {
        if (inspected.status === 'rejected') throw inspected.reason;
        if (uploaded.status === 'rejected') throw uploaded.reason;
        this.#parts.push(uploaded.value);
        this.#free.push(buffer);
        this.emit('part', { partNumber, bytes: body.length });
      })
      .catch((e: Error) => {
        this.#failure ??= e;
        this.destroy(e);
      })
      .finally(() => this.#inFlight.delete(sent));
    this.#inFlight.add(sent);
  }

  #createUpload(): Promise<string> {
    this.#uploadId ??= this.#o.gate.createMetadata().then(metadata =>
      this.#s3(o =>
        this.#o.client.send(
          new CreateMultipartUploadCommand({
            Bucket: this.#o.bucket,
            Key: this.#o.key,
            ContentType: this.#o.contentType,
            Metadata: metadata,
          }),
          o,
        ),
      ).then(r => r.UploadId!),
    );
    return this.#uploadId;
  }

  async #uploadPart(partNumber: number, body: Buffer): Promise<CompletedPart> {
    const uploadId = await this.#createUpload();
    const res = await this.#s3(
      o =>
        this.#o.client.send(
          new UploadPartCommand({
            Bucket: this.#o.bucket,
            Key: this.#o.key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: body,
            ContentLength: body.length,
          }),
          o,
        ),
      this.#cancelParts.signal,
    );
    if (!res.ETag) throw new Error(`part ${partNumber} stored without an ETag`);
    return { PartNumber: partNumber, ETag: res.ETag };
  }

  async #finish() {
    if (this.#partNumber === 0) {
      // it all fits in one part: verified first, then one PutObject with all the metadata
      const body = (this.#current ?? Buffer.alloc(0)).subarray(0, this.#filled);
      await this.#o.gate.inspect(body);
      const metadata = await this.#o.gate.beforeComplete();
      this.#assertLive();
      await this.#s3(o =>
        this.#o.client.send(
          new PutObjectCommand({
            Bucket: this.#o.bucket,
            Key: this.#o.key,
            Body: body,
            ContentLength: body.length,
            ContentType: this.#o.contentType,
            Metadata: metadata,
          }),
          o,
        ),
      );
    } else {
      if (this.#filled > 0) await this.#dispatch();
      while (this.#inFlight.size) await Promise.all(this.#inFlight);
      this.#assertLive();
      await this.#o.gate.beforeComplete();
      this.#assertLive();
      const parts = [...this.#parts].sort(
        (a, b) => a.PartNumber! - b.PartNumber!,
      );
      const uploadId = await this.#uploadId!;
      await this.#s3(o =>
        this.#o.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.#o.bucket,
            Key: this.#o.key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
          o,
        ),
      );
    }
    this.#completed = true;
    this.#free.length = 0;
    this.#current = undefined;
    this.#settle({ completed: true });
  }

  async #cleanUp() {
    // The part uploads in flight were cancelled: on a slow store, waiting for them could outlast
    // the Pod's grace period. A part the store was already writing may still land after the
    // abort (S3 documents this); the bucket's AbortIncompleteMultipartUpload rule is the backstop.
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
          { abortSignal: this.#cleanupDeadline.signal },
        );
      } catch (e) {
        if ((e as { name?: string }).name !== 'NoSuchUpload') throw e;
      }
    }
    this.#settle({ completed: false });
  }
}
