/*
 * OpenBaoClusters for integration tests: backed up by the sandbox's real executor
 * (`seedBackupCluster`), or by a stand-in executor for tests that exercise scheduling and Job
 * handling rather than the snapshot itself (`createBackupClusters`, `executorDouble`).
 */
import {
  KubeApi,
  PodExecutor,
  createSimulatedPodExecutor,
  kubeRequest,
  startKubeApi,
} from '@internal/openbao-backup-sandbox';
import { BACKUP_ADDRESSES_ANNOTATION } from '@internal/plugin-openbao-backup-common';
import { S3_CREDENTIALS, S3_ENDPOINT, Sandbox } from './sandbox';

export const crsPath = (namespace: string) =>
  `/apis/openbao.org/v1alpha1/namespaces/${namespace}/openbaoclusters`;

type KubeRequest = (
  method: string,
  path: string,
  body?: object,
) => Promise<any>;

export interface BackupClusterOptions {
  name: string;
  /** Bucket on the shared S3, read with the `s3` credentials Secret. */
  bucket: string;
  annotations?: Record<string, string>;
  /** Merged into `spec.backup`; its `target` is merged into the target. */
  backup?: Record<string, unknown>;
  /** Merged into `spec` (e.g. `imageVerification`). */
  spec?: Record<string, unknown>;
}

/**
 * An OpenBaoCluster backed up by the dev executor image with JWT role `backup` into `bucket`
 * (parts of 5 MiB, the S3 minimum, to keep the executor small). The default schedule is far
 * away: only the runs a test asks for happen.
 */
export function backupClusterManifest(o: BackupClusterOptions) {
  const { target, ...backup } = (o.backup ?? {}) as { target?: object };
  return {
    apiVersion: 'openbao.org/v1alpha1',
    kind: 'OpenBaoCluster',
    metadata: {
      name: o.name,
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    spec: {
      replicas: 3,
      backup: {
        schedule: '0 0 1 1 *',
        executorImage: 'openbao-backup-executor:dev',
        jwtAuthRole: 'backup',
        ...backup,
        target: {
          endpoint: S3_ENDPOINT,
          bucket: o.bucket,
          usePathStyle: true,
          credentialsSecretRef: { name: 's3' },
          partSize: 5 * 1024 * 1024,
          ...target,
        },
      },
      ...o.spec,
    },
  };
}

/**
 * Creates the cluster and reports it Running (plus `status`), as the OpenBao operator would;
 * returns its path.
 */
export async function createRunningCluster(
  request: KubeRequest,
  namespace: string,
  manifest: { metadata: { name: string }; spec?: unknown },
  status: object = {},
) {
  await request('POST', crsPath(namespace), manifest);
  const path = `${crsPath(namespace)}/${manifest.metadata.name}`;
  await request('PATCH', `${path}/status`, {
    status: { phase: 'Running', ...status },
  });
  return path;
}

/** An S3 endpoint nothing listens on (the discard port): for tests that never reach S3. */
export const UNREACHABLE_S3 = 'http://127.0.0.1:9';

/**
 * Creates the `s3` credentials Secret and, per cluster name, the `<name>-tls` Secret with the CA
 * of the sandbox's OpenBao.
 */
export async function seedBackupSecrets(
  sandbox: Sandbox,
  namespace: string,
  clusterNames: string[],
) {
  const secrets: Record<string, object> = { s3: S3_CREDENTIALS };
  for (const name of clusterNames)
    secrets[`${name}-tls`] = { 'ca.crt': sandbox.bao.caCertPem };
  for (const [name, stringData] of Object.entries(secrets))
    await sandbox.request('POST', `/api/v1/namespaces/${namespace}/secrets`, {
      metadata: { name },
      stringData,
    });
}

/**
 * A Running OpenBaoCluster whose backups the sandbox runs with the real executor against the
 * sandbox's OpenBao (its pods' addresses in the backup-addresses annotation); `secrets: false`
 * when the test created the Secrets already. Returns the cluster's path.
 */
export async function seedBackupCluster(
  sandbox: Sandbox,
  namespace: string,
  o: BackupClusterOptions & { secrets?: boolean },
) {
  if (o.secrets !== false)
    await seedBackupSecrets(sandbox, namespace, [o.name]);
  return createRunningCluster(
    sandbox.request,
    namespace,
    backupClusterManifest({
      ...o,
      annotations: {
        [BACKUP_ADDRESSES_ANNOTATION]: sandbox.bao.addresses.join(','),
        ...o.annotations,
      },
    }),
  );
}

/** Creates the `s3` credentials Secret once and a Running OpenBaoCluster per name. */
export async function createBackupClusters(
  kube: KubeApi,
  namespace: string,
  names: string[],
  backup: { schedule: string; bucket: string },
) {
  const request: KubeRequest = (method, path, body) =>
    kubeRequest(kube, method, path, body);
  await request('POST', `/api/v1/namespaces/${namespace}/secrets`, {
    metadata: { name: 's3' },
    stringData: S3_CREDENTIALS,
  });
  for (const name of names)
    await createRunningCluster(
      request,
      namespace,
      backupClusterManifest({
        name,
        bucket: backup.bucket,
        backup: { schedule: backup.schedule },
      }),
    );
}

/**
 * A container that runs `jobMs` and ends like a successful executor: exit 0 and its JSON result
 * line as termination message (key from the Job's BACKUP_KEY). `onStart` sees every Pod started.
 */
export function executorDouble(
  jobMs: number,
  onStart?: (pod: any) => void,
): PodExecutor {
  return createSimulatedPodExecutor(pod => {
    onStart?.(pod);
    const env: Array<{ name: string; value?: string }> =
      pod.spec?.containers?.[0]?.env ?? [];
    return {
      durationMs: jobMs,
      message: JSON.stringify({
        ok: true,
        stage: 'report',
        key: env.find(e => e.name === 'BACKUP_KEY')?.value,
        size: 1024,
        durationSeconds: jobMs / 1000,
        sha256: '0'.repeat(64),
        raftIndex: 1,
        raftTerm: 1,
      }),
    };
  });
}

/** A Kubernetes API double whose Pods end like a successful executor after `jobMs`. */
export const startSimulatedKube = (namespace: string, jobMs: number) =>
  startKubeApi({ namespaces: [namespace], podExecutor: executorDouble(jobMs) });
