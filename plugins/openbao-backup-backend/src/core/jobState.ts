import {
  EXIT_CODES,
  ExecutorResult,
} from '@internal/plugin-openbao-backup-common';
import { JobLike, PodLike, toMillis } from './types';

/** What a backup Job amounts to right now. */
export type JobState =
  | { phase: 'running' }
  | {
      phase: 'succeeded';
      result?: ExecutorResult;
      completedAt?: Date;
      startedAt?: Date;
    }
  | {
      phase: 'failed';
      reason: string;
      message: string;
      result?: ExecutorResult;
      /** True when the Job has not finished by itself and the caller should delete it. */
      deleteJob?: boolean;
    };

/** Stable failure reasons per executor exit code (docs/contract.md §4). */
export const EXIT_CODE_REASONS: Record<number, string> = {
  [EXIT_CODES.config]: 'ExecutorConfigError',
  [EXIT_CODES.auth]: 'OpenBaoAuthFailed',
  [EXIT_CODES.leader]: 'LeaderNotFound',
  [EXIT_CODES.source]: 'SnapshotSourceFailed',
  [EXIT_CODES.storage]: 'StorageFailed',
  [EXIT_CODES.verification]: 'VerificationFailed',
  [EXIT_CODES.deadline]: 'DeadlineOrSignal',
};

/** Waiting reasons after which a pod will never start by itself. */
const FATAL_WAITING = new Set([
  'InvalidImageName',
  'CreateContainerConfigError',
  'ErrImageNeverPull',
]);
/** Waiting reasons that are fatal once they last longer than `podStartTimeoutSeconds`. */
const SLOW_WAITING = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'CreateContainerError',
  'ContainerCreating',
  'CrashLoopBackOff',
]);

/**
 * Reads the executor's one-line JSON result (termination message or stdout). Returns `undefined`
 * for anything that is not such an object; never throws.
 */
export function parseExecutorResult(
  text: string | undefined,
): ExecutorResult | undefined {
  if (!text) return undefined;
  const line = text
    .trim()
    .split('\n')
    .filter(l => l.trim().startsWith('{'))
    .pop();
  if (!line) return undefined;
  try {
    const value = JSON.parse(line);
    if (value && typeof value === 'object' && typeof value.ok === 'boolean') {
      return value as ExecutorResult;
    }
  } catch {
    // not JSON
  }
  return undefined;
}

function condition(job: JobLike, type: string) {
  return job.status?.conditions?.find(
    c => c.type === type && c.status === 'True',
  );
}

function date(value: Parameters<typeof toMillis>[0]): Date | undefined {
  const ms = toMillis(value);
  return ms === undefined ? undefined : new Date(ms);
}

/** ` in stage <stage>` when the executor said where it stopped: every failure message names it. */
function inStage(result: ExecutorResult | undefined): string {
  return result?.stage ? ` in stage ${result.stage}` : '';
}

/** Options of {@link jobState}. */
export interface JobStateOptions {
  /** A pod stuck pulling its image (or a Job without a pod) this long counts as failed. Default 300. */
  podStartTimeoutSeconds?: number;
}

/**
 * Classifies a backup Job from the Job and its pods:
 * - `Complete` → succeeded, with the executor result from the termination message if readable;
 * - `Failed` with reason `DeadlineExceeded` → failed `DeadlineExceeded`;
 * - a terminated container → failed with a reason per exit code (1 `ExecutorConfigError`,
 *   2 `OpenBaoAuthFailed`, 3 `LeaderNotFound`, 4 `SnapshotSourceFailed`, 5 `StorageFailed`,
 *   6 `VerificationFailed`, 7 `DeadlineOrSignal`, `OOMKilled`, else `ExecutorFailed`), the message
 *   taken from the executor result's `error` when present;
 * - a pod that cannot start (`InvalidImageName`, `CreateContainerConfigError` at once;
 *   `ErrImagePull`/`ImagePullBackOff`/… after `podStartTimeoutSeconds`) → failed `PodStartFailed`
 *   with `deleteJob: true`; a Job with no pod after that time → failed `PodNotCreated`, `deleteJob`;
 * - otherwise running.
 *
 * `now` is compared with timestamps the API server wrote (creation times): pass the API server's
 * time (`ObservedCluster.serverTime`), so a skewed backend clock does not move the timeout.
 */
export function jobState(
  job: JobLike,
  pods: PodLike[] | undefined,
  now: Date,
  options: JobStateOptions = {},
): JobState {
  const timeout = (options.podStartTimeoutSeconds ?? 300) * 1000;
  const terminated = (pods ?? [])
    .flatMap(p => p.status?.containerStatuses ?? [])
    .map(c => c.state?.terminated)
    .filter((t): t is NonNullable<typeof t> => !!t)
    .sort(
      (a, b) => (toMillis(b.finishedAt) ?? 0) - (toMillis(a.finishedAt) ?? 0),
    )[0];
  const result = parseExecutorResult(terminated?.message);

  if (condition(job, 'Complete') || (job.status?.succeeded ?? 0) > 0) {
    if (result && !result.ok) {
      return {
        phase: 'failed',
        reason: 'ExecutorReportedFailure',
        message: `executor reported failure${inStage(result)}: ${
          result.error ?? 'ok=false'
        }`,
        result,
      };
    }
    return {
      phase: 'succeeded',
      result,
      completedAt:
        date(job.status?.completionTime) ?? date(terminated?.finishedAt),
      startedAt: date(job.status?.startTime),
    };
  }
  const failed = condition(job, 'Failed');
  if (failed?.reason === 'DeadlineExceeded') {
    return {
      phase: 'failed',
      reason: 'DeadlineExceeded',
      message: `the Job ran longer than activeDeadlineSeconds=${
        job.spec?.activeDeadlineSeconds ?? '?'
      }${inStage(result)}${result?.error ? `: ${result.error}` : ''}`,
      result,
    };
  }
  if (terminated && terminated.exitCode !== 0) {
    const reason =
      EXIT_CODE_REASONS[terminated.exitCode] ??
      (terminated.reason === 'OOMKilled' ? 'OOMKilled' : 'ExecutorFailed');
    // 128 + n: signal n ended it before it could report (9: kill -9, OOM killer, node loss).
    const killed =
      terminated.exitCode > 128 && !result
        ? ` (killed by signal ${terminated.exitCode - 128})`
        : '';
    return {
      phase: 'failed',
      reason,
      message: `executor exited with code ${
        terminated.exitCode
      }${killed}${inStage(result)}: ${
        result?.error ?? terminated.reason ?? 'no message'
      }`,
      result,
    };
  }
  if (failed) {
    return {
      phase: 'failed',
      reason: failed.reason ?? 'JobFailed',
      message: failed.message ?? 'the Job failed',
      result,
    };
  }

  const created = toMillis(job.metadata?.creationTimestamp);
  const age = created === undefined ? 0 : now.getTime() - created;
  for (const pod of pods ?? []) {
    for (const status of pod.status?.containerStatuses ?? []) {
      const waiting = status.state?.waiting;
      if (!waiting?.reason) continue;
      const podAge =
        now.getTime() -
        (toMillis(pod.metadata?.creationTimestamp) ?? created ?? now.getTime());
      if (
        FATAL_WAITING.has(waiting.reason) ||
        (SLOW_WAITING.has(waiting.reason) && podAge > timeout)
      ) {
        return {
          phase: 'failed',
          reason: 'PodStartFailed',
          message: `the executor pod did not start: ${waiting.reason}${
            waiting.message ? `: ${waiting.message}` : ''
          }`,
          deleteJob: true,
        };
      }
    }
  }
  if (
    (pods ?? []).length === 0 &&
    pods !== undefined &&
    (job.status?.active ?? 0) === 0 &&
    age > timeout
  ) {
    return {
      phase: 'failed',
      reason: 'PodNotCreated',
      message: `no pod was created for the Job within ${
        timeout / 1000
      } s (service account or quota?)`,
      deleteJob: true,
    };
  }
  return { phase: 'running' };
}
