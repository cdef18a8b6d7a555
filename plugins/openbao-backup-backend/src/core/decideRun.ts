import {
  ANNOTATION_RUN_AT,
  BackupTrigger,
  CONDITION_BACKUP_CONFIG_VALID,
  DEFAULT_STARTING_DEADLINE_SECONDS,
  TRIGGER_BACKUP_ANNOTATION,
  isScheduledTime,
  nextRunAt,
  previousRunAt,
} from '@internal/plugin-openbao-backup-common';
import { isNextSlot } from './isNextSlot';
import { jobNameFor } from './jobNameFor';
import { JobState, jobState } from './jobState';
import { PreflightReason, preflight } from './preflight';
import { JobLike, ObservedCluster, toMillis } from './types';
import { ValidationProblem, validateBackupSpec } from './validateBackupSpec';

/** Options of {@link decideRun}. */
export interface DecideRunOptions {
  /** A missed slot still starts when at most this late; later it is skipped. Default 3600. */
  startingDeadlineSeconds?: number;
  /** The upgrade path asked for a pre-upgrade snapshot of this cluster. */
  preUpgradeRequested?: boolean;
  /**
   * The request's id (the `openbao.org/pre-upgrade-backup` annotation value); implies
   * `preUpgradeRequested` and is recorded as `observedTrigger` like a manual trigger's value.
   */
  preUpgradeValue?: string;
  /** Passed to {@link jobState}. Default 300. */
  podStartTimeoutSeconds?: number;
}

/** Why {@link decideRun} wants `status.backup.nextScheduledBackup` rewritten. */
export type RecordNextReason =
  | 'FirstSighting'
  | 'ScheduleChanged'
  | 'AlreadyAttempted'
  | 'Suspended'
  | 'ConfigValid';

/** What to do for one cluster in this pass. */
export type RunDecision =
  /** No `spec.backup`: nothing to do. */
  | { action: 'ignore'; reason: 'BackupNotConfigured' }
  /**
   * A Job of ours exists that the status does not consider finished: follow it. `adopted` means the
   * status does not name it yet (crash between creating the Job and writing the status).
   * When `state.phase` is not `running`, record the outcome (and delete the Job if `state.deleteJob`).
   */
  | {
      action: 'track';
      jobName: string;
      job?: JobLike;
      state: JobState;
      adopted: boolean;
    }
  /** `spec.backup` is invalid: write `BackupConfigValid=False` with these problems. */
  | { action: 'config-invalid'; problems: ValidationProblem[] }
  /** Write `nextScheduledBackup` (`undefined` clears it, while suspended). */
  | { action: 'record-next'; next: Date | undefined; reason: RecordNextReason }
  /** Nothing to write; the next slot is `until` (absent while suspended or invalid). */
  | { action: 'wait'; until?: Date; reason?: 'Suspended' | 'ConfigInvalid' }
  /** A slot was missed by more than the starting deadline: record it as skipped and move on. */
  | {
      action: 'skip';
      reason: 'MissedStartingDeadline';
      slot: Date;
      next?: Date;
      message: string;
    }
  /**
   * Create the Job `jobName` now (`runAt` = now). `slot` is the cron slot this run covers (also for a
   * manual run that coincides with a due slot), `triggerValue` the annotation value to record as
   * `observedTrigger`, `next` the next slot to record.
   */
  | {
      action: 'start';
      trigger: BackupTrigger;
      runAt: Date;
      jobName: string;
      slot?: Date;
      triggerValue?: string;
      next?: Date;
    }
  /**
   * The pre-flight refused a run. Record the reason (condition + Event). A scheduled slot is retried
   * next pass until its starting deadline; a manual trigger is consumed (`triggerValue` recorded as
   * observed) so a refused trigger does not fire later by surprise.
   */
  | {
      action: 'refuse';
      trigger: BackupTrigger;
      reason: PreflightReason;
      message: string;
      slot?: Date;
      triggerValue?: string;
    };

function iso(ms: number | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(ms);
}

function runAtOf(job: JobLike): number | undefined {
  return (
    toMillis(job.metadata?.annotations?.[ANNOTATION_RUN_AT]) ??
    toMillis(job.metadata?.creationTimestamp)
  );
}

/**
 * The reconciler's decision for one cluster, first match wins:
 *
 * 1. no `spec.backup` → `ignore`.
 * 2. `status.backup.activeJob` set → `track` it (state `failed`/`JobNotFound` if the Job is gone).
 * 3. a Job of ours, not being deleted, that started after `lastAttemptTime` (never recorded) →
 *    `track` with `adopted: true` (never create a twin).
 * 4. the spec is invalid → `refuse` a pending manual/pre-upgrade run with `ConfigInvalid`, else
 *    `config-invalid` (or `wait` when `BackupConfigValid=False` already says exactly that).
 * 5. pre-upgrade requested, or trigger annotation ≠ `observedTrigger` → pre-flight → `start` or
 *    `refuse` (runs even when suspended; covers a due slot too, so no second run follows).
 * 6. suspended → `record-next(undefined)` if a next slot is stored, else `wait`.
 * 7. no stored next → `record-next` (`FirstSighting`); stored next in the future but not the first
 *    slot after max(now, lastAttemptScheduledTime) → `record-next` (`ScheduleChanged`); else `wait`
 *    (`record-next`/`ConfigValid` if `BackupConfigValid` is not yet True).
 * 8. stored next is due: not a slot of the current schedule → `ScheduleChanged`; already attempted
 *    (`lastAttemptScheduledTime ≥ next`, e.g. after the clock jumped back) → `AlreadyAttempted`;
 *    the latest due slot is older than the starting deadline → `skip`; else pre-flight → `start`
 *    (scheduled, for the latest due slot: several missed slots collapse into one run) or `refuse`.
 */
export function decideRun(
  observed: ObservedCluster,
  now: Date,
  options: DecideRunOptions = {},
): RunDecision {
  const { cluster } = observed;
  const backup = cluster.spec?.backup;
  if (!backup) return { action: 'ignore', reason: 'BackupNotConfigured' };
  const status = cluster.status?.backup ?? {};
  const nowMs = now.getTime();
  const name = cluster.metadata.name;

  // 2–3. Jobs first: whatever the spec says now, a running Job is followed to its end. Their ages
  // are measured on the API server's clock, which wrote their timestamps (backend clock skew).
  const stateOf = (job: JobLike) =>
    jobState(
      job,
      observed.pods?.[job.metadata?.name ?? ''],
      observed.serverTime ?? now,
      {
        podStartTimeoutSeconds: options.podStartTimeoutSeconds,
      },
    );
  if (status.activeJob) {
    const job = observed.jobs.find(j => j.metadata?.name === status.activeJob);
    return {
      action: 'track',
      jobName: status.activeJob,
      job,
      adopted: false,
      state: job
        ? stateOf(job)
        : {
            phase: 'failed',
            reason: 'JobNotFound',
            message: `Job "${status.activeJob}" disappeared before its result was recorded`,
          },
    };
  }
  const lastAttempt = toMillis(status.lastAttemptTime);
  const unrecorded = observed.jobs
    .filter(j => {
      // Only runs the status has not recorded: a Job being deleted, or one whose outcome was
      // already written (run-at ≤ lastAttemptTime, e.g. a PodStartFailed Job still terminating),
      // is never adopted twice. An active one still blocks new runs through the pre-flight.
      if (j.metadata?.deletionTimestamp) return false;
      const at = runAtOf(j);
      return (
        lastAttempt === undefined || (at !== undefined && at > lastAttempt)
      );
    })
    .sort((a, b) => (runAtOf(b) ?? 0) - (runAtOf(a) ?? 0))[0];
  if (unrecorded?.metadata?.name) {
    return {
      action: 'track',
      jobName: unrecorded.metadata.name,
      job: unrecorded,
      adopted: true,
      state: stateOf(unrecorded),
    };
  }

  // 4. Configuration.
  const annotation =
    cluster.metadata.annotations?.[TRIGGER_BACKUP_ANNOTATION]?.trim();
  const manualValue =
    annotation && annotation !== status.observedTrigger
      ? annotation
      : undefined;
  let requested: BackupTrigger | undefined;
  let requestedValue: string | undefined;
  if (options.preUpgradeRequested || options.preUpgradeValue) {
    requested = 'pre-upgrade';
    requestedValue = options.preUpgradeValue;
  } else if (manualValue) {
    requested = 'manual';
    requestedValue = manualValue;
  }
  const problems = validateBackupSpec(cluster, observed.secrets);
  const configCondition = cluster.status?.conditions?.find(
    c => c.type === CONDITION_BACKUP_CONFIG_VALID,
  );
  if (problems.length) {
    const message = problems.map(p => `${p.field}: ${p.message}`).join('; ');
    if (requested) {
      return {
        action: 'refuse',
        trigger: requested,
        reason: 'ConfigInvalid',
        message,
        ...(requestedValue !== undefined
          ? { triggerValue: requestedValue }
          : {}),
      };
    }
    if (
      configCondition?.status === 'False' &&
      configCondition.message === message
    ) {
      return { action: 'wait', reason: 'ConfigInvalid' };
    }
    return { action: 'config-invalid', problems };
  }

  // Slot bookkeeping, from the current spec.
  const { schedule, timeZone } = backup;
  const storedNext = toMillis(status.nextScheduledBackup);
  const lastSlot = toMillis(status.lastAttemptScheduledTime);
  const base = new Date(Math.max(nowMs, lastSlot ?? -Infinity));
  // Computed lazily: `now` changes every pass, so this one is never memoised (see the wait path).
  const expectedNext = () => nextRunAt(schedule, timeZone, base);
  const dueSlot =
    !backup.suspend &&
    storedNext !== undefined &&
    storedNext <= nowMs &&
    isScheduledTime(schedule, timeZone, new Date(storedNext)) &&
    (lastSlot === undefined || lastSlot < storedNext)
      ? previousRunAt(schedule, timeZone, now)
      : undefined;
  const withinDeadline =
    dueSlot !== undefined &&
    nowMs - dueSlot.getTime() <=
      (options.startingDeadlineSeconds ?? DEFAULT_STARTING_DEADLINE_SECONDS) *
        1000;

  // 5. Requested runs (pre-upgrade, manual) — also while suspended.
  const start = (
    trigger: BackupTrigger,
    slot?: Date,
    triggerValue?: string,
  ): RunDecision => {
    const verdict = preflight(observed, { trigger });
    if (!verdict.ok) {
      return {
        action: 'refuse',
        trigger,
        reason: verdict.reason,
        message: verdict.message,
        ...(slot ? { slot } : {}),
        ...(triggerValue !== undefined ? { triggerValue } : {}),
      };
    }
    const next = backup.suspend
      ? undefined
      : nextRunAt(
          schedule,
          timeZone,
          new Date(
            Math.max(
              nowMs,
              slot?.getTime() ?? -Infinity,
              lastSlot ?? -Infinity,
            ),
          ),
        );
    return {
      action: 'start',
      trigger,
      runAt: now,
      jobName: jobNameFor(name, now),
      ...(slot ? { slot } : {}),
      ...(triggerValue !== undefined ? { triggerValue } : {}),
      ...(next ? { next } : {}),
    };
  };
  if (requested) {
    return start(
      requested,
      withinDeadline ? dueSlot : undefined,
      requestedValue,
    );
  }

  // 6. Suspended.
  if (backup.suspend) {
    return storedNext !== undefined
      ? { action: 'record-next', next: undefined, reason: 'Suspended' }
      : { action: 'wait', reason: 'Suspended' };
  }

  // 7. Nothing stored, or a future slot.
  if (storedNext === undefined) {
    return {
      action: 'record-next',
      next: expectedNext(),
      reason: 'FirstSighting',
    };
  }
  if (storedNext > nowMs) {
    const stored = new Date(storedNext);
    if (!isNextSlot(schedule, timeZone, storedNext, base.getTime())) {
      return {
        action: 'record-next',
        next: expectedNext(),
        reason: 'ScheduleChanged',
      };
    }
    if (configCondition?.status !== 'True') {
      return { action: 'record-next', next: stored, reason: 'ConfigValid' };
    }
    return { action: 'wait', until: iso(storedNext) };
  }

  // 8. The stored slot is due.
  if (!isScheduledTime(schedule, timeZone, new Date(storedNext))) {
    return {
      action: 'record-next',
      next: expectedNext(),
      reason: 'ScheduleChanged',
    };
  }
  if (lastSlot !== undefined && lastSlot >= storedNext) {
    return {
      action: 'record-next',
      next: expectedNext(),
      reason: 'AlreadyAttempted',
    };
  }
  if (!dueSlot) {
    // previousRunAt cannot miss a slot that isScheduledTime accepted; kept for type safety.
    return {
      action: 'record-next',
      next: expectedNext(),
      reason: 'ScheduleChanged',
    };
  }
  if (!withinDeadline) {
    const deadline =
      options.startingDeadlineSeconds ?? DEFAULT_STARTING_DEADLINE_SECONDS;
    return {
      action: 'skip',
      reason: 'MissedStartingDeadline',
      slot: dueSlot,
      next: nextRunAt(schedule, timeZone, now),
      message: `slot ${dueSlot.toISOString()} was missed by ${Math.round(
        (nowMs - dueSlot.getTime()) / 1000,
      )} s, more than the starting deadline of ${deadline} s${
        storedNext < dueSlot.getTime()
          ? ` (missed slots since ${new Date(
              storedNext,
            ).toISOString()} collapsed into it)`
          : ''
      }`,
    };
  }
  return start('scheduled', dueSlot);
}
