import { expectedIntervalSeconds, parseSchedule } from './schedule';
import { BackupSpec, OpenBaoClusterStatus } from './types';

/** The backup health of one cluster, as the fleet page and notifications show it. */
export type ClusterHealth =
  | 'ok'
  | 'stale'
  | 'failing'
  | 'never'
  | 'suspended'
  | 'unknown';

/** Thresholds of {@link clusterHealth}. Every field is optional; defaults are documented per field. */
export interface ClusterHealthOptions {
  /** `failing` needs at least this many consecutive failed runs. Default 1. */
  failureThreshold?: number;
  /** `stale` when the last success is older than interval × staleFactor + graceSeconds. Default 1. */
  staleFactor?: number;
  /** Extra slack on top of the interval before `stale`. Default 3600 (one run's default deadline). */
  graceSeconds?: number;
  /** Set when the cluster could not be read (API server down …): the health is `unknown`. */
  unreachable?: boolean;
}

/** {@link explainClusterHealth}'s answer: the health, why, and the numbers behind it. */
export interface ClusterHealthVerdict {
  health: ClusterHealth;
  /** A sentence for tooltips and notifications. */
  reason: string;
  /**
   * Gap from the slot of the last success to the following slot (or, before any success, the gap
   * before the stored next slot); absent when unknown.
   */
  expectedIntervalSeconds?: number;
  /** When the cluster turns (or turned) `stale` if no new backup succeeds. */
  staleAt?: Date;
}

export const DEFAULT_HEALTH_FAILURE_THRESHOLD = 1;
export const DEFAULT_HEALTH_STALE_FACTOR = 1;
export const DEFAULT_HEALTH_GRACE_SECONDS = 3600;

function time(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Decides a cluster's health, first match wins:
 *
 * 1. `unknown` — `options.unreachable`, or no `spec.backup`.
 * 2. `failing` — `consecutiveFailures ≥ failureThreshold` (default 1) and the last attempt is newer
 *    than the last success (or there is no success).
 * 3. `suspended` — `spec.backup.suspend` is true.
 * 4. `never` — no successful backup yet (`lastBackupTime` unset).
 * 5. `unknown` — the schedule or time zone is invalid, so no interval is known.
 * 6. `stale` — `now − lastBackupTime > interval × staleFactor + graceSeconds` (defaults 1 and 3600 s),
 *    where interval is {@link expectedIntervalSeconds} around the last success: the gap from its
 *    slot to the one after, so a weekday schedule's Friday backup lasts until Monday's slot.
 * 7. `ok`.
 */
export function explainClusterHealth(
  status: OpenBaoClusterStatus | undefined,
  backup: Pick<BackupSpec, 'schedule' | 'timeZone' | 'suspend'> | undefined,
  now: Date,
  options: ClusterHealthOptions = {},
): ClusterHealthVerdict {
  const failureThreshold =
    options.failureThreshold ?? DEFAULT_HEALTH_FAILURE_THRESHOLD;
  const staleFactor = options.staleFactor ?? DEFAULT_HEALTH_STALE_FACTOR;
  const graceSeconds = options.graceSeconds ?? DEFAULT_HEALTH_GRACE_SECONDS;
  if (options.unreachable) {
    return { health: 'unknown', reason: 'the cluster could not be read' };
  }
  if (!backup) {
    return { health: 'unknown', reason: 'spec.backup is not set' };
  }
  const s = status?.backup ?? {};
  const lastSuccess = time(s.lastBackupTime);
  const lastAttempt = time(s.lastAttemptTime);
  const failures = s.consecutiveFailures ?? 0;
  const scheduleValid = parseSchedule(backup.schedule, backup.timeZone).ok;
  // The interval after the last success; without one, the interval before the stored next slot.
  // Both inputs are stable from pass to pass, so the schedule module's memo answers quickly.
  const storedNext = time(s.nextScheduledBackup);
  let reference: Date | undefined;
  if (lastSuccess !== undefined) reference = new Date(lastSuccess);
  else if (storedNext !== undefined) reference = new Date(storedNext - 1);
  const interval =
    scheduleValid && reference
      ? expectedIntervalSeconds(backup.schedule, backup.timeZone, reference)
      : undefined;
  const base =
    interval === undefined ? {} : { expectedIntervalSeconds: interval };

  if (
    failures >= Math.max(1, failureThreshold) &&
    (lastSuccess === undefined ||
      (lastAttempt !== undefined && lastAttempt > lastSuccess))
  ) {
    return {
      ...base,
      health: 'failing',
      reason: `${failures} consecutive failed run${failures === 1 ? '' : 's'}${
        s.lastFailureReason ? `: ${s.lastFailureReason}` : ''
      }`,
    };
  }
  if (backup.suspend) {
    return {
      ...base,
      health: 'suspended',
      reason: 'scheduled backups are suspended',
    };
  }
  if (lastSuccess === undefined) {
    return { ...base, health: 'never', reason: 'no successful backup yet' };
  }
  if (interval === undefined) {
    return {
      health: 'unknown',
      reason: 'the schedule or time zone is invalid',
    };
  }
  const staleAt = new Date(
    lastSuccess + (interval * staleFactor + graceSeconds) * 1000,
  );
  if (now.getTime() > staleAt.getTime()) {
    return {
      expectedIntervalSeconds: interval,
      staleAt,
      health: 'stale',
      reason: `last success ${Math.round(
        (now.getTime() - lastSuccess) / 1000,
      )} s ago, more than ${
        interval * staleFactor + graceSeconds
      } s (interval ${interval} s × ${staleFactor} + ${graceSeconds} s grace)`,
    };
  }
  return {
    expectedIntervalSeconds: interval,
    staleAt,
    health: 'ok',
    reason: 'last backup is recent',
  };
}

/** Just the health word of {@link explainClusterHealth}. */
export function clusterHealth(
  status: OpenBaoClusterStatus | undefined,
  backup: Pick<BackupSpec, 'schedule' | 'timeZone' | 'suspend'> | undefined,
  now: Date,
  options: ClusterHealthOptions = {},
): ClusterHealth {
  return explainClusterHealth(status, backup, now, options).health;
}
