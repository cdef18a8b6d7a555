import { createHash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import { SnapshotFacts, SnapshotVerifier } from './SnapshotVerifier';

/**
 * Pass-through of the raw snapshot bytes on their way to S3: hashes them (the object's
 * sha256), feeds them to the verifier with backpressure, and holds the end of the stream
 * until verification has passed, so the upload is completed only for a verified snapshot.
 */
export class SnapshotTap extends Transform {
  readonly #hash = createHash('sha256');
  readonly #verifier: SnapshotVerifier;
  readonly #metaGate: number;
  /** Bytes seen so far. */
  bytes = 0;
  facts?: SnapshotFacts;
  /** Set when the content (not the transport) was bad. */
  verificationError?: Error;

  /** `metaGateBytes`: hold bytes past this offset until meta.json has been parsed. */
  readonly #onVerified: (facts: SnapshotFacts) => void;

  /**
   * `metaGateBytes`: hold bytes past this offset until meta.json has been parsed.
   * `onVerified` runs before the end of the stream is passed on.
   */
  constructor(
    verifier: SnapshotVerifier,
    metaGateBytes: number,
    onVerified: (facts: SnapshotFacts) => void = () => {},
  ) {
    super();
    this.#verifier = verifier;
    this.#metaGate = metaGateBytes;
    this.#onVerified = onVerified;
  }

  get sha256(): string {
    return this.#hash.copy().digest('hex');
  }

  _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    this.#hash.update(chunk);
    this.bytes += chunk.length;
    const accepted = this.#verifier.write(chunk);
    // Object metadata (raft index/term) is sent with CreateMultipartUpload, after the first part.
    const gate =
      this.bytes > this.#metaGate
        ? Promise.all([accepted, this.#verifier.metaParsed])
        : accepted;
    gate.then(
      () => cb(null, chunk),
      e => {
        this.verificationError = e;
        cb(e);
      },
    );
  }

  _flush(cb: TransformCallback) {
    this.#verifier.end().then(
      facts => {
        this.facts = facts;
        this.#onVerified(facts);
        cb();
      },
      e => {
        this.verificationError = e;
        cb(e);
      },
    );
  }

  _destroy(err: Error | null, cb: (error: Error | null) => void) {
    this.#verifier.destroy();
    cb(err);
  }
}
