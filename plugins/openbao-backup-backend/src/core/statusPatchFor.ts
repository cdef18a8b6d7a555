import {
  ANNOTATION_BACKUP_KEY,
  ANNOTATION_RUN_AT,
  ANNOTATION_SCHEDULED_TIME,
  ANNOTATION_TRIGGER_VALUE,
  BackupStatus,
  BackupTrigger,
  CONDITION_BACKING_UP,
  CONDITION_BACKUP_CONFIG_VALID,
  CONDITION_EXECUTOR_IMAGE_VERIFIED,
  Condition,
  ExecutorResult,
  OpenBaoCluster,
  REASON_IMAGE_VERIFICATION_FAILED,
} from '@internal/plugin-openbao-backup-common';
import { JobLike, toMillis } from './types';
import { ValidationProblem } from './validateBackupSpec';

/** Something that happened to a cluster's backups, to be written to its status. */
export type RunOutcome =
  /** The Job was created (write after a successful create, or on adoption). */
  | {
      type: 'job-started';
      jobName: string;
      trigger: BackupTrigger;
      runAt: Date;
      slot?: Date;
      triggerValue?: string;
      next?: Date;
      /** The run's object key (recorded as `activeJobKey`). */
      key?: string;
      /** With image verification: the pinned digest, or (policy `Warn`) why the tag runs unverified. */
      imageVerification?: { digest: string } | { warning: string };
    }
  /** The Job completed; `result` is the executor's JSON line (from the termination message). */
  | {
      type: 'job-succeeded';
      jobName?: string;
      job?: JobLike;
      result?: ExecutorResult;
      completedAt?: Date;
      startedAt?: Date;
    }
  /** The Job failed (`reason`/`message` from `jobState`). */
  | {
      type: 'job-failed';
      jobName?: string;
      job?: JobLike;
      reason: string;
      message: string;
    }
  /** The pre-flight refused a run; a manual trigger's value is recorded as observed. */
  | {
      type: 'preflight-failed';
      trigger: BackupTrigger;
      reason: string;
      message: string;
      triggerValue?: string;
    }
  | { type: 'config-invalid'; problems: ValidationProblem[] }
  /** A new `nextScheduledBackup` (`undefined` clears it, e.g. while suspended). */
  | { type: 'next-scheduled'; next: Date | undefined }
  /** A slot missed by more than the starting deadline. */
  | {
      type: 'slot-skipped';
      slot: Date;
      reason: string;
      message: string;
      next?: Date;
    };

/** `status.backup` fields as a merge patch: `null` deletes a field. */
export type BackupStatusPatch = {
  [K in keyof BackupStatus]?: BackupStatus[K] | null;
};

/**
 * A JSON merge patch for the `status` subresource. `metadata.resourceVersion` is the read copy's:
 * the apiserver then refuses it with 409 when the object changed since (optimistic concurrency),
 * so the `conditions` array rebuilt from that copy never overwrites a condition written meanwhile.
 */
export interface StatusPatch {
  metadata?: { resourceVersion: string };
  status: { backup: BackupStatusPatch; conditions?: Condition[] };
}

const MAX_REASON_LENGTH = 1024;

function truncate(text: string, max = MAX_REASON_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Sets one condition in a copy of `conditions`: other types are kept as they are, and
 * `lastTransitionTime` only changes when `status` does (Kubernetes `meta.SetStatusCondition`).
 */
export function setCondition(
  conditions: Condition[] | undefined,
  next: Omit<Condition, 'lastTransitionTime'>,
  now: Date,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex(c => c.type === next.type);
  const previous = index >= 0 ? list[index] : undefined;
  const condition: Condition = {
    ...next,
    lastTransitionTime:
      previous && previous.status === next.status
        ? previous.lastTransitionTime
        : now.toISOString(),
  };
  if (index >= 0) list[index] = condition;
  else list.push(condition);
  return list;
}

/** Removes `activeJobKey` with the run's end (only when set, so older statuses patch as before). */
function clearedKey(current: BackupStatus): BackupStatusPatch {
  return current.activeJobKey ? { activeJobKey: null } : {};
}

/** The run's attempt fields, read back from the Job's annotations (for adopted Jobs). */
function attemptFieldsFromJob(
  job: JobLike | undefined,
  current: BackupStatus,
): BackupStatusPatch {
  const annotations = job?.metadata?.annotations ?? {};
  const runAt =
    toMillis(annotations[ANNOTATION_RUN_AT]) ??
    toMillis(job?.metadata?.creationTimestamp);
  const lastAttempt = toMillis(current.lastAttemptTime);
  if (
    runAt === undefined ||
    (lastAttempt !== undefined && runAt <= lastAttempt)
  )
    return {};
  const patch: BackupStatusPatch = {
    lastAttemptTime: new Date(runAt).toISOString(),
  };
  const slot = toMillis(annotations[ANNOTATION_SCHEDULED_TIME]);
  const lastSlot = toMillis(current.lastAttemptScheduledTime);
  if (slot !== undefined && (lastSlot === undefined || slot > lastSlot)) {
    patch.lastAttemptScheduledTime = new Date(slot).toISOString();
  }
  if (annotations[ANNOTATION_TRIGGER_VALUE]) {
    patch.observedTrigger = annotations[ANNOTATION_TRIGGER_VALUE];
  }
  return patch;
}

/**
 * The status merge patch for an outcome. It touches only `status.backup` and our two conditions
 * (`BackingUp`, `BackupConfigValid`); because a merge patch replaces the whole `conditions` array,
 * the observed conditions are carried over, ours merged in with `lastTransitionTime` kept while
 * their status is unchanged.
 *
 * - job-started: lastAttemptTime, lastAttemptScheduledTime (if a slot), activeJob, activeJobKey,
 *   observedTrigger (if manual), nextScheduledBackup (if given); BackingUp=True/`BackupRunning`,
 *   BackupConfigValid=True.
 * - job-succeeded: lastBackupTime (completion), size, duration, name (key), sha256, raft index/term;
 *   consecutiveFailures 0, lastFailureReason, activeJob(Key) removed; BackingUp=False/`BackupSucceeded`.
 * - job-failed: consecutiveFailures + 1, lastFailureReason `<Reason>: <message>`, activeJob(Key) removed;
 *   BackingUp=False/<Reason>.
 * - preflight-failed: BackingUp=False/<Reason> (and BackupConfigValid=False for `ConfigInvalid`);
 *   observedTrigger for a consumed manual trigger. Not counted as a failure.
 *   `ExecutorImageVerificationFailed` also sets lastFailureReason and ExecutorImageVerified=False.
 * - job-started with `imageVerification`: lastExecutorImageDigest (removed under `Warn`) and
 *   ExecutorImageVerified=True/`Verified` or False/`VerificationFailedWarn`.
 * - config-invalid: BackupConfigValid=False/`ConfigInvalid` with every problem.
 * - next-scheduled: nextScheduledBackup (removed when undefined); BackupConfigValid=True.
 * - slot-skipped: nextScheduledBackup; BackingUp=False/<Reason>.
 * Finishing outcomes of an adopted Job also fill the attempt fields from the Job's annotations.
 */
export function statusPatchFor(
  cluster: OpenBaoCluster,
  outcome: RunOutcome,
  now: Date,
): StatusPatch {
  const current = cluster.status?.backup ?? {};
  const generation = cluster.metadata.generation;
  let conditions = cluster.status?.conditions;
  const set = (
    type: string,
    status: Condition['status'],
    reason: string,
    message: string,
  ) => {
    conditions = setCondition(
      conditions,
      {
        type,
        status,
        reason,
        message: truncate(message, 32768),
        ...(generation !== undefined ? { observedGeneration: generation } : {}),
      },
      now,
    );
  };
  const configValid = () =>
    set(CONDITION_BACKUP_CONFIG_VALID, 'True', 'Valid', 'spec.backup is valid');
  let backup: BackupStatusPatch = {};

  switch (outcome.type) {
    case 'job-started':
      backup = {
        lastAttemptTime: outcome.runAt.toISOString(),
        activeJob: outcome.jobName,
        ...(outcome.key ? { activeJobKey: outcome.key } : {}),
        ...(outcome.slot
          ? { lastAttemptScheduledTime: outcome.slot.toISOString() }
          : {}),
        ...(outcome.triggerValue !== undefined
          ? { observedTrigger: outcome.triggerValue }
          : {}),
        ...(outcome.next
          ? { nextScheduledBackup: outcome.next.toISOString() }
          : {}),
      };
      set(
        CONDITION_BACKING_UP,
        'True',
        'BackupRunning',
        `${outcome.trigger} backup Job ${outcome.jobName} started`,
      );
      configValid();
      if (outcome.imageVerification && 'digest' in outcome.imageVerification) {
        backup.lastExecutorImageDigest = outcome.imageVerification.digest;
        set(
          CONDITION_EXECUTOR_IMAGE_VERIFIED,
          'True',
          'Verified',
          `Job ${outcome.jobName} runs ${outcome.imageVerification.digest}`,
        );
      } else if (outcome.imageVerification) {
        backup.lastExecutorImageDigest = null;
        set(
          CONDITION_EXECUTOR_IMAGE_VERIFIED,
          'False',
          'VerificationFailedWarn',
          `failurePolicy Warn: Job ${outcome.jobName} runs the unverified tag; ${outcome.imageVerification.warning}`,
        );
      }
      break;
    case 'job-succeeded': {
      const { result, job } = outcome;
      const completed = outcome.completedAt ?? now;
      const started =
        outcome.startedAt?.getTime() ?? toMillis(job?.status?.startTime);
      const duration =
        result?.durationSeconds ??
        (started !== undefined
          ? Math.max(0, Math.round((completed.getTime() - started) / 1000))
          : undefined);
      const key =
        result?.key ?? job?.metadata?.annotations?.[ANNOTATION_BACKUP_KEY];
      backup = {
        ...attemptFieldsFromJob(job, current),
        lastBackupTime: completed.toISOString(),
        lastBackupSize: result?.size ?? null,
        lastBackupDuration: duration ?? null,
        lastBackupName: key ?? null,
        lastBackupSha256: result?.sha256 ?? null,
        lastBackupRaftIndex: result?.raftIndex ?? null,
        lastBackupRaftTerm: result?.raftTerm ?? null,
        consecutiveFailures: 0,
        lastFailureReason: null,
        activeJob: null,
        ...clearedKey(current),
      };
      set(
        CONDITION_BACKING_UP,
        'False',
        'BackupSucceeded',
        `snapshot ${key ?? '(key unknown)'}${
          result?.size !== undefined ? ` (${result.size} bytes)` : ''
        } written${result ? '' : '; the executor result could not be read'}`,
      );
      break;
    }
    case 'job-failed':
      backup = {
        ...attemptFieldsFromJob(outcome.job, current),
        consecutiveFailures: (current.consecutiveFailures ?? 0) + 1,
        lastFailureReason: truncate(`${outcome.reason}: ${outcome.message}`),
        activeJob: null,
        ...clearedKey(current),
      };
      set(CONDITION_BACKING_UP, 'False', outcome.reason, outcome.message);
      break;
    case 'preflight-failed':
      backup =
        outcome.triggerValue !== undefined
          ? { observedTrigger: outcome.triggerValue }
          : {};
      set(
        CONDITION_BACKING_UP,
        'False',
        outcome.reason,
        `${outcome.trigger} backup refused: ${outcome.message}`,
      );
      if (outcome.reason === REASON_IMAGE_VERIFICATION_FAILED) {
        // Not a backup failure (consecutiveFailures untouched), but the reason users look at.
        backup.lastFailureReason = truncate(
          `${outcome.reason}: ${outcome.message}`,
        );
        set(
          CONDITION_EXECUTOR_IMAGE_VERIFIED,
          'False',
          outcome.reason,
          outcome.message,
        );
      }
      if (outcome.reason === 'ConfigInvalid') {
        set(
          CONDITION_BACKUP_CONFIG_VALID,
          'False',
          'ConfigInvalid',
          outcome.message,
        );
      }
      break;
    case 'config-invalid':
      set(
        CONDITION_BACKUP_CONFIG_VALID,
        'False',
        'ConfigInvalid',
        outcome.problems.map(p => `${p.field}: ${p.message}`).join('; '),
      );
      break;
    case 'next-scheduled':
      backup = {
        nextScheduledBackup: outcome.next ? outcome.next.toISOString() : null,
      };
      configValid();
      break;
    case 'slot-skipped':
      backup = {
        nextScheduledBackup: outcome.next ? outcome.next.toISOString() : null,
      };
      set(CONDITION_BACKING_UP, 'False', outcome.reason, outcome.message);
      break;
    default: {
      const never: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(never)}`);
    }
  }
  const { resourceVersion } = cluster.metadata;
  return {
    ...(resourceVersion ? { metadata: { resourceVersion } } : {}),
    status: { backup, ...(conditions ? { conditions } : {}) },
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * True when applying `patch` would not change the cluster's status: the caller can skip the write
 * and, more importantly, the Kubernetes Event (a pre-flight refusal retried every pass would
 * otherwise emit one Event per pass).
 */
export function isNoopPatch(
  cluster: OpenBaoCluster,
  patch: StatusPatch,
): boolean {
  const current = (cluster.status?.backup ?? {}) as Record<string, unknown>;
  const backupSame = Object.entries(patch.status.backup).every(([k, v]) =>
    sameValue(current[k], v),
  );
  const conditionsSame =
    patch.status.conditions === undefined ||
    sameValue(cluster.status?.conditions ?? [], patch.status.conditions);
  return backupSame && conditionsSame;
}
