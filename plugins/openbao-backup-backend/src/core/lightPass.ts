import { OpenBaoCluster } from '@internal/plugin-openbao-backup-common';
import { nextSlotOutdated } from './nextSlotOutdated';
import { triggerPending } from './triggerPending';
import { JobLike, toMillis } from './types';

/**
 * What one run of the reconcile task does: a `full` pass over every cluster of every API server
 * (once per reconcile interval, across all replicas), or a `light` pass over the clusters the
 * watch flagged. The interval is measured on the wall clock of whichever replica runs; a clock
 * found more than an interval behind the last full pass (it jumped back) also gets a full pass.
 */
export function passKind(
  nowMs: number,
  lastFullPassAtMs: number | undefined,
  reconcileIntervalMs: number,
): 'full' | 'light' {
  if (lastFullPassAtMs === undefined) return 'full';
  const elapsed = nowMs - lastFullPassAtMs;
  return elapsed >= reconcileIntervalMs || elapsed <= -reconcileIntervalMs
    ? 'full'
    : 'light';
}

/** Why a cluster cannot wait for the next full pass. */
export type LightPassReason =
  | 'trigger'
  | 'job-ended'
  | 'schedule-changed'
  | 'slot-due';

/**
 * Whether a Job watch event tells that a Job ended: it was deleted, or it carries a terminal
 * condition (Complete or Failed). Its end is then the cluster's to record (`job-ended`).
 */
export function jobHasEnded(
  event: 'ADDED' | 'MODIFIED' | 'DELETED',
  job: JobLike,
): boolean {
  if (event === 'DELETED') return true;
  return (job.status?.conditions ?? []).some(
    c => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

/**
 * The reasons to reconcile this cluster now rather than at the next full pass: a manual or
 * pre-upgrade request no run has observed, the Job the status calls active has ended
 * (`jobEnded`, from the Job watch), a stored next slot the schedule no longer has
 * (`nextSlotOutdated`), or a stored next slot that has come. Empty: the full pass will do.
 */
export function lightPassReasons(
  cluster: OpenBaoCluster,
  now: Date,
  jobEnded: (jobName: string) => boolean = () => false,
): LightPassReason[] {
  const reasons: LightPassReason[] = [];
  if (triggerPending(cluster)) reasons.push('trigger');
  const active = cluster.status?.backup?.activeJob;
  if (active && jobEnded(active)) reasons.push('job-ended');
  const backup = cluster.spec?.backup;
  const next = toMillis(cluster.status?.backup?.nextScheduledBackup);
  if (nextSlotOutdated(cluster, now)) reasons.push('schedule-changed');
  else if (
    backup &&
    !backup.suspend &&
    next !== undefined &&
    next <= now.getTime()
  )
    reasons.push('slot-due');
  return reasons;
}

/**
 * Identifies a flagged state of a cluster: its resourceVersion and reasons. A light pass that
 * reconciled the cluster in a state does not reconcile it again until the state changes (a write,
 * an edit, a slot coming due): a refusal the CR does not record (a restore running, an unverified
 * image) is retried by the full pass, not every second. `undefined`: not flagged.
 */
export function lightPassMark(
  cluster: OpenBaoCluster,
  now: Date,
  jobEnded?: (jobName: string) => boolean,
): string | undefined {
  const reasons = lightPassReasons(cluster, now, jobEnded);
  if (!reasons.length) return undefined;
  return `${cluster.metadata.resourceVersion ?? ''}:${reasons.join(',')}`;
}

/**
 * Where the Job watch records an ended Job: beside its cluster's key
 * (`<kubernetes cluster>/<namespace>/<name>`), its own name in place of the cluster's.
 */
export function endedJobKey(clusterKey: string, jobName: string): string {
  return `${clusterKey.slice(0, clusterKey.lastIndexOf('/') + 1)}${jobName}`;
}

/**
 * The clusters a light pass reconciles, from the watch's copies: flagged, in a state not handled
 * yet (`handled`: key → mark of the last light pass over it), pending triggers first. `endedJobs`:
 * the Job watch's ended Jobs, keyed by `endedJobKey`.
 */
export function clustersForLightPass<T extends { cluster: OpenBaoCluster }>(
  cached: Iterable<[string, T]>,
  now: Date,
  handled: ReadonlyMap<string, string>,
  endedJobs: { has(key: string): boolean } = new Set(),
): Array<T & { key: string; mark: string }> {
  const picked: Array<T & { key: string; mark: string }> = [];
  for (const [key, entry] of cached) {
    const mark = lightPassMark(entry.cluster, now, job =>
      endedJobs.has(endedJobKey(key, job)),
    );
    if (mark !== undefined && handled.get(key) !== mark)
      picked.push({ ...entry, key, mark });
  }
  const first = (e: { cluster: OpenBaoCluster }) =>
    Number(triggerPending(e.cluster));
  return picked.sort((a, b) => first(b) - first(a));
}
