/*
 * Test wiring of the real parts: the Kubernetes API double whose Job runner executes the real
 * executor bundle, an OpenBao double, and the real S3 server (scripts/s3-swift.sh).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  OpenBaoClusterOptions,
  PodExecution,
  StartKubeApiOptions,
  createJobRunner,
  kubeRequest,
  startKubeApi,
  startOpenBaoCluster,
} from '@internal/openbao-backup-sandbox';
import { mockServices } from '@backstage/backend-test-utils';
import { ClientNodeKubeGateway } from '../adapters/ClientNodeKubeGateway';
import { objectStoreFor } from '../adapters/objectStoreFor';
import { Reconciler, ReconcilerOptions } from '../reconcile/Reconciler';

export const S3_ENDPOINT =
  process.env.S3_TEST_ENDPOINT ?? 'http://127.0.0.1:8080';
export const S3_CREDENTIALS = {
  accessKeyId: 'test:tester',
  secretAccessKey: 'testing',
};
const REPO = join(__dirname, '../../../..');
const EXECUTOR = join(REPO, 'executor/dist/executor.js');

export function s3Client() {
  return new S3Client({
    endpoint: S3_ENDPOINT,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function createBucket(bucket: string) {
  try {
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    throw new Error(
      `No S3 server at ${S3_ENDPOINT} (${e}). Start one with: bash scripts/s3-swift.sh install && bash scripts/s3-swift.sh start`,
    );
  }
}

/** Creates a bucket of its own for a test (`<prefix>-<random>`) and returns its name. */
export async function createTestBucket(prefix: string) {
  const bucket = `${prefix}-${randomBytes(4).toString('hex')}`;
  await createBucket(bucket);
  return bucket;
}

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

/** What the fault suite changes in the sandbox. */
export interface SandboxOptions {
  /** Merged into the OpenBao double's options (snapshot size, faults). */
  bao?: Partial<OpenBaoClusterOptions>;
  kubelet?: StartKubeApiOptions['kubelet'];
  /** Extra env of every executor container (e.g. a short OPENBAO_IDLE_TIMEOUT_SECONDS). */
  executorEnv?: Record<string, string>;
  /** Told about every executor container started (to kill it). */
  onContainerStarted?: (podName: string, execution: PodExecution) => void;
  /** RBAC-checked users of the Kubernetes API (the gateway keeps the admin token). */
  kube?: Pick<StartKubeApiOptions, 'users' | 'onAuthorize'>;
}

/** Starts OpenBao (3 pods, TLS, leader not first) + Kubernetes API (TLS) whose Pods run the executor. */
export async function startSandbox(
  namespace: string,
  options: SandboxOptions = {},
) {
  if (!existsSync(EXECUTOR)) {
    execFileSync(process.execPath, [join(REPO, 'executor/scripts/build.mjs')], {
      stdio: 'ignore',
    });
  }
  const bao = await startOpenBaoCluster({
    pods: 3,
    leaderIndex: 1,
    tls: true,
    jwtRoles: [
      { name: 'backup', boundServiceAccounts: [`${namespace}/bao-backup`] },
    ],
    snapshot: { stateSize: 2 * 1024 * 1024 },
    ...options.bao,
  });
  const runner = createJobRunner({
    images: { 'openbao-backup-executor': [process.execPath, EXECUTOR] },
    issueServiceAccountToken: r =>
      bao.issueJwt({
        namespace: r.namespace,
        serviceAccount: r.serviceAccount,
        audience: r.audience,
      }),
    extraEnv: options.executorEnv,
  });
  const kube = await startKubeApi({
    tls: true,
    namespaces: [namespace],
    kubelet: options.kubelet,
    ...options.kube,
    podExecutor: {
      async start(pod, context) {
        const started = await runner.start(pod, context);
        if (started.state === 'running')
          options.onContainerStarted?.(pod.metadata.name!, started.execution);
        return started;
      },
    },
  });
  const gateway = ClientNodeKubeGateway.create({
    name: 'sandbox',
    url: kube.url,
    caData: kube.caData,
    serviceAccountToken: kube.token,
    skipTLSVerify: false,
    authProvider: 'serviceAccount',
  });
  return {
    bao,
    kube,
    runner,
    gateway,
    request: (method: string, path: string, body?: object) =>
      kubeRequest(kube, method, path, body),
    async stop() {
      await runner.stopAll();
      await kube.stop();
      await bao.stop();
    },
  };
}

/**
 * A Reconciler on the sandbox's gateway, storing through the real S3 store, with a pod start
 * timeout generous for a loaded machine, and address override on: the sandbox's OpenBao pods
 * listen on loopback ports the address template cannot express. `options` win.
 */
export function sandboxReconciler(
  sandbox: Pick<Sandbox, 'gateway'>,
  options: Partial<ReconcilerOptions> = {},
) {
  return Reconciler.create({
    gateways: [sandbox.gateway],
    openStore: objectStoreFor,
    logger: mockServices.logger.mock(),
    podStartTimeoutSeconds: 600,
    jobSettings: { allowAddressOverride: true },
    ...options,
  });
}
