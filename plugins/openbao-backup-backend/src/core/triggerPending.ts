import {
  ANNOTATION_TRIGGER_VALUE,
  OpenBaoCluster,
  PRE_UPGRADE_BACKUP_ANNOTATION,
  TRIGGER_BACKUP_ANNOTATION,
} from '@internal/plugin-openbao-backup-common';
import { ObservedCluster } from './types';

/** True when the cluster carries a manual or pre-upgrade request no run has observed yet. */
export function triggerPending(cluster: OpenBaoCluster): boolean {
  const observed = cluster.status?.backup?.observedTrigger;
  return [TRIGGER_BACKUP_ANNOTATION, PRE_UPGRADE_BACKUP_ANNOTATION].some(
    key => {
      const value = cluster.metadata.annotations?.[key]?.trim();
      return Boolean(value) && value !== observed;
    },
  );
}

/**
 * True when a run was already made for request `value`: the latest observed request, or the
 * trigger value of any of the cluster's backup Jobs still kept (a later request moves
 * `observedTrigger` on, the Jobs of earlier runs keep theirs until their TTL).
 */
export function triggerAlreadyRun(
  observed: Pick<ObservedCluster, 'cluster' | 'jobs'>,
  value: string,
): boolean {
  return (
    observed.cluster.status?.backup?.observedTrigger === value ||
    observed.jobs.some(
      job => job.metadata?.annotations?.[ANNOTATION_TRIGGER_VALUE] === value,
    )
  );
}
