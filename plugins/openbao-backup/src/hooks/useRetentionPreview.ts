import { useApi } from '@backstage/frontend-plugin-api';
import { ClusterRef } from '@internal/plugin-openbao-backup-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { openBaoBackupApiRef } from '../api';

/** What retention would keep and delete next; reloads when `refreshKey` changes. */
export function useRetentionPreview(ref: ClusterRef, refreshKey?: string) {
  const api = useApi(openBaoBackupApiRef);
  const { kubernetesCluster, namespace, name } = ref;
  return useAsyncRetry(
    () => api.previewRetention({ kubernetesCluster, namespace, name }),
    [api, kubernetesCluster, namespace, name, refreshKey],
  );
}
