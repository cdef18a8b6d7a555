import { CronExpressionParser } from 'cron-parser';

/** A backup schedule after {@link parseSchedule}: a 5-field cron expression and its IANA zone. */
export interface ParsedSchedule {
  /** 5 fields: minute hour day-of-month month day-of-week (macros expanded). */
  expression: string;
  /** IANA zone the expression is read in; `UTC` when none was given. */
  timeZone: string;
}

/** Result of {@link parseSchedule}; `error` is a sentence meant for a condition message. */
export type ScheduleParseResult =
  | { ok: true; schedule: ParsedSchedule }
  | { ok: false; error: string };

/** The macros Kubernetes CronJobs accept, as 5-field expressions. */
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const CRON_TZ_PREFIX = /^CRON_TZ=(\S*)\s+(.*)$/;

/*
 * cron-parser (on luxon) is slow: ~0.3 ms to parse and ~0.5 ms per step. A reconciler asks the same
 * questions about the same schedules every pass, so answers are memoised in small maps that are
 * simply emptied when they grow past MEMO_LIMIT entries.
 */
const MEMO_LIMIT = 10000;
const zoneValidity = new Map<string, boolean>();
const parsedSchedules = new Map<string, ScheduleParseResult>();
const slotMemo = new Map<string, number | null>();

function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size >= MEMO_LIMIT) map.clear();
  map.set(key, value);
  return value;
}

/** True when `zone` is an IANA time zone this runtime knows (checked with `Intl.DateTimeFormat`). */
export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.trim() === '' || zone !== zone.trim()) {
    return false;
  }
  const known = zoneValidity.get(zone);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    // eslint-disable-next-line no-new
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    valid = true;
  } catch {
    valid = false;
  }
  remember(zoneValidity, zone, valid);
  return valid;
}

/**
 * Reads `spec.backup.schedule` and `spec.backup.timeZone`.
 *
 * - The schedule is 5-field cron (`minute hour day-of-month month day-of-week`), or one of the
 *   Kubernetes CronJob macros (`@hourly`, `@daily`/`@midnight`, `@weekly`, `@monthly`,
 *   `@yearly`/`@annually`). Names (`MON-FRI`, `JAN`), ranges, lists, steps, `?`, `L` and `#` are
 *   accepted as cron-parser reads them; 6-field (seconds) expressions and Jenkins-style `H` are not.
 * - The zone comes from a `CRON_TZ=<IANA> ` prefix or from `timeZone`; giving both with different
 *   values is an error, giving neither means UTC. The zone must be known to `Intl`.
 */
export function parseSchedule(
  schedule: string | undefined,
  timeZone?: string,
): ScheduleParseResult {
  const key = `${schedule}\u0000${timeZone}`;
  const known = parsedSchedules.get(key);
  if (known) return known;
  const result = parseScheduleUncached(schedule, timeZone);
  if (result.ok) Object.freeze(result.schedule);
  return remember(parsedSchedules, key, Object.freeze(result));
}

function parseScheduleUncached(
  schedule: string | undefined,
  timeZone: string | undefined,
): ScheduleParseResult {
  let text = (schedule ?? '').trim();
  if (!text) {
    return {
      ok: false,
      error:
        'schedule is empty: set a 5-field cron expression such as "0 2 * * *"',
    };
  }
  let zone = timeZone === undefined || timeZone === '' ? undefined : timeZone;
  const prefixed = CRON_TZ_PREFIX.exec(text);
  if (text.startsWith('CRON_TZ=') && !prefixed) {
    return {
      ok: false,
      error: `schedule "${text}" has a CRON_TZ= prefix but no cron expression after it`,
    };
  }
  if (prefixed) {
    const [, prefixZone, rest] = prefixed;
    if (zone !== undefined && zone !== prefixZone) {
      return {
        ok: false,
        error: `schedule sets CRON_TZ=${prefixZone} but timeZone is "${zone}": set the zone in only one place`,
      };
    }
    zone = prefixZone;
    text = rest.trim();
  }
  zone = zone ?? 'UTC';
  if (!isValidTimeZone(zone)) {
    return {
      ok: false,
      error: `time zone "${zone}" is not a known IANA time zone (e.g. "UTC", "Europe/Amsterdam")`,
    };
  }
  const expression = MACROS[text.toLowerCase()] ?? text.split(/\s+/).join(' ');
  if (expression.startsWith('@')) {
    return {
      ok: false,
      error: `schedule "${text}" is not a known macro (use @hourly, @daily, @weekly, @monthly or @yearly, or 5 cron fields)`,
    };
  }
  const fields = expression.split(' ');
  if (fields.length !== 5) {
    return {
      ok: false,
      error: `schedule "${text}" has ${fields.length} field${
        fields.length === 1 ? '' : 's'
      }; expected 5 (minute hour day-of-month month day-of-week)`,
    };
  }
  if (/h/i.test(expression.replace(/[a-z]{3}/gi, ''))) {
    return {
      ok: false,
      error: `schedule "${text}" uses H (hashed values), which is not supported`,
    };
  }
  try {
    const parsed = CronExpressionParser.parse(expression, {
      tz: zone,
      currentDate: new Date(Date.UTC(2000, 0, 1)),
    });
    parsed.next(); // surfaces "no possible date" expressions
  } catch (e) {
    return {
      ok: false,
      error: `schedule "${text}" is not a valid cron expression: ${
        (e as Error).message
      }`,
    };
  }
  return { ok: true, schedule: { expression, timeZone: zone } };
}

function cronFor(
  schedule: string,
  timeZone: string | undefined,
  from: Date,
): ReturnType<typeof CronExpressionParser.parse> | undefined {
  const parsed = parseSchedule(schedule, timeZone);
  if (!parsed.ok || Number.isNaN(from.getTime())) return undefined;
  return CronExpressionParser.parse(parsed.schedule.expression, {
    tz: parsed.schedule.timeZone,
    currentDate: from,
  });
}

/**
 * cron-parser answers differently depending on where it starts near a DST change: started inside
 * the repeated hour of a fall-back it yields that hour's slots a second time, and started just after
 * a spring-forward it misses the slot shifted out of the skipped hour. Its `prev()` has the same
 * problems. The schedule's slots are defined here as what `next()` yields when started at least
 * this long before any offset change, which makes every function of this module agree.
 */
const TRANSITION_WINDOW_MS = 4 * 60 * 60 * 1000;

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

function offsetAt(zone: string, at: Date): string {
  let format = offsetFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      timeZoneName: 'longOffset',
    });
    offsetFormats.set(zone, format);
  }
  return (
    format.formatToParts(at).find(p => p.type === 'timeZoneName')?.value ?? ''
  );
}

function zoneOf(
  schedule: string,
  timeZone: string | undefined,
): string | undefined {
  const parsed = parseSchedule(schedule, timeZone);
  return parsed.ok ? parsed.schedule.timeZone : undefined;
}

function memoised(
  kind: string,
  schedule: string,
  timeZone: string | undefined,
  at: Date,
  compute: () => Date | undefined,
): Date | undefined {
  const key = `${kind}\u0000${schedule}\u0000${timeZone}\u0000${at.getTime()}`;
  let ms = slotMemo.get(key);
  if (ms === undefined) {
    ms = remember(slotMemo, key, compute()?.getTime() ?? null);
  }
  return ms === null ? undefined : new Date(ms);
}

/**
 * A cron-parser iterator whose `next()` yields the canonical slots after `from`: started at `from`
 * when no offset changed in the window before it, else started before the change.
 */
function canonicalIterator(
  schedule: string,
  timeZone: string | undefined,
  from: Date,
) {
  const zone = zoneOf(schedule, timeZone)!;
  const anchor = new Date(from.getTime() - TRANSITION_WINDOW_MS);
  const start = offsetAt(zone, anchor) === offsetAt(zone, from) ? from : anchor;
  return cronFor(schedule, timeZone, start)!;
}

/**
 * The first slot strictly after `after`, or `undefined` when the schedule or zone is invalid (read
 * {@link parseSchedule} for the reason). DST: a slot in a skipped local hour runs at the first
 * existing instant after it (02:30 on a spring-forward day in Europe/Amsterdam → 03:30 CEST); a slot
 * in a repeated hour runs once, at its first occurrence.
 */
export function nextRunAt(
  schedule: string,
  timeZone: string | undefined,
  after: Date,
): Date | undefined {
  if (!zoneOf(schedule, timeZone) || Number.isNaN(after.getTime()))
    return undefined;
  return memoised('next', schedule, timeZone, after, () => {
    try {
      const cron = canonicalIterator(schedule, timeZone, after);
      for (let i = 0; i < 100000; i++) {
        const slot = cron.next().toDate();
        if (slot.getTime() > after.getTime()) return slot;
      }
      return undefined;
    } catch {
      return undefined;
    }
  });
}

/**
 * The latest slot at or before `atOrBefore` (a slot exactly at that instant counts), or `undefined`
 * when the schedule or zone is invalid or no slot exists. Always consistent with
 * {@link nextRunAt}: cron-parser's `prev()` only proposes where to start, then this walks forward.
 */
export function previousRunAt(
  schedule: string,
  timeZone: string | undefined,
  atOrBefore: Date,
): Date | undefined {
  if (!zoneOf(schedule, timeZone) || Number.isNaN(atOrBefore.getTime())) {
    return undefined;
  }
  return memoised('previous', schedule, timeZone, atOrBefore, () => {
    const limit = atOrBefore.getTime();
    let from = limit;
    try {
      for (let attempt = 0; attempt < 100; attempt++) {
        const back = cronFor(schedule, timeZone, new Date(from + 1))!;
        back.prev();
        const start = back.prev().toDate();
        const cron = canonicalIterator(
          schedule,
          timeZone,
          new Date(start.getTime() - 1),
        );
        let found: Date | undefined;
        for (let i = 0; i < 100000; i++) {
          const slot = cron.next().toDate();
          if (slot.getTime() > limit) break;
          found = slot;
        }
        if (found) return found;
        // Only non-slots (a repeated hour's second pass) since `start`: look further back.
        from = start.getTime() - 1;
      }
      return undefined;
    } catch {
      return undefined;
    }
  });
}

/** True when `time` is exactly one of the schedule's slots. */
export function isScheduledTime(
  schedule: string,
  timeZone: string | undefined,
  time: Date,
): boolean {
  const next = nextRunAt(schedule, timeZone, new Date(time.getTime() - 1));
  return next !== undefined && next.getTime() === time.getTime();
}

/**
 * The gap in seconds between the slots around `now` (the latest slot at or before `now` and the
 * first after it): 86400 for a daily schedule, 82800/90000 across a DST change, 259200 over a
 * weekend for a weekday schedule. Staleness thresholds and the `_expected_interval_seconds` metric
 * use it. `undefined` for an invalid schedule.
 */
export function expectedIntervalSeconds(
  schedule: string,
  timeZone: string | undefined,
  now: Date,
): number | undefined {
  const previous = previousRunAt(schedule, timeZone, now);
  const next = nextRunAt(schedule, timeZone, now);
  if (!previous || !next) return undefined;
  return Math.round((next.getTime() - previous.getTime()) / 1000);
}
