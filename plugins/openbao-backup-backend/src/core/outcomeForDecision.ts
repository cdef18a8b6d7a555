import {
  ANNOTATION_BACKUP_KEY,
  ANNOTATION_RUN_AT,
  ANNOTATION_SCHEDULED_TIME,
  ANNOTATION_TRIGGER_VALUE,
  BackupTrigger,
  LABEL_TRIGGER,
} from '@internal/plugin-openbao-backup-common';
import { RunDecision } from './decideRun';
import { RunOutcome } from './statusPatchFor';
import { JobLike, toMillis } from './types';

/** Rebuilds the `job-started` outcome of a Job from its labels and annotations (adoption). */
export function startedOutcomeFromJob(
  job: JobLike,
  jobName: string,
): RunOutcome {
  const annotations = job.metadata?.annotations ?? {};
  const label = job.metadata?.labels?.[LABEL_TRIGGER];
  const trigger: BackupTrigger =
    label === 'manual' || label === 'pre-upgrade' ? label : 'scheduled';
  const runAt =
    toMillis(annotations[ANNOTATION_RUN_AT]) ??
    toMillis(job.metadata?.creationTimestamp);
  const slot = toMillis(annotations[ANNOTATION_SCHEDULED_TIME]);
  return {
    type: 'job-started',
    jobName,
    trigger,
    runAt: new Date(runAt ?? 0),
    ...(slot !== undefined ? { slot: new Date(slot) } : {}),
    ...(annotations[ANNOTATION_BACKUP_KEY]
      ? { key: annotations[ANNOTATION_BACKUP_KEY] }
      : {}),
    ...(annotations[ANNOTATION_TRIGGER_VALUE]
      ? { triggerValue: annotations[ANNOTATION_TRIGGER_VALUE] }
      : {}),
  };
}

/**
 * The status outcome that records a decision, or `undefined` when there is nothing to write
 * (`ignore`, `wait`, a `track` of a running Job the status already names). For `start`, call it
 * only after the Job was created. A `track` of an adopted, still running Job yields `job-started`
 * rebuilt from the Job (so `activeJob` and BackingUp=True get written); finished Jobs yield
 * `job-succeeded`/`job-failed`, which also fill the attempt fields of an adopted Job.
 */
export function outcomeForDecision(
  decision: RunDecision,
): RunOutcome | undefined {
  switch (decision.action) {
    case 'start':
      return {
        type: 'job-started',
        jobName: decision.jobName,
        trigger: decision.trigger,
        runAt: decision.runAt,
        ...(decision.slot ? { slot: decision.slot } : {}),
        ...(decision.triggerValue !== undefined
          ? { triggerValue: decision.triggerValue }
          : {}),
        ...(decision.next ? { next: decision.next } : {}),
      };
    case 'refuse':
      return {
        type: 'preflight-failed',
        trigger: decision.trigger,
        reason: decision.reason,
        message: decision.message,
        ...(decision.triggerValue !== undefined
          ? { triggerValue: decision.triggerValue }
          : {}),
      };
    case 'skip':
      return {
        type: 'slot-skipped',
        slot: decision.slot,
        reason: decision.reason,
        message: decision.message,
        next: decision.next,
      };
    case 'record-next':
      return { type: 'next-scheduled', next: decision.next };
    case 'config-invalid':
      return { type: 'config-invalid', problems: decision.problems };
    case 'track': {
      const { state } = decision;
      if (state.phase === 'succeeded') {
        return {
          type: 'job-succeeded',
          jobName: decision.jobName,
          job: decision.job,
          result: state.result,
          completedAt: state.completedAt,
          startedAt: state.startedAt,
        };
      }
      if (state.phase === 'failed') {
        return {
          type: 'job-failed',
          jobName: decision.jobName,
          job: decision.job,
          reason: state.reason,
          message: state.message,
        };
      }
      return decision.adopted && decision.job
        ? startedOutcomeFromJob(decision.job, decision.jobName)
        : undefined;
    }
    default:
      return undefined;
  }
}
