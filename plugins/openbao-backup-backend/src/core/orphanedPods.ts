import { RunDecision } from './decideRun';
import { ObservedCluster } from './types';

/**
 * The executor pods to delete because their Job is gone: a run tracked as `JobNotFound` (someone
 * deleted the Job with `propagationPolicy=Orphan`, so no garbage collector removes its pods) whose
 * pods still run, and would go on streaming and complete an object nobody tracks. Pods already
 * being deleted or finished are left alone. Names, found by the Job's `job-name` label.
 */
export function orphanedPods(
  observed: ObservedCluster,
  decision: RunDecision,
): string[] {
  if (decision.action !== 'track' || decision.job) return [];
  return (observed.pods?.[decision.jobName] ?? [])
    .filter(
      p =>
        !p.metadata?.deletionTimestamp &&
        p.status?.phase !== 'Succeeded' &&
        p.status?.phase !== 'Failed',
    )
    .map(p => p.metadata?.name)
    .filter((n): n is string => !!n);
}
