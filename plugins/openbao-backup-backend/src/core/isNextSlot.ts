import {
  isScheduledTime,
  previousRunAt,
} from '@internal/plugin-openbao-backup-common';

/**
 * Whether `stored` is the first slot of the schedule strictly after `base`, asked in a form whose
 * inputs do not change from pass to pass (so the schedule module's memo answers it): `stored` is a
 * slot after `base`, and the slot before it is not after `base`.
 */
export function isNextSlot(
  schedule: string,
  timeZone: string | undefined,
  stored: number,
  base: number,
): boolean {
  if (stored <= base || !isScheduledTime(schedule, timeZone, new Date(stored)))
    return false;
  const before = previousRunAt(schedule, timeZone, new Date(stored - 1));
  return before === undefined || before.getTime() <= base;
}
