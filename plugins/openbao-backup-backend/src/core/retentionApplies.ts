import {
  OpenBaoCluster,
  tryParseDuration,
} from '@internal/plugin-openbao-backup-common';

export type RetentionApplicability =
  | { applies: true }
  | { applies: false; reason: string };

/**
 * Whether the backend runs retention for a cluster: not without `spec.backup`, not with
 * `target.roleArn` ("bucket lifecycle owns retention": web identity clusters leave deletion to the
 * bucket's lifecycle rules), and not without a retention policy (neither maxCount nor maxAge).
 */
export function retentionApplies(
  cluster: OpenBaoCluster,
): RetentionApplicability {
  const backup = cluster.spec?.backup;
  if (!backup) return { applies: false, reason: 'backup not configured' };
  if (backup.target?.roleArn)
    return { applies: false, reason: 'bucket lifecycle owns retention' };
  const retention = backup.retention;
  if (
    !retention ||
    (retention.maxCount === undefined && retention.maxAge === undefined)
  ) {
    return {
      applies: false,
      reason:
        'no retention policy (set retention.maxCount or retention.maxAge)',
    };
  }
  // A bad rule must never delete: `maxCount: -1` would otherwise keep only the newest snapshot.
  const { maxCount, maxAge } = retention;
  if (
    maxCount !== undefined &&
    !(Number.isInteger(maxCount) && (maxCount as number) >= 1)
  ) {
    return {
      applies: false,
      reason: `retention.maxCount ${JSON.stringify(
        maxCount,
      )} is not an integer ≥ 1`,
    };
  }
  if (maxAge !== undefined) {
    const age = tryParseDuration(maxAge);
    if (!age.ok || age.ms <= 0)
      return {
        applies: false,
        reason: `retention.maxAge ${JSON.stringify(
          maxAge,
        )} is not a positive duration`,
      };
  }
  return { applies: true };
}
