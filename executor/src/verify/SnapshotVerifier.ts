import { createHash, Hash } from 'node:crypto';
import { createGunzip, Gunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { compareChecksums, parseSha256Sums } from './parseSha256Sums';

/** What a verified snapshot told us. */
export interface SnapshotFacts {
  raftIndex: number;
  raftTerm: number;
  stateSha256: string;
  sealedChecksums: boolean;
}

export interface SnapshotMetaFacts {
  raftIndex: number;
  raftTerm: number;
}

/** Thrown for any content problem: bad gzip, bad tar, missing or mismatched checksums. */
export class VerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerificationError';
  }
}

/** The parts of tar-stream's entry stream we use (a streamx Readable). */
interface EntryStream {
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'end', fn: () => void): unknown;
}

const SUMS = 'SHA256SUMS';
const SEALED = 'SHA256SUMS.sealed';
const SMALL_LIMIT = 1024 * 1024;

/**
 * Parses a gzip'd snapshot tar as its bytes are written in, hashing every entry, and
 * checks the hashes against SHA256SUMS at the end. Nothing is kept but small files.
 */
export class SnapshotVerifier {
  // large output chunks: fewer callbacks, Buffers and zlib thread hand-offs per MiB
  readonly #gunzip: Gunzip = createGunzip({ chunkSize: 256 * 1024 });
  readonly #tar = extract();
  readonly #computed = new Map<string, string>();
  #sumsText?: string;
  #sealed = false;
  #meta?: SnapshotMetaFacts;
  #failure?: Error;
  readonly #done: Promise<void>;
  readonly metaParsed: Promise<SnapshotMetaFacts>;
  #resolveMeta!: (m: SnapshotMetaFacts) => void;
  #rejectMeta!: (e: Error) => void;

  /** `onInflated` sees the size of every decompressed chunk (for GC pacing). */
  constructor(onInflated: (bytes: number) => void = () => {}) {
    this.metaParsed = new Promise((resolve, reject) => {
      this.#resolveMeta = resolve;
      this.#rejectMeta = reject;
    });
    this.metaParsed.catch(() => {}); // observed through done()/write() as well
    this.#tar.on('entry', (header, stream, next) =>
      this.#onEntry(
        header.name,
        header.type,
        stream as unknown as EntryStream,
        next,
      ),
    );
    // streamx's Writable has no pipe target support for Node streams: pump by hand with backpressure.
    this.#gunzip.on('data', (chunk: Buffer) => {
      onInflated(chunk.length);
      if (!this.#tar.write(chunk)) this.#gunzip.pause();
    });
    this.#tar.on('drain', () => this.#gunzip.resume());
    this.#gunzip.on('end', () => this.#tar.end(undefined));
    this.#done = new Promise<void>((resolve, reject) => {
      this.#gunzip.on('error', (e: Error) =>
        reject(this.#fail(`snapshot is not valid gzip: ${e.message}`)),
      );
      this.#tar.on('error', (e: Error) =>
        reject(
          this.#fail(
            this.#failure?.message ??
              `snapshot is not a valid tar: ${e.message}`,
          ),
        ),
      );
      this.#tar.on('finish', () => resolve());
    });
    this.#done.catch(() => {});
  }

  #fail(message: string): Error {
    this.#failure ??= new VerificationError(message);
    this.#rejectMeta(this.#failure);
    return this.#failure;
  }

  /** The first problem seen so far, if any. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  #onEntry(
    name: string,
    type: string | null | undefined,
    stream: EntryStream,
    next: () => void,
  ) {
    const clean = name.replace(/^\.\//, '');
    // Raft writes meta.json first; the upload waits for it (index and term go with
    // CreateMultipartUpload), so a snapshot without it up front must fail, not stall.
    if (clean !== 'meta.json' && !this.#meta) {
      this.#tar.destroy(this.#fail(`${clean} comes before meta.json`));
      return;
    }
    if (type !== 'file') {
      this.#tar.destroy(
        this.#fail(`unexpected tar entry ${clean} of type ${type}`),
      );
      return;
    }
    if (
      this.#computed.has(clean) ||
      (clean === SUMS && this.#sumsText !== undefined)
    ) {
      this.#tar.destroy(this.#fail(`tar entry ${clean} appears twice`));
      return;
    }
    const keep = clean === 'meta.json' || clean === SUMS;
    const hash: Hash | undefined =
      clean === SUMS || clean === SEALED ? undefined : createHash('sha256');
    const parts: Buffer[] = [];
    let size = 0;
    stream.on('data', chunk => {
      hash?.update(chunk);
      if (keep) {
        size += chunk.length;
        if (size > SMALL_LIMIT) {
          this.#tar.destroy(
            this.#fail(`${clean} is larger than ${SMALL_LIMIT} bytes`),
          );
          return;
        }
        parts.push(chunk);
      }
    });
    stream.on('end', () => {
      if (hash) this.#computed.set(clean, hash.digest('hex'));
      if (clean === SEALED) this.#sealed = true;
      if (clean === SUMS)
        this.#sumsText = Buffer.concat(parts).toString('utf8');
      if (clean === 'meta.json') {
        try {
          this.#meta = parseMeta(Buffer.concat(parts).toString('utf8'));
          this.#resolveMeta(this.#meta);
        } catch (e) {
          this.#tar.destroy(this.#fail(`meta.json: ${(e as Error).message}`));
          return;
        }
      }
      next();
    });
  }

  /**
   * Feeds gzip bytes; resolves once gunzip has consumed them (the caller may then reuse the
   * buffer). Large chunks keep the hand-offs to zlib's thread few.
   */
  async write(chunk: Buffer): Promise<void> {
    if (this.#failure) throw this.#failure;
    await Promise.race([
      new Promise<void>((resolve, reject) =>
        this.#gunzip.write(chunk, e => (e ? reject(e) : resolve())),
      ),
      this.#done,
    ]);
    if (this.#failure) throw this.#failure;
  }

  /** Ends the input and returns the verified facts, or throws VerificationError. */
  async end(): Promise<SnapshotFacts> {
    this.#gunzip.end();
    await this.#done;
    if (!this.#meta) throw this.#fail('snapshot has no meta.json');
    if (this.#sumsText === undefined)
      throw this.#fail('snapshot has no SHA256SUMS');
    const { sums, problems } = parseSha256Sums(this.#sumsText);
    problems.push(...compareChecksums(sums, this.#computed));
    if (problems.length) throw this.#fail(problems.join('; '));
    return {
      raftIndex: this.#meta.raftIndex,
      raftTerm: this.#meta.raftTerm,
      stateSha256: this.#computed.get('state.bin')!,
      sealedChecksums: this.#sealed,
    };
  }

  destroy() {
    this.#gunzip.destroy();
    this.#tar.destroy();
  }
}

/** Raft's SnapshotMeta (`Index`, `Term`); lowercase keys accepted too. */
export function parseMeta(text: string): SnapshotMetaFacts {
  const meta = JSON.parse(text);
  const raftIndex = Number(meta.Index ?? meta.index);
  const raftTerm = Number(meta.Term ?? meta.term);
  if (!Number.isSafeInteger(raftIndex) || !Number.isSafeInteger(raftTerm)) {
    throw new Error('no integer Index/Term');
  }
  return { raftIndex, raftTerm };
}
