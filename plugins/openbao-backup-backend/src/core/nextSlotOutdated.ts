import {
  OpenBaoCluster,
  isScheduledTime,
  parseSchedule,
} from '@internal/plugin-openbao-backup-common';
import { isNextSlot } from './isNextSlot';
import { toMillis } from './types';

/**
 * True when `status.backup.nextScheduledBackup` no longer matches `spec.backup` — the schedule,
 * zone or `suspend` was edited, or no slot is stored yet — so a pass should run now rather than at
 * the next tick (the watch asks this). The same rules as `decideRun`'s `record-next`; an invalid
 * schedule is left to the periodic pass, which reports it.
 */
export function nextSlotOutdated(cluster: OpenBaoCluster, now: Date): boolean {
  const backup = cluster.spec?.backup;
  if (!backup) return false;
  const status = cluster.status?.backup;
  const stored = toMillis(status?.nextScheduledBackup);
  if (backup.suspend) return stored !== undefined;
  if (!parseSchedule(backup.schedule, backup.timeZone).ok) return false;
  if (stored === undefined) return true;
  const nowMs = now.getTime();
  if (stored <= nowMs) {
    // Due: only a slot the schedule no longer has is outdated; a due slot is the pass's business.
    return !isScheduledTime(backup.schedule, backup.timeZone, new Date(stored));
  }
  const base = Math.max(
    nowMs,
    toMillis(status?.lastAttemptScheduledTime) ?? -Infinity,
  );
  return !isNextSlot(backup.schedule, backup.timeZone, stored, base);
}
