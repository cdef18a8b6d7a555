import { useCallback, useEffect, useState } from 'react';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import {
  CONDITION_BACKING_UP,
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
 * How the run that just ended went. The `BackingUp` condition says it best: `BackupSucceeded`, or
 * the reason of a failed Job or of a refused pre-flight (which starts no Job). Without conditions,
 * the newest run decides.
 */
function outcomeOf(
  detail: ClusterDetail,
):
  | { ok: true; size?: number; durationSeconds?: number }
  | { ok: false; reason: string } {
  const run = detail.runs[0];
  const condition = detail.conditions?.find(
    c => c.type === CONDITION_BACKING_UP && c.status === 'False',
  );
  const failed = condition
    ? condition.reason !== 'BackupSucceeded'
    : run?.phase === 'Failed';
  if (failed) {
    const reason = condition
      ? [condition.reason, condition.message].filter(Boolean).join(': ')
      : run?.message ?? run?.reason ?? detail.backup?.lastFailureReason;
    return { ok: false, reason: reason || 'unknown reason' };
  }
  return {
    ok: true,
    size: detail.backup?.lastBackupSize ?? run?.size,
    durationSeconds: detail.backup?.lastBackupDuration ?? run?.durationSeconds,
  };
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
    const outcome = outcomeOf(value);
    if (outcome.ok) {
      alertApi.post({
        message: `Backup of ${label} finished (${formatBytes(
          outcome.size,
        )} in ${formatDuration(outcome.durationSeconds)})`,
        severity: 'success',
        display: 'transient',
      });
    } else {
      alertApi.post({
        message: `Backup of ${label} failed: ${outcome.reason}`,
        severity: 'error',
      });
    }
  }, [awaiting, value, alertApi, label]);

  const { kubernetesCluster, namespace, name } = ref;
  /** Resolves `undefined` when the backend accepted the trigger, else why not (also alerted). */
  const trigger = useCallback(
    async (reason: string): Promise<string | undefined> => {
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
        return undefined;
      } catch (e) {
        const why = describeError(e);
        alertApi.post({
          message: `Could not start a backup of ${label}: ${why}`,
          severity: 'error',
        });
        return why;
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
