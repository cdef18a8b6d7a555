import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  ClusterDetail,
  ClusterRef,
  EntityClusters,
  FleetResponse,
  RetentionPreview,
  SnapshotList,
  TriggerResponse,
} from '@internal/plugin-openbao-backup-common';

/** The backend's REST API as the frontend sees it. Every method throws `ResponseError` on failure. */
export interface OpenBaoBackupApi {
  /** Every cluster, plus the Kubernetes clusters that could not be listed. */
  getFleet(): Promise<FleetResponse>;
  getEntityClusters(entityRef: {
    kind: string;
    namespace: string;
    name: string;
  }): Promise<EntityClusters>;
  getCluster(ref: ClusterRef): Promise<ClusterDetail>;
  listSnapshots(ref: ClusterRef): Promise<SnapshotList>;
  previewRetention(ref: ClusterRef): Promise<RetentionPreview>;
  triggerBackup(ref: ClusterRef, reason: string): Promise<TriggerResponse>;
}

export const openBaoBackupApiRef = createApiRef<OpenBaoBackupApi>({
  id: 'plugin.openbao-backup.service',
});
