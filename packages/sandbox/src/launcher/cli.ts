/*
 * `sandbox up`: the demo's local world (Kubernetes API, OpenBao clusters, Job runner) until Ctrl-C.
 *   sandbox up --config <file> [--s3-endpoint URL | --embedded-s3-port N] [--bucket NAME]
 *              [--executor PATH] [--port N]
 * --embedded-s3-port starts the in-process S3 store (startEmbeddedS3) on that port (0: any free one).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Demo, startDemo } from './startDemo';
import { EmbeddedS3, startEmbeddedS3 } from './startEmbeddedS3';

const USAGE =
  'usage: sandbox up --config <file> [--s3-endpoint URL | --embedded-s3-port N] [--bucket NAME] [--executor PATH] [--port N]\n';

/** The options of `sandbox up`; an unknown option or a missing value throws with node's message. */
function args(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      config: { type: 'string' },
      's3-endpoint': { type: 'string' },
      'embedded-s3-port': { type: 'string' },
      bucket: { type: 'string' },
      executor: { type: 'string' },
      port: { type: 'string' },
    },
  });
  for (const key of ['embedded-s3-port', 'port'] as const) {
    const v = values[key];
    if (v !== undefined && !/^\d{1,5}$/.test(v))
      throw new Error(`--${key} must be a port number, got "${v}"`);
  }
  if (values['s3-endpoint'] && values['embedded-s3-port'] !== undefined)
    throw new Error('--s3-endpoint and --embedded-s3-port exclude each other');
  return values;
}

async function ensureBucket(
  endpoint: string,
  bucket: string,
  accessKeyId: string,
  secretAccessKey: string,
) {
  const s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // A bucket left by an earlier run is fine. A store that has just started may still refuse
  // requests for a moment (Swift answers 404/503 while its rings load): retry a few times.
  let lastError: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      return;
    } catch (e: any) {
      if (
        e?.name === 'BucketAlreadyOwnedByYou' ||
        e?.name === 'BucketAlreadyExists'
      )
        return;
      const exists = await s3
        .send(new HeadBucketCommand({ Bucket: bucket }))
        .then(
          () => true,
          () => false,
        );
      if (exists) return;
      lastError = e;
      await new Promise(r => setTimeout(r, 1000));
    }
  }
  throw new Error(
    `cannot create bucket ${bucket} at ${endpoint}: ${
      (lastError as Error)?.message ?? lastError
    }`,
  );
}

export async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (command !== 'up') {
    process.stderr.write(USAGE);
    return 2;
  }
  let a: ReturnType<typeof args>;
  try {
    a = args(rest);
  } catch (e) {
    process.stderr.write(`sandbox up: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!a.config) {
    process.stderr.write(
      `sandbox up: --config <file> is required (where to write the backend config fragment)\n${USAGE}`,
    );
    return 2;
  }
  const log = (m: string) => process.stdout.write(`sandbox: ${m}\n`);
  let embedded: EmbeddedS3 | undefined;
  if (a['embedded-s3-port'] !== undefined) {
    embedded = await startEmbeddedS3(Number(a['embedded-s3-port']));
    log(`embedded S3 store (fauxqs, in this process) at ${embedded.endpoint}`);
  }
  let demo: Demo;
  try {
    const s3 = {
      endpoint:
        embedded?.endpoint ?? a['s3-endpoint'] ?? 'http://127.0.0.1:8080',
      bucket: a.bucket ?? 'openbao-backups',
      accessKeyId: process.env.S3_ACCESS_KEY_ID ?? 'test:tester',
      secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? 'testing',
    };
    await ensureBucket(
      s3.endpoint,
      s3.bucket,
      s3.accessKeyId,
      s3.secretAccessKey,
    );
    log(`bucket ${s3.bucket} at ${s3.endpoint}`);
    demo = await startDemo({
      executorCommand: [
        process.execPath,
        resolve(a.executor ?? 'executor/dist/executor.js'),
      ],
      s3,
      configPath: resolve(a.config),
      port: a.port ? Number(a.port) : undefined,
      log,
    });
  } catch (e) {
    // The embedded store's server would keep this process alive after the failure.
    await embedded?.stop();
    throw e;
  }
  log('ready');
  await new Promise<void>(done => {
    const stop = async () => {
      log('stopping');
      await demo.stop();
      await embedded?.stop();
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
