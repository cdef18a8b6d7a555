import { useApi } from '@backstage/frontend-plugin-api';
import { ClusterRef } from '@internal/plugin-openbao-backup-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { openBaoBackupApiRef } from '../api';

/** Objects in the bucket under the cluster's prefix; reloads when `refreshKey` changes. */
export function useSnapshots(ref: ClusterRef, refreshKey?: string) {
  const api = useApi(openBaoBackupApiRef);
  const { kubernetesCluster, namespace, name } = ref;
  return useAsyncRetry(
    () => api.listSnapshots({ kubernetesCluster, namespace, name }),
    [api, kubernetesCluster, namespace, name, refreshKey],
  );
}
