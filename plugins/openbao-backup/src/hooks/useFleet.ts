import { useApi } from '@backstage/frontend-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { openBaoBackupApiRef } from '../api';

/** Every cluster the backend manages, plus unreadable Kubernetes clusters (`GET /clusters`). */
export function useFleet() {
  const api = useApi(openBaoBackupApiRef);
  return useAsyncRetry(() => api.getFleet(), [api]);
}
