import { useApi } from '@backstage/frontend-plugin-api';
import { Entity, DEFAULT_NAMESPACE } from '@backstage/catalog-model';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { openBaoBackupApiRef } from '../api';

/** The OpenBao clusters an entity links through its `openbao.org/cluster` annotation. */
export function useEntityClusters(entity: Entity) {
  const api = useApi(openBaoBackupApiRef);
  const kind = entity.kind;
  const namespace = entity.metadata.namespace ?? DEFAULT_NAMESPACE;
  const name = entity.metadata.name;
  return useAsyncRetry(
    () => api.getEntityClusters({ kind, namespace, name }),
    [api, kind, namespace, name],
  );
}
