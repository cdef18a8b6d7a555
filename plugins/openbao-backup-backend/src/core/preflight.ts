import {
  BackupTrigger,
  CONDITION_BACKING_UP,
  PreflightReason,
  statusRefusal,
} from '@internal/plugin-openbao-backup-common';
import { ObservedCluster, JobLike } from './types';
import { validateBackupSpec } from './validateBackupSpec';

/** Stable reasons of a refused pre-flight; they become condition and Event reasons. */
export type { PreflightReason };

export type PreflightVerdict =
  | { ok: true }
  | { ok: false; reason: PreflightReason; message: string };

/** True while a Job has neither completed nor failed. */
export function isJobActive(job: JobLike): boolean {
  const done = job.status?.conditions?.some(
    c => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  return (
    !done &&
    (job.status?.succeeded ?? 0) === 0 &&
    (job.status?.failed ?? 0) === 0
  );
}

/**
 * May a backup start now? Checks, in order (first failure wins):
 * `spec.backup` set (`BackupNotConfigured`), `status.phase` Running (`ClusterNotRunning`),
 * `status.upgrade` nil (`UpgradeInProgress`; not checked for pre-upgrade runs, which the upgrade path
 * asks for), no OpenBaoRestore of this cluster in a phase other than Completed/Failed
 * (`RestoreInProgress`), no active backup Job of this cluster (`BackupInProgress`), exactly one of
 * jwtAuthRole/tokenSecretRef (`AuthNotConfigured`), then {@link validateBackupSpec}
 * (`ConfigInvalid`, every problem in the message).
 */
export function preflight(
  observed: ObservedCluster,
  options: { trigger?: BackupTrigger } = {},
): PreflightVerdict {
  const { cluster } = observed;
  const backup = cluster.spec?.backup;
  if (!backup) {
    return {
      ok: false,
      reason: 'BackupNotConfigured',
      message: 'spec.backup is not set',
    };
  }
  const fromStatus = statusRefusal(cluster.status, {
    upgradeAllowed: options.trigger === 'pre-upgrade',
  });
  if (fromStatus) return { ok: false, ...fromStatus };
  const restore = observed.restores.find(
    r =>
      r.spec?.cluster === cluster.metadata.name &&
      (r.metadata?.namespace ?? cluster.metadata.namespace) ===
        cluster.metadata.namespace &&
      r.status?.phase !== 'Completed' &&
      r.status?.phase !== 'Failed',
  );
  if (restore) {
    return {
      ok: false,
      reason: 'RestoreInProgress',
      message: `OpenBaoRestore "${restore.metadata.name}" is ${
        restore.status?.phase ?? 'pending'
      }`,
    };
  }
  const active = observed.jobs.find(isJobActive);
  const backingUp = cluster.status?.conditions?.find(
    c => c.type === CONDITION_BACKING_UP,
  );
  const activeName = cluster.status?.backup?.activeJob;
  if (
    active ||
    (backingUp?.status === 'True' &&
      activeName &&
      observed.jobs.some(
        j => j.metadata?.name === activeName && isJobActive(j),
      ))
  ) {
    return {
      ok: false,
      reason: 'BackupInProgress',
      message: `backup Job "${
        active?.metadata?.name ?? activeName
      }" is still running`,
    };
  }
  const hasJwt = !!backup.jwtAuthRole;
  const hasToken = !!backup.tokenSecretRef?.name;
  if (hasJwt === hasToken) {
    return {
      ok: false,
      reason: 'AuthNotConfigured',
      message: hasJwt
        ? 'both jwtAuthRole and tokenSecretRef are set: keep one'
        : 'neither jwtAuthRole nor tokenSecretRef is set',
    };
  }
  const problems = validateBackupSpec(cluster, observed.secrets);
  if (problems.length) {
    return {
      ok: false,
      reason: 'ConfigInvalid',
      message: problems.map(p => `${p.field}: ${p.message}`).join('; '),
    };
  }
  return { ok: true };
}
