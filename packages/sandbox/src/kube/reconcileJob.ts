import { isTerminalPod } from './podStatus';
import { KubeObject } from './types';

export interface JobDecision {
  /** The Job's new status (undefined: unchanged). */
  status?: any;
  /** How many Pods to create now. */
  createPods: number;
  /** Names of Pods to delete (on failure or deadline). */
  deletePods: string[];
  /** Delete the Job (ttlSecondsAfterFinished elapsed). */
  deleteJob: boolean;
  /** When to look at the Job again (deadline, TTL). */
  requeueAt?: Date;
}

const ts = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
const isTrue = (job: KubeObject, type: string) =>
  (job.status?.conditions ?? []).find(
    (c: any) => c.type === type && c.status === 'True',
  );

const REASONS = {
  DeadlineExceeded: 'Job was active longer than specified deadline',
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  CompletionsReached: 'Reached expected number of succeeded pods',
} as const;

function cond(type: string, reason: keyof typeof REASONS, now: string) {
  return {
    type,
    status: 'True',
    reason,
    message: REASONS[reason],
    lastProbeTime: now,
    lastTransitionTime: now,
  };
}

/**
 * The Job controller's decision for one Job and the Pods it owns (pure). Follows Kubernetes 1.31+:
 * a `FailureTarget`/`SuccessCriteriaMet` condition first, and the terminal `Failed`/`Complete`
 * only once no Pod of the Job is still running.
 */
export function reconcileJob(
  job: KubeObject,
  pods: KubeObject[],
  now: Date,
): JobDecision {
  const decision: JobDecision = {
    createPods: 0,
    deletePods: [],
    deleteJob: false,
  };
  if (job.metadata.deletionTimestamp) return decision;
  const spec = job.spec ?? {};
  const nowTs = ts(now);
  const finished = isTrue(job, 'Complete') ?? isTrue(job, 'Failed');
  if (finished) {
    const ttl = spec.ttlSecondsAfterFinished;
    if (typeof ttl === 'number') {
      const at = new Date(Date.parse(finished.lastTransitionTime) + ttl * 1000);
      if (now >= at) decision.deleteJob = true;
      else decision.requeueAt = at;
    }
    return decision;
  }
  if (spec.suspend) return decision;

  const status = structuredClone(job.status ?? {});
  const conditions: any[] = status.conditions ?? [];
  status.startTime ??= nowTs;
  const active = pods.filter(
    p => !isTerminalPod(p) && !p.metadata.deletionTimestamp,
  );
  const terminating = pods.filter(
    p => !isTerminalPod(p) && p.metadata.deletionTimestamp,
  );
  let succeeded = Math.max(
    status.succeeded ?? 0,
    pods.filter(p => p.status?.phase === 'Succeeded').length,
  );
  let failed = Math.max(
    status.failed ?? 0,
    pods.filter(p => p.status?.phase === 'Failed').length,
  );
  const completions = spec.completions ?? 1;
  const deadline =
    typeof spec.activeDeadlineSeconds === 'number'
      ? new Date(
          Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000,
        )
      : undefined;

  let failureTarget = isTrue(job, 'FailureTarget');
  let successTarget = isTrue(job, 'SuccessCriteriaMet');
  let stillActive = active;
  if (!failureTarget && !successTarget) {
    let reason: 'DeadlineExceeded' | 'BackoffLimitExceeded' | undefined;
    if (deadline && now >= deadline) reason = 'DeadlineExceeded';
    else if (failed > (spec.backoffLimit ?? 6)) reason = 'BackoffLimitExceeded';
    if (reason) {
      failureTarget = cond('FailureTarget', reason, nowTs);
      conditions.push(failureTarget);
      decision.deletePods = active.map(p => p.metadata.name!);
      failed += active.length; // killed Pods count as failed
      stillActive = [];
    } else if (succeeded >= completions) {
      successTarget = cond('SuccessCriteriaMet', 'CompletionsReached', nowTs);
      conditions.push(successTarget);
    }
  } else {
    decision.deletePods = active.map(p => p.metadata.name!);
    stillActive = [];
  }

  const running =
    stillActive.length + terminating.length + decision.deletePods.length;
  if (failureTarget && running === 0) {
    conditions.push(cond('Failed', failureTarget.reason, nowTs));
  } else if (successTarget && running === 0) {
    conditions.push(cond('Complete', 'CompletionsReached', nowTs));
    status.completionTime = nowTs;
  } else if (!failureTarget && !successTarget) {
    const wanted =
      Math.min(spec.parallelism ?? 1, completions - succeeded) -
      active.length -
      terminating.length;
    decision.createPods = Math.max(0, wanted);
    if (deadline) decision.requeueAt = deadline;
  }
  succeeded = Math.max(succeeded, 0);
  const activeCount = stillActive.length + decision.createPods;
  for (const [field, value] of [
    ['active', activeCount],
    ['succeeded', succeeded],
    ['failed', failed],
  ] as const) {
    if (value > 0) status[field] = value;
    else delete status[field];
  }
  status.ready = stillActive.filter(
    p => p.status?.containerStatuses?.[0]?.ready,
  ).length;
  status.terminating = terminating.length + decision.deletePods.length;
  status.uncountedTerminatedPods = {};
  if (conditions.length) status.conditions = conditions;
  if (JSON.stringify(status) !== JSON.stringify(job.status ?? {}))
    decision.status = status;
  return decision;
}
