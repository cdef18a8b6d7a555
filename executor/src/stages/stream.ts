import type http from 'node:http';
import { pipeline } from 'node:stream';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { openBaoErrorText } from '../openbao/OpenBaoHttp';
import { resolveRedirect } from '../openbao/resolveRedirect';
import {
  abortedError,
  errorMessage,
  ExitCode,
  StageError,
} from '../StageError';
import type { Context, Stage } from '../types';
import { SnapshotGate } from '../verify/SnapshotGate';
import { SnapshotVerifier } from '../verify/SnapshotVerifier';
import { objectMetadata } from '../objectMetadata';
import { MultipartSink } from '../s3/MultipartSink';
import { withStorageTlsHint } from '../s3/storageTlsHint';
import { MemoryPeak, ScavengePacer } from '../memory';

const SNAPSHOT_PATH = '/v1/sys/storage/raft/snapshot';
const MAX_REDIRECTS = 3;
const SCAVENGE_EVERY_BYTES = 1024 * 1024;
const DELETE_TIMEOUT_MS = 5_000;

/** GET the snapshot from the leader, following 307s only within OPENBAO_ADDRESSES. */
async function openSnapshot(
  ctx: Context,
): Promise<{ res: http.IncomingMessage; url: string }> {
  const { config, openbao, token, leaderUrl } = ctx;
  let url = `${leaderUrl}${SNAPSHOT_PATH}`;
  for (let hop = 0; ; hop++) {
    let res: http.IncomingMessage;
    try {
      res = await openbao!.request(url, {
        headers: { 'X-Vault-Token': token! },
        signal: ctx.signal,
      });
    } catch (e) {
      if (ctx.signal.aborted) throw abortedError('stream', ctx.signal);
      throw new StageError(
        'stream',
        ExitCode.source,
        `snapshot request to ${new URL(url).origin} failed: ${errorMessage(e)}`,
      );
    }
    const status = res.statusCode ?? 0;
    if (status === 200) return { res, url };
    res.resume();
    if ([301, 302, 303, 307, 308].includes(status)) {
      const next = resolveRedirect(
        url,
        res.headers.location,
        config!.addresses,
      );
      if (!next.ok)
        throw new StageError(
          'leader',
          ExitCode.leader,
          `${new URL(url).origin} answered ${status}: ${next.reason}`,
        );
      if (hop + 1 > MAX_REDIRECTS)
        throw new StageError(
          'leader',
          ExitCode.leader,
          `more than ${MAX_REDIRECTS} redirects looking for the leader`,
        );
      ctx.deps.log.info('following redirect to the leader', {
        from: new URL(url).origin,
        to: new URL(next.url).origin,
      });
      url = next.url;
      continue;
    }
    const body = await readSmallJson(res);
    if (status === 401 || status === 403) {
      throw new StageError(
        'auth',
        ExitCode.auth,
        `snapshot refused by ${
          new URL(url).origin
        } (token lacks read on sys/storage/raft/snapshot?): ${openBaoErrorText(
          status,
          body,
        )}`,
      );
    }
    throw new StageError(
      'stream',
      ExitCode.source,
      `snapshot request to ${new URL(url).origin} failed: ${openBaoErrorText(
        status,
        body,
      )}`,
    );
  }
}

async function readSmallJson(res: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of res) {
      size += c.length;
      if (size > 65536) break;
      chunks.push(c);
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Stage 4: stream the leader's snapshot into an S3 multipart upload, verifying it on the
 * way (MultipartSink, SnapshotGate). Any failure aborts the upload and awaits the abort.
 * Source errors are exit 4, content errors 6, storage errors 5, a signal 7.
 */
export const streamSnapshot: Stage = {
  name: 'stream',
  exitCode: ExitCode.source,
  ownsAbort: true,
  async run(ctx) {
    const { config, s3, deps } = ctx;
    if (!config || !s3) throw new Error('config stage did not run');
    const { storage } = config;
    const { res, url } = await openSnapshot(ctx);
    const origin = new URL(url).origin;
    const t0 = deps.now();

    // socket reads and gunzip output are short-lived Buffers: scavenge them as they pile up
    const memory = new MemoryPeak();
    const pacer = new ScavengePacer(SCAVENGE_EVERY_BYTES, () =>
      memory.sample(),
    );
    const verifier = new SnapshotVerifier(bytes => pacer.advance(bytes));
    const gate = new SnapshotGate(verifier, position =>
      objectMetadata(config, position),
    );
    const sink = new MultipartSink({
      client: s3,
      bucket: storage.bucket,
      key: storage.key,
      partSize: storage.partSize,
      concurrency: storage.concurrency,
      contentType: 'application/gzip',
      gate,
    });

    let failure: StageError | undefined;
    const fail = (e: StageError) => {
      failure ??= e;
      res.destroy();
      sink.destroy(failure);
    };
    const onAbort = () => fail(abortedError('stream', ctx.signal));
    if (ctx.signal.aborted) onAbort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    const classify = (err: Error): StageError => {
      if (verifier.failure)
        return new StageError(
          'verify',
          ExitCode.verification,
          `snapshot verification failed: ${errorMessage(verifier.failure)}`,
        );
      if (sink.storageError)
        return new StageError(
          'stream',
          ExitCode.storage,
          withStorageTlsHint(
            `upload to s3://${storage.bucket}/${
              storage.key
            } failed: ${errorMessage(sink.storageError)}`,
            sink.storageError,
          ),
        );
      return new StageError(
        'stream',
        ExitCode.source,
        `snapshot stream from ${origin} broke after ${
          sink.bytesWritten
        } bytes: ${errorMessage(err)}`,
      );
    };

    const streamed = new Promise<void>(resolve =>
      pipeline(res, sink, err => {
        if (err && !failure) failure = classify(err);
        resolve();
      }),
    );

    res.on('data', (chunk: Buffer) => pacer.advance(chunk.length));

    let progressAt = deps.now();
    sink.on('part', ({ partNumber }: { partNumber: number }) => {
      memory.sample();
      if (deps.now() - progressAt > 10_000) {
        progressAt = deps.now();
        deps.log.info('upload progress', {
          bytes: sink.bytesWritten,
          part: partNumber,
        });
      }
    });

    await streamed;
    ctx.signal.removeEventListener('abort', onAbort);
    const outcome = await sink.settled;
    if (!outcome.completed) {
      deps.log.warn('upload abandoned', {
        bytesRead: sink.bytesWritten,
        partsSent: sink.partsSent,
        partsUploaded: sink.partsUploaded,
      });
      if (outcome.abortError)
        deps.log.error('could not abort the multipart upload', {
          error: errorMessage(outcome.abortError),
        });
    }
    if (failure) {
      verifier.destroy();
      // e.g. SIGTERM between the last part and completion: leave nothing behind
      // bounded like the sink's cleanup: the run must end within the Pod's grace period
      await s3
        .send(
          new DeleteObjectCommand({ Bucket: storage.bucket, Key: storage.key }),
          { abortSignal: AbortSignal.timeout(DELETE_TIMEOUT_MS) },
        )
        .catch(() => {});
      throw failure;
    }
    if (!gate.facts)
      throw new StageError(
        'verify',
        ExitCode.verification,
        'upload finished without a verified snapshot',
      );

    const seconds = (deps.now() - t0) / 1000;
    deps.log.info('snapshot uploaded', {
      bytes: gate.bytes,
      seconds,
      mibPerSecond: Number(
        (gate.bytes / 1048576 / Math.max(seconds, 0.001)).toFixed(1),
      ),
      raftIndex: gate.facts.raftIndex,
      raftTerm: gate.facts.raftTerm,
      sealedChecksums: gate.facts.sealedChecksums,
      ...memory.figures(),
    });
    return {
      ...ctx,
      upload: {
        size: gate.bytes,
        sha256: gate.sha256,
        sourceUrl: url,
        ...gate.facts,
      },
    };
  },
};
