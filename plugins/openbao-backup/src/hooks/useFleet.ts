import { useApi } from '@backstage/frontend-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { openBaoBackupApiRef } from '../api';

/** Every cluster the backend manages (`GET /clusters`). */
export function useFleet() {
  const api = useApi(openBaoBackupApiRef);
  return useAsyncRetry(async () => (await api.getFleet()).items, [api]);
}
