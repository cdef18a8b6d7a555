import { createHash } from 'node:crypto';
import type { SnapshotPosition } from '../objectMetadata';
import type { UploadGate } from '../s3/MultipartSink';
import { SnapshotFacts, SnapshotVerifier } from './SnapshotVerifier';

/**
 * The upload's gate for an OpenBao snapshot: sees every part in order (sha256 of the object
 * bytes, the verifier parses and hashes the tar inside), gives CreateMultipartUpload the
 * Raft index and term once meta.json is parsed, and lets the upload complete only when the
 * whole snapshot has verified.
 */
export class SnapshotGate implements UploadGate {
  readonly #hash = createHash('sha256');
  readonly #verifier: SnapshotVerifier;
  readonly #metadataFor: (position: SnapshotPosition) => Record<string, string>;
  /** Bytes seen so far. */
  bytes = 0;
  facts?: SnapshotFacts;

  constructor(
    verifier: SnapshotVerifier,
    metadataFor: (position: SnapshotPosition) => Record<string, string>,
  ) {
    this.#verifier = verifier;
    this.#metadataFor = metadataFor;
  }

  get sha256(): string {
    return this.#hash.copy().digest('hex');
  }

  inspect(part: Buffer): Promise<void> {
    this.#hash.update(part);
    this.bytes += part.length;
    return this.#verifier.write(part);
  }

  async createMetadata(): Promise<Record<string, string>> {
    const { raftIndex, raftTerm } = await this.#verifier.metaParsed;
    return this.#metadataFor({ raftIndex, raftTerm });
  }

  async beforeComplete(): Promise<Record<string, string>> {
    this.facts = await this.#verifier.end();
    const { raftIndex, raftTerm, stateSha256 } = this.facts;
    return this.#metadataFor({ raftIndex, raftTerm, stateSha256 });
  }
}
