import { clusterHealth, explainClusterHealth } from './health';
import { BackupStatus } from './types';

const now = new Date('2026-11-25T09:00:00Z');
const daily = { schedule: '0 2 * * *' };
const status = (backup: BackupStatus) => ({ phase: 'Running', backup });

describe('clusterHealth', () => {
  it.each([
    ['unreachable', status({}), daily, { unreachable: true }, 'unknown'],
    ['no spec.backup', status({}), undefined, {}, 'unknown'],
    ['no status at all', undefined, daily, {}, 'never'],
    ['never succeeded, never tried', status({}), daily, {}, 'never'],
    [
      'never succeeded, failed once',
      status({
        lastAttemptTime: '2026-11-25T02:00:00Z',
        consecutiveFailures: 1,
      }),
      daily,
      {},
      'failing',
    ],
    [
      'failed after a success',
      status({
        lastBackupTime: '2026-11-24T02:05:00Z',
        lastAttemptTime: '2026-11-25T02:00:00Z',
        consecutiveFailures: 1,
      }),
      daily,
      {},
      'failing',
    ],
    [
      'one failure below a threshold of 3',
      status({
        lastBackupTime: '2026-11-24T09:00:00Z',
        lastAttemptTime: '2026-11-25T02:00:00Z',
        consecutiveFailures: 1,
      }),
      daily,
      { failureThreshold: 3 },
      'ok',
    ],
    [
      'threshold reached',
      status({
        lastBackupTime: '2026-11-22T02:05:00Z',
        lastAttemptTime: '2026-11-25T02:00:00Z',
        consecutiveFailures: 3,
      }),
      daily,
      { failureThreshold: 3 },
      'failing',
    ],
    [
      'failures counted but the last success is newer than the last attempt (stale counter)',
      status({
        lastBackupTime: '2026-11-25T02:05:00Z',
        lastAttemptTime: '2026-11-25T02:00:00Z',
        consecutiveFailures: 2,
      }),
      daily,
      {},
      'ok',
    ],
    [
      'suspended',
      status({ lastBackupTime: '2026-01-01T00:00:00Z' }),
      { ...daily, suspend: true },
      {},
      'suspended',
    ],
    [
      'suspended but failing beats suspended',
      status({
        lastAttemptTime: '2026-11-25T08:00:00Z',
        consecutiveFailures: 1,
      }),
      { ...daily, suspend: true },
      {},
      'failing',
    ],
    [
      'suspended and never ran',
      status({}),
      { ...daily, suspend: true },
      {},
      'suspended',
    ],
    [
      'recent',
      status({ lastBackupTime: '2026-11-25T02:05:00Z' }),
      daily,
      {},
      'ok',
    ],
    // 24 h interval + 1 h grace = 25 h: 2026-11-24T08:00 is exactly 25 h ago → still ok; one second more → stale.
    [
      'exactly at the threshold',
      status({ lastBackupTime: '2026-11-24T08:00:00Z' }),
      daily,
      {},
      'ok',
    ],
    [
      'one second past the threshold',
      status({ lastBackupTime: '2026-11-24T07:59:59Z' }),
      daily,
      {},
      'stale',
    ],
    [
      'stale with factor 2',
      status({ lastBackupTime: '2026-11-23T08:00:00Z' }),
      daily,
      { staleFactor: 2, graceSeconds: 0 },
      'stale',
    ],
    [
      'not stale with factor 2',
      status({ lastBackupTime: '2026-11-23T09:00:00Z' }),
      daily,
      { staleFactor: 2, graceSeconds: 0 },
      'ok',
    ],
    [
      'every 5 minutes, 10 min old, no grace',
      status({ lastBackupTime: '2026-11-25T08:50:00Z' }),
      { schedule: '*/5 * * * *' },
      { graceSeconds: 0 },
      'stale',
    ],
    [
      'invalid schedule with a success',
      status({ lastBackupTime: '2026-11-25T02:05:00Z' }),
      { schedule: 'nope' },
      {},
      'unknown',
    ],
    [
      'invalid zone, never',
      status({}),
      { schedule: '0 2 * * *', timeZone: 'Mars/Base' },
      {},
      'never',
    ],
    [
      'unparseable lastBackupTime counts as none',
      status({ lastBackupTime: 'yesterday' }),
      daily,
      {},
      'never',
    ],
    // Weekday schedule on a Sunday: Friday's backup is fine (interval Fri → Mon = 72 h).
    [
      'weekday schedule over the weekend',
      status({ lastBackupTime: '2026-11-27T02:05:00Z' }),
      { schedule: '0 2 * * 1-5' },
      {},
      'ok',
    ],
  ] as const)('%s → %s', (_, s, backup, options, expected) => {
    const at =
      _ === 'weekday schedule over the weekend'
        ? new Date('2026-11-29T20:00:00Z')
        : now;
    expect(clusterHealth(s, backup, at, options)).toBe(expected);
  });

  it('measures the interval around the last success: a missed Monday after a Friday backup is stale', () => {
    const weekdays = { schedule: '0 2 * * 1-5' };
    const friday = status({ lastBackupTime: '2026-11-27T02:05:00Z' });
    // Friday's slot → Monday's slot = 72 h, + 1 h grace: stale from Monday 03:05.
    expect(
      clusterHealth(friday, weekdays, new Date('2026-11-30T03:05:00Z')),
    ).toBe('ok');
    expect(
      clusterHealth(friday, weekdays, new Date('2026-11-30T03:05:01Z')),
    ).toBe('stale');
    // A daily 02:00 in Amsterdam: Sunday 02:00 CEST (fall-back day) → Monday 02:00 CET is 25 h.
    const amsterdam = { schedule: '0 2 * * *', timeZone: 'Europe/Amsterdam' };
    const sunday = status({ lastBackupTime: '2026-10-25T00:00:00Z' }); // the first 02:00 (CEST)
    expect(
      explainClusterHealth(sunday, amsterdam, new Date('2026-10-26T01:30:00Z')),
    ).toMatchObject({
      health: 'ok',
      expectedIntervalSeconds: 25 * 3600,
      staleAt: new Date('2026-10-26T02:00:00Z'),
    });
  });

  it('gives the interval for failing, suspended and never too', () => {
    const failing = status({
      lastBackupTime: '2026-11-24T02:05:00Z',
      lastAttemptTime: '2026-11-25T02:00:00Z',
      consecutiveFailures: 1,
    });
    expect(explainClusterHealth(failing, daily, now)).toMatchObject({
      health: 'failing',
      expectedIntervalSeconds: 86400,
    });
    expect(
      explainClusterHealth(
        status({ lastBackupTime: '2026-11-24T02:05:00Z' }),
        { ...daily, suspend: true },
        now,
      ),
    ).toMatchObject({
      health: 'suspended',
      expectedIntervalSeconds: 86400,
    });
    expect(
      explainClusterHealth(
        status({ nextScheduledBackup: '2026-11-26T02:00:00Z' }),
        { schedule: '0 */6 * * *' },
        now,
      ),
    ).toMatchObject({
      health: 'never',
      expectedIntervalSeconds: 6 * 3600,
    });
    expect(explainClusterHealth(status({}), daily, now)).not.toHaveProperty(
      'expectedIntervalSeconds',
    );
  });

  it('explains the verdict with the numbers behind it', () => {
    expect(
      explainClusterHealth(
        status({ lastBackupTime: '2026-11-24T07:00:00Z' }),
        daily,
        now,
      ),
    ).toEqual({
      health: 'stale',
      expectedIntervalSeconds: 86400,
      staleAt: new Date('2026-11-25T08:00:00Z'),
      reason:
        'last success 93600 s ago, more than 90000 s (interval 86400 s × 1 + 3600 s grace)',
    });
    expect(
      explainClusterHealth(
        status({
          lastAttemptTime: '2026-11-25T02:00:00Z',
          consecutiveFailures: 2,
          lastFailureReason: 'StorageFailed: 403',
        }),
        daily,
        now,
      ),
    ).toMatchObject({
      health: 'failing',
      reason: '2 consecutive failed runs: StorageFailed: 403',
    });
  });
});
