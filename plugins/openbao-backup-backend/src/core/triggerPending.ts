import {
  OpenBaoCluster,
  PRE_UPGRADE_BACKUP_ANNOTATION,
  TRIGGER_BACKUP_ANNOTATION,
} from '@internal/plugin-openbao-backup-common';

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
