import { dirname } from 'node:path';
import { validateWithKubernetesModels } from '@internal/openbao-backup-sandbox/src/chart/kubernetesModels';
import { makeCluster } from './__fixtures__/builders';
import { buildBackupJob } from './buildBackupJob';

// The Job the reconciler creates must be a valid batch/v1 Job for the real API server's schema.
describe('buildBackupJob output against the Kubernetes OpenAPI schema (kubernetes-models)', () => {
  const sandboxDir = dirname(
    require.resolve('@internal/openbao-backup-sandbox/package.json'),
  );
  const runAt = new Date('2026-11-25T02:00:15Z');
  const key = 'backups/vault/prod/2026-11-25T02-00-15Z-0badcafe.snap';

  it.each([
    ['JWT auth, static credentials', {}],
    [
      'token auth',
      {
        spec: {
          backup: { jwtAuthRole: null, tokenSecretRef: { name: 'bao-token' } },
        },
      },
    ],
    [
      'web identity (roleArn)',
      {
        spec: {
          backup: {
            target: {
              credentialsSecretRef: null,
              roleArn: 'arn:aws:iam::1:role/backup',
            },
          },
        },
      },
    ],
  ])('%s', (_name, patch) => {
    const job = buildBackupJob(
      makeCluster(patch as any),
      {},
      runAt,
      'scheduled',
      key,
    );
    expect(validateWithKubernetesModels([job], sandboxDir)).toEqual([]);
  });

  it('catches an invalid Job (the check can fail)', () => {
    const job: any = buildBackupJob(makeCluster(), {}, runAt, 'scheduled', key);
    job.spec.template.spec.containers[0].resources.limits = 'lots';
    expect(validateWithKubernetesModels([job], sandboxDir)).toHaveLength(1);
  });
});
