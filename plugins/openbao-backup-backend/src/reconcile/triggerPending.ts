import {
  OpenBaoCluster,
  TRIGGER_BACKUP_ANNOTATION,
} from '@internal/plugin-openbao-backup-common';

/** True when the cluster carries a manual trigger value that no run has observed yet. */
export function triggerPending(cluster: OpenBaoCluster): boolean {
  const value =
    cluster.metadata.annotations?.[TRIGGER_BACKUP_ANNOTATION]?.trim();
  return Boolean(value) && value !== cluster.status?.backup?.observedTrigger;
}
