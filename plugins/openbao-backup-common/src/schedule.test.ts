import {
  expectedIntervalSeconds,
  isScheduledTime,
  isValidTimeZone,
  nextRunAt,
  parseSchedule,
  previousRunAt,
} from './schedule';

const d = (iso: string) => new Date(iso);

describe('parseSchedule', () => {
  it.each([
    ['0 2 * * *', undefined, { expression: '0 2 * * *', timeZone: 'UTC' }],
    ['  0  2 * *   * ', '', { expression: '0 2 * * *', timeZone: 'UTC' }],
    [
      '0 2 * * *',
      'Europe/Amsterdam',
      { expression: '0 2 * * *', timeZone: 'Europe/Amsterdam' },
    ],
    [
      'CRON_TZ=America/New_York 30 1 * * *',
      undefined,
      { expression: '30 1 * * *', timeZone: 'America/New_York' },
    ],
    [
      'CRON_TZ=Europe/Amsterdam 0 2 * * *',
      'Europe/Amsterdam',
      { expression: '0 2 * * *', timeZone: 'Europe/Amsterdam' },
    ],
    ['@daily', undefined, { expression: '0 0 * * *', timeZone: 'UTC' }],
    ['@HOURLY', undefined, { expression: '0 * * * *', timeZone: 'UTC' }],
    ['@weekly', undefined, { expression: '0 0 * * 0', timeZone: 'UTC' }],
    ['@monthly', undefined, { expression: '0 0 1 * *', timeZone: 'UTC' }],
    ['@annually', undefined, { expression: '0 0 1 1 *', timeZone: 'UTC' }],
    [
      '*/15 8-18 * * MON-FRI',
      undefined,
      { expression: '*/15 8-18 * * MON-FRI', timeZone: 'UTC' },
    ],
    ['0 0 29 2 *', undefined, { expression: '0 0 29 2 *', timeZone: 'UTC' }],
    ['0 3 * * THU', undefined, { expression: '0 3 * * THU', timeZone: 'UTC' }],
  ])('accepts %j (tz %j)', (schedule, tz, expected) => {
    expect(parseSchedule(schedule, tz)).toEqual({
      ok: true,
      schedule: expected,
    });
  });

  it.each([
    [undefined, undefined, /schedule is empty/],
    ['', undefined, /schedule is empty/],
    ['0 3 * *', undefined, /has 4 fields; expected 5/],
    ['0 0 3 * * *', undefined, /has 6 fields; expected 5/],
    ['daily', undefined, /has 1 field; expected 5/],
    ['@reboot', undefined, /not a known macro/],
    ['61 3 * * *', undefined, /not a valid cron expression: .*61/],
    ['0 0 31 2 *', undefined, /not a valid cron expression/],
    ['a b c d e', undefined, /not a valid cron expression/],
    ['H 3 * * *', undefined, /uses H/],
    [
      '0 2 * * *',
      'Mars/Olympus_Mons',
      /time zone "Mars\/Olympus_Mons" is not a known IANA time zone/,
    ],
    ['0 2 * * *', ' UTC', /is not a known IANA time zone/],
    ['CRON_TZ=Nowhere/Land 0 2 * * *', undefined, /time zone "Nowhere\/Land"/],
    [
      'CRON_TZ=Europe/Amsterdam 0 2 * * *',
      'America/New_York',
      /CRON_TZ=Europe\/Amsterdam but timeZone is "America\/New_York"/,
    ],
    ['CRON_TZ=UTC', undefined, /no cron expression after it/],
  ])('rejects %j (tz %j)', (schedule, tz, message) => {
    const result = parseSchedule(schedule, tz);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(message);
  });
});

describe('isValidTimeZone', () => {
  it.each([
    ['UTC', true],
    ['Europe/Amsterdam', true],
    ['America/New_York', true],
    ['Etc/GMT+5', true],
    ['Mars/Base', false],
    ['', false],
    [' UTC', false],
  ])('%j → %s', (zone, valid) => {
    expect(isValidTimeZone(zone)).toBe(valid);
  });
});

describe('nextRunAt / previousRunAt', () => {
  it.each([
    // [schedule, tz, after, next]
    ['0 2 * * *', undefined, '2026-11-25T01:59:59Z', '2026-11-25T02:00:00Z'],
    ['0 2 * * *', undefined, '2026-11-25T02:00:00Z', '2026-11-26T02:00:00Z'], // strictly after
    [
      '0 2 * * *',
      'Europe/Amsterdam',
      '2026-11-25T00:00:00Z',
      '2026-11-25T01:00:00Z',
    ], // CET = UTC+1
    // Europe/Amsterdam spring forward 2026-03-29 02:00 → 03:00: 02:30 does not exist, runs 03:30 CEST.
    [
      '30 2 * * *',
      'Europe/Amsterdam',
      '2026-03-28T12:00:00Z',
      '2026-03-29T01:30:00Z',
    ],
    [
      '30 2 * * *',
      'Europe/Amsterdam',
      '2026-03-29T01:30:00Z',
      '2026-03-30T00:30:00Z',
    ],
    // Europe/Amsterdam fall back 2026-10-25 03:00 → 02:00: 02:30 happens twice, runs once (first).
    [
      '30 2 * * *',
      'Europe/Amsterdam',
      '2026-10-24T12:00:00Z',
      '2026-10-25T00:30:00Z',
    ],
    [
      '30 2 * * *',
      'Europe/Amsterdam',
      '2026-10-25T00:30:00Z',
      '2026-10-26T01:30:00Z',
    ],
    // America/New_York spring forward 2026-03-08 02:00 → 03:00.
    [
      '30 2 * * *',
      'America/New_York',
      '2026-03-07T12:00:00Z',
      '2026-03-08T07:30:00Z',
    ],
    [
      '30 2 * * *',
      'America/New_York',
      '2026-03-08T07:30:00Z',
      '2026-03-09T06:30:00Z',
    ],
    // America/New_York fall back 2026-11-01 02:00 → 01:00: 01:30 EDT runs, 01:30 EST does not.
    [
      '30 1 * * *',
      'America/New_York',
      '2026-10-31T12:00:00Z',
      '2026-11-01T05:30:00Z',
    ],
    [
      '30 1 * * *',
      'America/New_York',
      '2026-11-01T05:30:00Z',
      '2026-11-02T06:30:00Z',
    ],
    [
      'CRON_TZ=America/New_York 30 1 * * *',
      undefined,
      '2026-11-01T05:30:00Z',
      '2026-11-02T06:30:00Z',
    ],
    // Feb 29 only in leap years.
    ['0 0 29 2 *', undefined, '2026-01-01T00:00:00Z', '2028-02-29T00:00:00Z'],
    ['0 0 29 2 *', undefined, '2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z'],
    ['@hourly', undefined, '2026-11-25T09:02:03.456Z', '2026-11-25T10:00:00Z'],
  ])('%s in %s after %s → %s', (schedule, tz, after, next) => {
    expect(nextRunAt(schedule, tz, d(after))).toEqual(d(next));
  });

  it.each([
    // [schedule, tz, atOrBefore, previous]
    ['0 2 * * *', undefined, '2026-11-25T02:00:00Z', '2026-11-25T02:00:00Z'], // at the slot counts
    [
      '0 2 * * *',
      undefined,
      '2026-11-25T01:59:59.999Z',
      '2026-11-24T02:00:00Z',
    ],
    [
      '0 2 * * *',
      undefined,
      '2026-11-25T02:00:00.500Z',
      '2026-11-25T02:00:00Z',
    ],
    ['0 0 29 2 *', undefined, '2027-06-01T00:00:00Z', '2024-02-29T00:00:00Z'],
    [
      '30 2 * * *',
      'Europe/Amsterdam',
      '2026-03-29T12:00:00Z',
      '2026-03-29T01:30:00Z',
    ],
  ])('previous of %s in %s at %s → %s', (schedule, tz, at, previous) => {
    expect(previousRunAt(schedule, tz, d(at))).toEqual(d(previous));
  });

  it.each([
    ['bad', undefined],
    ['0 2 * * *', 'Mars/Base'],
  ])('returns undefined for an invalid schedule %j / %j', (schedule, tz) => {
    expect(nextRunAt(schedule, tz, d('2026-01-01T00:00:00Z'))).toBeUndefined();
    expect(
      previousRunAt(schedule, tz, d('2026-01-01T00:00:00Z')),
    ).toBeUndefined();
    expect(
      expectedIntervalSeconds(schedule, tz, d('2026-01-01T00:00:00Z')),
    ).toBeUndefined();
    expect(isScheduledTime(schedule, tz, d('2026-01-01T00:00:00Z'))).toBe(
      false,
    );
  });

  it('returns undefined for an invalid date', () => {
    expect(nextRunAt('0 2 * * *', undefined, new Date(NaN))).toBeUndefined();
  });
});

describe('isScheduledTime', () => {
  it.each([
    ['0 2 * * *', undefined, '2026-11-25T02:00:00Z', true],
    ['0 2 * * *', undefined, '2026-11-25T02:00:01Z', false],
    ['0 2 * * *', undefined, '2026-11-25T03:00:00Z', false],
    ['0 2 * * *', 'Europe/Amsterdam', '2026-11-25T01:00:00Z', true],
    ['0 2 * * *', 'Europe/Amsterdam', '2026-11-25T02:00:00Z', false],
  ])('%s %s %s → %s', (schedule, tz, time, expected) => {
    expect(isScheduledTime(schedule, tz, d(time))).toBe(expected);
  });
});

describe('expectedIntervalSeconds', () => {
  it.each([
    ['0 2 * * *', undefined, '2026-11-25T09:00:00Z', 86400],
    ['*/5 * * * *', undefined, '2026-11-25T09:02:00Z', 300],
    ['@hourly', undefined, '2026-11-25T09:00:00Z', 3600],
    // 23 h and 25 h days across DST in Europe/Amsterdam and America/New_York.
    ['0 12 * * *', 'Europe/Amsterdam', '2026-03-29T00:00:00Z', 23 * 3600],
    ['0 12 * * *', 'Europe/Amsterdam', '2026-10-25T00:00:00Z', 25 * 3600],
    ['0 12 * * *', 'America/New_York', '2026-03-08T12:00:00Z', 23 * 3600],
    ['0 12 * * *', 'America/New_York', '2026-11-01T12:00:00Z', 25 * 3600],
    // Weekday schedule over a weekend (Friday → Monday).
    ['0 2 * * 1-5', undefined, '2026-11-28T12:00:00Z', 3 * 86400],
    [
      '0 0 29 2 *',
      undefined,
      '2026-06-01T00:00:00Z',
      (Date.UTC(2028, 1, 29) - Date.UTC(2024, 1, 29)) / 1000,
    ],
  ])('%s in %s around %s → %d s', (schedule, tz, now, seconds) => {
    expect(expectedIntervalSeconds(schedule, tz, d(now))).toBe(seconds);
  });
});

describe('previousRunAt agrees with nextRunAt', () => {
  it('lists the canonical slots of a repeated hour once', () => {
    const slots: string[] = [];
    for (
      let slot = nextRunAt(
        '*/20 1-2 * * *',
        'America/New_York',
        d('2026-11-01T04:00:00Z'),
      )!;
      slot < d('2026-11-01T09:00:00Z');
      slot = nextRunAt('*/20 1-2 * * *', 'America/New_York', slot)!
    ) {
      slots.push(slot.toISOString().slice(11, 16));
    }
    // 01:00–01:40 EDT, then 02:00–02:40 EST; 01:xx EST (06:00–06:40Z) is not run again.
    expect(slots).toEqual([
      '05:00',
      '05:20',
      '05:40',
      '07:00',
      '07:20',
      '07:40',
    ]);
    // Asked from inside the repeated hour, the answer is the same.
    expect(
      nextRunAt(
        '*/20 1-2 * * *',
        'America/New_York',
        d('2026-11-01T06:10:00Z'),
      ),
    ).toEqual(d('2026-11-01T07:00:00Z'));
    expect(
      previousRunAt(
        '*/20 1-2 * * *',
        'America/New_York',
        d('2026-11-01T06:45:00Z'),
      ),
    ).toEqual(d('2026-11-01T05:40:00Z'));
    expect(
      isScheduledTime(
        '*/20 1-2 * * *',
        'America/New_York',
        d('2026-11-01T06:20:00Z'),
      ),
    ).toBe(false);
  });

  it('runs the slot shifted out of a skipped hour, asked from either side', () => {
    expect(
      nextRunAt('30 2 * * *', 'Europe/Amsterdam', d('2026-03-29T01:00:00Z')),
    ).toEqual(d('2026-03-29T01:30:00Z'));
    expect(
      nextRunAt('30 2 * * *', 'Europe/Amsterdam', d('2026-03-29T01:29:00Z')),
    ).toEqual(d('2026-03-29T01:30:00Z'));
    expect(
      previousRunAt(
        '30 2 * * *',
        'Europe/Amsterdam',
        d('2026-03-29T12:00:00Z'),
      ),
    ).toEqual(d('2026-03-29T01:30:00Z'));
    expect(
      isScheduledTime(
        '30 2 * * *',
        'Europe/Amsterdam',
        d('2026-03-29T01:30:00Z'),
      ),
    ).toBe(true);
  });

  it.each([
    [
      '30 2 * * *',
      'Europe/Amsterdam',
      '2026-03-27T00:00:00Z',
      '2026-04-01T00:00:00Z',
    ],
    [
      '30 2 * * *',
      'Europe/Amsterdam',
      '2026-10-23T00:00:00Z',
      '2026-10-28T00:00:00Z',
    ],
    [
      '0,30 * * * *',
      'Europe/Amsterdam',
      '2026-10-24T23:00:00Z',
      '2026-10-25T03:00:00Z',
    ],
    [
      '30 2 * * *',
      'America/New_York',
      '2026-03-07T00:00:00Z',
      '2026-03-10T00:00:00Z',
    ],
    [
      '30 1 * * *',
      'America/New_York',
      '2026-10-31T00:00:00Z',
      '2026-11-03T00:00:00Z',
    ],
    [
      '*/20 1-2 * * *',
      'America/New_York',
      '2026-11-01T04:00:00Z',
      '2026-11-01T09:00:00Z',
    ],
  ])('%s in %s from %s to %s', (schedule, tz, from, to) => {
    // Every slot nextRunAt yields is its own previousRunAt, and the instant before it maps to the slot before.
    let previous = previousRunAt(schedule, tz, d(from))!;
    for (
      let slot = nextRunAt(schedule, tz, d(from))!;
      slot < d(to);
      slot = nextRunAt(schedule, tz, slot)!
    ) {
      expect(previousRunAt(schedule, tz, slot)).toEqual(slot);
      expect(isScheduledTime(schedule, tz, slot)).toBe(true);
      expect(previousRunAt(schedule, tz, new Date(slot.getTime() - 1))).toEqual(
        previous,
      );
      previous = slot;
    }
  });
});
