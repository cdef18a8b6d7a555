import {
  ANNOTATION_BACKUP_KEY,
  BackupRun,
  BackupTrigger,
  LABEL_TRIGGER,
} from '@internal/plugin-openbao-backup-common';
import { JobLike, JobState, PodLike, jobState, toMillis } from '../core';

const iso = (ms: number | undefined) =>
  ms === undefined ? undefined : new Date(ms).toISOString();

function runPhase(
  phase: JobState['phase'],
  active: boolean,
): BackupRun['phase'] {
  if (phase === 'running') return active ? 'Running' : 'Pending';
  return phase === 'succeeded' ? 'Succeeded' : 'Failed';
}

/** The one field of a Job's pod template the run history reads. */
type PinnedJob = {
  spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } };
};

/** The run history shown on the entity page: one entry per backup Job, newest first. */
export function runsFromJobs(
  jobs: JobLike[],
  pods: Record<string, PodLike[]> | undefined,
  now: Date,
): BackupRun[] {
  return jobs
    .map(job => {
      const jobName = job.metadata?.name ?? '';
      const state = jobState(job, pods?.[jobName], now);
      const result = state.phase === 'running' ? undefined : state.result;
      const start =
        toMillis(job.status?.startTime) ??
        toMillis(job.metadata?.creationTimestamp);
      const end = toMillis(job.status?.completionTime);
      const run: BackupRun = {
        jobName,
        trigger: (job.metadata?.labels?.[LABEL_TRIGGER] ??
          'scheduled') as BackupTrigger,
        phase: runPhase(state.phase, Boolean(job.status?.active)),
        startTime: iso(start),
        completionTime: iso(end),
        key: result?.key ?? job.metadata?.annotations?.[ANNOTATION_BACKUP_KEY],
        size: result?.size,
        durationSeconds:
          result?.durationSeconds ??
          (start !== undefined && end !== undefined
            ? (end - start) / 1000
            : undefined),
      };
      // A verified run's image is pinned: `repo@sha256:<hex>` (docs/image-verification.md).
      const digest = /@(sha256:[a-f0-9]{64})$/.exec(
        (job as PinnedJob).spec?.template?.spec?.containers?.[0]?.image ?? '',
      )?.[1];
      if (digest) run.executorImageDigest = digest;
      if (state.phase === 'failed') {
        run.reason = state.reason;
        run.message = state.message;
      }
      return run;
    })
    .sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? ''));
}
