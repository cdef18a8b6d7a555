import { useCallback, useEffect, useState } from 'react';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import {
  ClusterDetail,
  ClusterRef,
  stringifyClusterRef,
} from '@internal/plugin-openbao-backup-common';
import { openBaoBackupApiRef } from '../api';
import { formatBytes, formatDuration } from '../format';
import { describeError } from './describeError';
import { useClusterDetail } from './useClusterDetail';

/** True once the run started by `triggerId` has been picked up and is no longer active. */
function runEnded(detail: ClusterDetail, triggerId: string): boolean {
  if (detail.backup?.observedTrigger !== triggerId || detail.backingUp) {
    return false;
  }
  const phase = detail.runs[0]?.phase;
  return phase === undefined || phase === 'Succeeded' || phase === 'Failed';
}

/**
 * One cluster's detail plus "Back up now": `trigger(reason)` posts the trigger, then keeps
 * refreshing the detail until the run it started has ended, and reports the outcome as an alert.
 */
export function useClusterBackup(
  ref: ClusterRef,
  options: { pollIntervalMs?: number } = {},
) {
  const api = useApi(openBaoBackupApiRef);
  const alertApi = useApi(alertApiRef);
  const [awaiting, setAwaiting] = useState<string>();
  const [triggering, setTriggering] = useState(false);
  const detail = useClusterDetail(ref, {
    pollWhileActive: true,
    forcePoll: awaiting !== undefined,
    pollIntervalMs: options.pollIntervalMs,
  });
  const label = stringifyClusterRef(ref);
  const { value, retry } = detail;

  useEffect(() => {
    if (!awaiting || !value || !runEnded(value, awaiting)) return;
    setAwaiting(undefined);
    const run = value.runs[0];
    if (run?.phase === 'Failed') {
      alertApi.post({
        message: `Backup of ${label} failed: ${
          run.message ??
          run.reason ??
          value.backup?.lastFailureReason ??
          'unknown reason'
        }`,
        severity: 'error',
      });
    } else {
      alertApi.post({
        message: `Backup of ${label} finished (${formatBytes(
          run?.size ?? value.backup?.lastBackupSize,
        )} in ${formatDuration(
          run?.durationSeconds ?? value.backup?.lastBackupDuration,
        )})`,
        severity: 'success',
        display: 'transient',
      });
    }
  }, [awaiting, value, alertApi, label]);

  const { kubernetesCluster, namespace, name } = ref;
  const trigger = useCallback(
    async (reason: string): Promise<boolean> => {
      setTriggering(true);
      try {
        const response = await api.triggerBackup(
          { kubernetesCluster, namespace, name },
          reason,
        );
        alertApi.post({
          message: `Backup of ${label} requested`,
          severity: 'success',
          display: 'transient',
        });
        setAwaiting(response.triggerId);
        retry();
        return true;
      } catch (e) {
        alertApi.post({
          message: `Could not start a backup of ${label}: ${describeError(e)}`,
          severity: 'error',
        });
        return false;
      } finally {
        setTriggering(false);
      }
    },
    [api, alertApi, label, retry, kubernetesCluster, namespace, name],
  );

  return {
    ...detail,
    trigger,
    triggering,
    /** A run is active, or one was requested and has not ended yet. */
    running: Boolean(value?.backingUp || awaiting !== undefined),
  };
}
