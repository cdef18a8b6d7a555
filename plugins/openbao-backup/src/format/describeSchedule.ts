import cronstrue from 'cronstrue';

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** The schedule's cron expression and zone after reading a `CRON_TZ=` prefix; zone defaults to UTC. */
export function splitSchedule(
  schedule: string,
  timeZone?: string,
): { expression: string; timeZone: string } {
  const match = /^CRON_TZ=(\S+)\s+(.*)$/.exec(schedule.trim());
  const text = (match ? match[2] : schedule).trim();
  return {
    expression: MACROS[text.toLowerCase()] ?? text,
    timeZone: (match ? match[1] : timeZone) || 'UTC',
  };
}

/**
 * `"0 2 * * *"` + `"Europe/Amsterdam"` → `"At 02:00 (Europe/Amsterdam)"`. An expression cronstrue
 * cannot read is returned as written.
 */
export function describeSchedule(
  schedule: string | undefined,
  timeZone?: string,
): string | undefined {
  if (!schedule) return undefined;
  const { expression, timeZone: zone } = splitSchedule(schedule, timeZone);
  try {
    const words = cronstrue.toString(expression, {
      use24HourTimeFormat: true,
      verbose: false,
    });
    return `${words} (${zone})`;
  } catch {
    return `${schedule} (${zone})`;
  }
}
