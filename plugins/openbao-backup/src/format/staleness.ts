import {
  FleetEntry,
  stringifyClusterRef,
} from '@internal/plugin-openbao-backup-common';

/** Seconds since the last successful backup, or `undefined` when there is none. */
export function ageSeconds(
  entry: Pick<FleetEntry, 'backup'>,
  now: Date,
): number | undefined {
  const last = entry.backup?.lastBackupTime;
  if (!last) return undefined;
  const ms = Date.parse(last);
  if (Number.isNaN(ms)) return undefined;
  return Math.max(0, (now.getTime() - ms) / 1000);
}

/**
 * Age of the last success divided by the expected interval (RPO): 1 means one interval old.
 * Never backed up → `Infinity` (the most stale); no known interval → `-1` (sorted last).
 */
export function staleness(
  entry: Pick<FleetEntry, 'backup' | 'expectedIntervalSeconds'>,
  now: Date,
): number {
  const age = ageSeconds(entry, now);
  if (age === undefined) return Number.POSITIVE_INFINITY;
  const interval = entry.expectedIntervalSeconds;
  if (!interval || interval <= 0) return -1;
  return age / interval;
}

/** Most stale first (never backed up on top, clusters without an interval last); ties by name. */
export function sortByStaleness<T extends FleetEntry>(
  entries: T[],
  now: Date,
): T[] {
  const key = (e: FleetEntry) => stringifyClusterRef(e.ref);
  return [...entries].sort((a, b) => {
    const diff = staleness(b, now) - staleness(a, now);
    if (diff !== 0 && !Number.isNaN(diff)) return diff;
    return key(a).localeCompare(key(b));
  });
}
