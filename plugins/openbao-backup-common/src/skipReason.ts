import { CONDITION_BACKING_UP } from './constants';
import { BackupSpec, OpenBaoClusterStatus } from './types';

/**
 * Stable reasons of a refused pre-flight (docs/contract.md §3); the reconciler records them on the
 * `BackingUp` condition at each refused slot. `BackupInProgress` is never recorded as a refusal.
 */
export const PREFLIGHT_REASONS = [
  'BackupNotConfigured',
  'ClusterNotRunning',
  'UpgradeInProgress',
  'RestoreInProgress',
  'BackupInProgress',
  'AuthNotConfigured',
  'ConfigInvalid',
  /** Set by the reconciler, not by `preflight`: `Block` and the executor image failed verification. */
  'ExecutorImageVerificationFailed',
] as const;

export type PreflightReason = (typeof PREFLIGHT_REASONS)[number];

/** Why scheduled backups of a cluster are being skipped, as the fleet list shows it. */
export interface SkipReason {
  reason: PreflightReason;
  message: string;
}

/**
 * The pre-flight refusals the cluster's status alone decides, first match wins: `status.phase` not
 * Running (`ClusterNotRunning`), then `status.upgrade` set (`UpgradeInProgress`, unless
 * `upgradeAllowed`: the pre-upgrade run the upgrade asks for).
 */
export function statusRefusal(
  status: OpenBaoClusterStatus | undefined,
  options: { upgradeAllowed?: boolean } = {},
): SkipReason | undefined {
  if (status?.phase !== 'Running') {
    return {
      reason: 'ClusterNotRunning',
      message: `cluster phase is ${status?.phase ?? 'unset'}, not Running`,
    };
  }
  if (!options.upgradeAllowed && status.upgrade) {
    return {
      reason: 'UpgradeInProgress',
      message: 'an upgrade is in progress (status.upgrade is set)',
    };
  }
  return undefined;
}

/** Reasons whose current truth the cluster's own status tells, so an old record of them is dropped. */
const READ_FROM_STATUS: ReadonlySet<string> = new Set([
  'ClusterNotRunning',
  'UpgradeInProgress',
]);

/**
 * Why backups of this cluster are skipped now, from the cluster object alone (no Jobs, Secrets or
 * restores read, so the fleet list stays one LIST per Kubernetes cluster). First match wins:
 *
 * 1. nothing — no `spec.backup` (the health says so) or a backup is running (`BackingUp` True);
 * 2. `ClusterNotRunning` — `status.phase` is not Running;
 * 3. `UpgradeInProgress` — `status.upgrade` is set;
 * 4. the refusal recorded on `BackingUp` (False, a pre-flight reason) at the last refused slot —
 *    unless it is one of the two above, which no longer holds.
 *
 * No time is given: `lastTransitionTime` is kept while `BackingUp` stays False, so it may be the
 * end of the last run rather than the refusal. A recorded `RestoreInProgress`, `ExecutorImageVerificationFailed`, `AuthNotConfigured` or
 * `ConfigInvalid` stays until the next run starts: the cluster object cannot tell it has cleared.
 */
export function skipReasonFor(
  status: OpenBaoClusterStatus | undefined,
  backup: Partial<BackupSpec> | undefined,
): SkipReason | undefined {
  if (!backup) return undefined;
  const backingUp = status?.conditions?.find(
    c => c.type === CONDITION_BACKING_UP,
  );
  if (backingUp?.status === 'True' || status?.backup?.activeJob) {
    return undefined;
  }
  const fromStatus = statusRefusal(status);
  if (fromStatus) return fromStatus;
  const recorded = backingUp?.reason as PreflightReason | undefined;
  if (
    backingUp?.status === 'False' &&
    recorded &&
    PREFLIGHT_REASONS.includes(recorded) &&
    recorded !== 'BackupInProgress' &&
    !READ_FROM_STATUS.has(recorded)
  ) {
    return {
      reason: recorded,
      message: backingUp.message ?? recorded,
    };
  }
  return undefined;
}
