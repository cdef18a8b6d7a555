const RELATIVE_UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

function parse(time: string | undefined): Date | undefined {
  if (!time) return undefined;
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `"3 hours ago"`, `"in 20 minutes"`; `undefined` for a missing or invalid time. */
export function formatRelative(
  time: string | undefined,
  now: Date = new Date(),
): string | undefined {
  const date = parse(time);
  if (!date) return undefined;
  const seconds = (date.getTime() - now.getTime()) / 1000;
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, size] of RELATIVE_UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      return rtf.format(Math.round(seconds / size), unit);
    }
  }
  return undefined;
}

/**
 * An absolute time in one zone, e.g. `"2026-11-25 02:00 CET"`. Without `timeZone` the viewer's zone is
 * used. `undefined` for a missing or invalid time; an unknown zone falls back to UTC.
 */
export function formatDateTime(
  time: string | undefined,
  timeZone?: string,
): string | undefined {
  const date = parse(time);
  if (!date) return undefined;
  const format = (zone: string | undefined) => {
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    }).formatToParts(date);
    const get = (type: Intl.DateTimeFormatPartTypes) =>
      parts.find(p => p.type === type)?.value ?? '';
    return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get(
      'minute',
    )} ${get('timeZoneName')}`;
  };
  try {
    return format(timeZone);
  } catch {
    return format('UTC');
  }
}

/** The viewer's IANA time zone (`Intl`), e.g. `"Europe/Amsterdam"`. */
export function viewerTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
