import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  FaultProxy,
  HttpFault,
  ProxiedRequest,
  startFaultProxy,
} from '@internal/openbao-backup-sandbox';
import { ANNOTATION_SCHEDULED_TIME } from '@internal/plugin-openbao-backup-common';
import {
  FaultHarness,
  describeEnd,
  failedRunChecks,
  faultRow,
  judge,
  startFaultHarness,
  succeededRunChecks,
} from '../__testUtils__/faultHarness';
import {
  S3_CREDENTIALS,
  S3_ENDPOINT,
  s3Client,
} from '../__testUtils__/sandbox';

const MiB = 1024 * 1024;
jest.setTimeout(90_000);

/*
 * Storage faults: the cluster's S3 endpoint is a proxy in front of the shared Swift, which the
 * cases take down, slow down or make answer 500 (the shared Swift itself is never stopped).
 */
describe('storage faults end to end', () => {
  let h: FaultHarness;
  let proxy: FaultProxy;
  let fault: ((r: ProxiedRequest) => HttpFault | undefined) | undefined;
  const row = faultRow('storage');
  const failedExpectation =
    'exit 5 StorageFailed; failures+1; next slot kept; nothing at the key; no upload left';

  beforeAll(async () => {
    proxy = await startFaultProxy({
      target: S3_ENDPOINT,
      mode: 'http',
      onRequest: r => fault?.(r),
    });
    h = await startFaultHarness({
      namespace: 'fault-storage',
      sandbox: {
        bao: { snapshot: { stateSize: 16 * MiB, compressionLevel: 1 } },
      },
      // One case moves the fake clock to the next (yearly) slot, far ahead of the API server's
      // clock: harmless, pod start waits are measured on the API server's clock.
      target: { endpoint: proxy.url },
    });
    await h.sandbox.request(
      'POST',
      '/api/v1/namespaces/fault-storage/secrets',
      {
        metadata: { name: 's3-wrong' },
        stringData: { ...S3_CREDENTIALS, secretAccessKey: 'not-the-secret' },
      },
    );
  }, 60_000);
  afterEach(async () => {
    fault = undefined;
    await proxy.up();
  });
  afterAll(async () => {
    await h?.stop();
    await proxy?.stop();
  });

  it('S3 down at the start; once it is back the next scheduled slot runs', async () => {
    const before = await h.endState();
    await proxy.down();
    await h.runToEnd('s3-down-at-start');
    await proxy.up();
    const after = await h.endState();
    judge(
      row(
        'S3 down at the start',
        'S3 proxy refuses connections',
        failedExpectation,
      ),
      failedRunChecks(
        before,
        after,
        /^StorageFailed: .*code 5 in stage stream: upload to s3:\/\//,
      ),
      describeEnd(after),
    );

    // The kept slot is real: at its time the schedule (no trigger) starts a Job that succeeds.
    const slot = after.backup.nextScheduledBackup;
    h.setNow(new Date(Date.parse(slot) + 1000));
    await h.tickUntil(
      cr =>
        cr.status?.backup?.lastAttemptScheduledTime === slot &&
        !cr.status.backup.activeJob,
      `the scheduled run of ${slot} to end`,
    );
    const scheduled = await h.endState();
    const job = scheduled.jobs[scheduled.jobs.length - 1];
    judge(
      row(
        'S3 back: next slot runs',
        'after the S3-down failure, the fake clock moves to nextScheduledBackup',
        'a scheduled Job for that slot succeeds; failures back to 0',
      ),
      {
        ...succeededRunChecks(after, scheduled),
        'the Job is for the kept slot':
          job?.metadata.annotations[ANNOTATION_SCHEDULED_TIME] === slot,
        'failures were 1 before': after.backup.consecutiveFailures === 1,
      },
      describeEnd(scheduled),
    );
  });

  it('S3 down mid-upload: the orphaned upload is aborted once S3 is back', async () => {
    const before = await h.endState();
    fault = r => {
      if (/partNumber=1\b/.test(r.url)) {
        fault = undefined;
        void proxy.down(); // cuts this very request
      }
      return undefined;
    };
    await h.runToEnd('s3-down-mid-upload');
    // Swift lists a just-created upload late on a loaded machine: wait for it (at most 5 s).
    let orphaned = 0;
    for (let i = 0; i < 50 && !orphaned; i++) {
      orphaned = (await h.uploads()).length;
      if (!orphaned) await sleep(100);
    }
    await proxy.up();
    // The janitor retries every pass until the bucket answers again.
    await h.settleUploads(40);
    const after = await h.endState();
    judge(
      row(
        'S3 down mid-upload',
        'S3 proxy goes down at the first UploadPart',
        `${failedExpectation} (janitor aborts the orphan when S3 is back)`,
      ),
      {
        ...failedRunChecks(
          before,
          after,
          /^StorageFailed: .*code 5 in stage stream/,
        ),
        'an upload was orphaned while S3 was down': orphaned === 1,
        'FailedRunCleanedUp Event': after.events.includes('FailedRunCleanedUp'),
      },
      `${describeEnd(after)}; orphaned while down: ${orphaned}`,
    );
  });

  it.each([
    [
      'wrong credentials',
      { credentialsSecretRef: { name: 's3-wrong' } },
      /^StorageFailed: .*code 5 in stage stream: upload to s3:\/\/.*(SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId|signature)/i,
    ],
    [
      'missing bucket',
      { bucket: `missing-${Date.now().toString(36)}` },
      /^StorageFailed: .*code 5 in stage stream: .*NoSuchBucket/,
    ],
  ])('%s', async (name, target, reason) => {
    const before = await h.endState();
    const good = (await h.cluster()).spec.backup.target;
    await h.patchBackup({ target });
    try {
      await h.runToEnd(name);
    } finally {
      await h.patchBackup({ target: good });
    }
    const after = await h.endState();
    judge(
      row(
        name,
        `spec.backup.target ${JSON.stringify(target)}`,
        failedExpectation,
      ),
      failedRunChecks(before, after, reason),
      describeEnd(after),
    );
  });

  it('500 on the first attempt of every part: retried, the object is whole', async () => {
    const before = await h.endState();
    const failedOnce = new Set<string>();
    fault = r => {
      const part = /partNumber=(\d+)/.exec(r.url)?.[1];
      if (r.method !== 'PUT' || !part || failedOnce.has(part)) return undefined;
      failedOnce.add(part);
      return { status: 500 };
    };
    const injectedBefore = proxy.injected;
    await h.runToEnd('s3-500-on-parts');
    const after = await h.endState();
    const body = await s3Client().send(
      new GetObjectCommand({
        Bucket: h.bucket,
        Key: after.backup.lastBackupName,
      }),
    );
    const sha = createHash('sha256')
      .update(Buffer.from(await body.Body!.transformToByteArray()))
      .digest('hex');
    const injected = proxy.injected - injectedBefore;
    judge(
      row(
        '500 on some parts',
        'S3 proxy answers 500 to the first attempt of each UploadPart',
        'retried: exit 0; object bytes = status sha256; failures 0',
      ),
      {
        ...succeededRunChecks(before, after),
        'at least 2 parts got a 500': injected >= 2,
        'object sha256 = lastBackupSha256':
          sha === after.backup.lastBackupSha256,
      },
      `${describeEnd(after)}; 500s injected: ${injected}`,
    );
  });

  it('slow S3 (300 ms per request): the run still succeeds', async () => {
    const before = await h.endState();
    let delayed = 0;
    fault = () => {
      delayed++;
      return { latencyMs: 300 };
    };
    await h.runToEnd('s3-slow');
    const after = await h.endState();
    judge(
      row(
        'slow S3',
        'S3 proxy delays every request by 300 ms',
        'exit 0; failures 0; next slot kept',
      ),
      {
        ...succeededRunChecks(before, after),
        'requests were delayed': delayed >= 4,
      },
      `${describeEnd(after)}; ${delayed} requests delayed`,
    );
  });
});
