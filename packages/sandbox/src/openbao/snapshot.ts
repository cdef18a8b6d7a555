import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { TAR_END, tarHeader, tarPadding } from './tarHeader';

/** What a generated snapshot contains; the same spec always gives the same bytes. */
export interface SnapshotSpec {
  /** Size of `state.bin` in bytes. */
  stateSize: number;
  /** Raft index and term written to `meta.json`. */
  index: number;
  term: number;
  /** Seeds the pseudo-random content of `state.bin`. */
  seed: string;
  /** Adds `SHA256SUMS.sealed`, as a cluster with a seal does. */
  sealed: boolean;
  /** Writes a wrong `state.bin` line in `SHA256SUMS`. */
  wrongChecksum?: boolean;
  /** Leaves `SHA256SUMS` out (and `.sealed`). */
  omitChecksums?: boolean;
  /** Timestamp (ms) used for tar headers, so bytes don't depend on the clock. */
  mtime?: number;
}

/** Filled in while the snapshot is generated; final once the generator is done. */
export interface SnapshotDigest {
  metaSha256?: string;
  stateSha256?: string;
  sumsText?: string;
}

const CHUNK = 1024 * 1024;
const PAGE = 4096;

/** Raft `SnapshotMeta` as OpenBao writes it (field names from hashicorp/raft). */
export function snapshotMeta(spec: SnapshotSpec): Buffer {
  const meta = {
    Version: 1,
    ID: `${spec.term}-${spec.index}-${spec.mtime ?? 0}`,
    Index: spec.index,
    Term: spec.term,
    Peers: 'AA==',
    Configuration: { Servers: [] },
    ConfigurationIndex: 1,
    Size: spec.stateSize,
  };
  return Buffer.from(JSON.stringify(meta));
}

/**
 * Deterministic `state.bin` content in 1 MiB chunks: each 4 KiB page is half
 * AES-CTR keystream (incompressible) and half zeros, roughly like a BoltDB file,
 * so gzip has real work to do without making multi-GiB snapshots unbearably slow.
 */
export function* stateChunks(size: number, seed: string): Generator<Buffer> {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16, 0));
  const zeros = Buffer.alloc(CHUNK / 2, 0);
  let left = size;
  while (left > 0) {
    const n = Math.min(CHUNK, left);
    const random = cipher.update(zeros);
    const out = Buffer.alloc(n, 0);
    for (let p = 0, r = 0; p < n; p += PAGE, r += PAGE / 2) {
      random.copy(out, p, r, r + Math.min(PAGE / 2, n - p));
    }
    left -= n;
    yield out;
  }
}

function* entry(name: string, data: Buffer, mtime: number): Generator<Buffer> {
  yield tarHeader(name, data.length, mtime);
  yield data;
  yield tarPadding(data.length);
}

/**
 * The uncompressed tar stream of a snapshot (callers gzip it). `digest` is filled in as
 * entries pass, so the server knows the true state.bin hash without a second pass.
 */
export function* snapshotTar(
  spec: SnapshotSpec,
  digest: SnapshotDigest = {},
): Generator<Buffer> {
  const mtime = spec.mtime ?? Date.UTC(2026, 0, 1);
  const meta = snapshotMeta(spec);
  digest.metaSha256 = createHash('sha256').update(meta).digest('hex');
  yield* entry('meta.json', meta, mtime);

  yield tarHeader('state.bin', spec.stateSize, mtime);
  const stateHash = createHash('sha256');
  for (const chunk of stateChunks(spec.stateSize, spec.seed)) {
    stateHash.update(chunk);
    yield chunk;
  }
  yield tarPadding(spec.stateSize);
  digest.stateSha256 = stateHash.digest('hex');

  if (!spec.omitChecksums) {
    const stateLine = spec.wrongChecksum
      ? createHash('sha256').update('not the state').digest('hex')
      : digest.stateSha256;
    const sums = `${digest.metaSha256}  meta.json\n${stateLine}  state.bin\n`;
    digest.sumsText = sums;
    yield* entry('SHA256SUMS', Buffer.from(sums), mtime);
    if (spec.sealed) {
      // Stands in for the seal-wrapped checksum file; only its presence matters to readers.
      const sealedSig = createHmac('sha256', `seal:${spec.seed}`)
        .update(sums)
        .digest();
      yield* entry('SHA256SUMS.sealed', sealedSig, mtime);
    }
  }
  yield TAR_END;
}
