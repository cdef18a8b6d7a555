import { useEffect, useRef } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { ClusterRef } from '@internal/plugin-openbao-backup-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { openBaoBackupApiRef } from '../api';

/** Default time between two refreshes while a run is active. */
export const DEFAULT_POLL_INTERVAL_MS = 5000;

export interface UseClusterDetailOptions {
  /** Refresh every `pollIntervalMs` while the cluster reports `backingUp`. */
  pollWhileActive?: boolean;
  /** Refresh even when no run is active yet (e.g. a trigger was just accepted). */
  forcePoll?: boolean;
  pollIntervalMs?: number;
}

/**
 * One cluster's status and recent runs. While polling, the previous `value` stays set during a
 * refresh, so callers show `Progress` only when there is no value yet.
 */
export function useClusterDetail(
  ref: ClusterRef,
  options: UseClusterDetailOptions = {},
) {
  const api = useApi(openBaoBackupApiRef);
  const { kubernetesCluster, namespace, name } = ref;
  const state = useAsyncRetry(
    () => api.getCluster({ kubernetesCluster, namespace, name }),
    [api, kubernetesCluster, namespace, name],
  );
  const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const polling = Boolean(
    options.pollWhileActive && (state.value?.backingUp || options.forcePoll),
  );
  const retryRef = useRef(state.retry);
  retryRef.current = state.retry;
  useEffect(() => {
    if (!polling) return undefined;
    const timer = setInterval(() => retryRef.current(), interval);
    return () => clearInterval(timer);
  }, [polling, interval]);
  return { ...state, polling };
}
