/*
 * OpenBaoClusters and a stand-in executor for integration tests that exercise scheduling and Job
 * handling rather than the snapshot itself (the real executor runs in Reconciler.test.ts).
 */
import {
  KubeApi,
  PodExecutor,
  createSimulatedPodExecutor,
  kubeRequest,
} from '@internal/openbao-backup-sandbox';
import { S3_CREDENTIALS, S3_ENDPOINT } from './sandbox';

export const crsPath = (namespace: string) =>
  `/apis/openbao.org/v1alpha1/namespaces/${namespace}/openbaoclusters`;

/** Creates the `s3` credentials Secret once and a Running OpenBaoCluster per name. */
export async function createBackupClusters(
  kube: KubeApi,
  namespace: string,
  names: string[],
  backup: { schedule: string; bucket: string },
) {
  await kubeRequest(kube, 'POST', `/api/v1/namespaces/${namespace}/secrets`, {
    metadata: { name: 's3' },
    stringData: S3_CREDENTIALS,
  });
  for (const name of names) {
    await kubeRequest(kube, 'POST', crsPath(namespace), {
      apiVersion: 'openbao.org/v1alpha1',
      kind: 'OpenBaoCluster',
      metadata: { name },
      spec: {
        replicas: 3,
        backup: {
          schedule: backup.schedule,
          executorImage: 'openbao-backup-executor:dev',
          jwtAuthRole: 'backup',
          target: {
            endpoint: S3_ENDPOINT,
            bucket: backup.bucket,
            usePathStyle: true,
            credentialsSecretRef: { name: 's3' },
          },
        },
      },
    });
    await kubeRequest(kube, 'PATCH', `${crsPath(namespace)}/${name}/status`, {
      status: { phase: 'Running' },
    });
  }
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
