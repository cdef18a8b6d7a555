import { makeCluster } from './__fixtures__/builders';
import { nextSlotOutdated } from './nextSlotOutdated';

const now = new Date('2026-03-10T02:59:30Z');

function cluster(
  backup: Record<string, unknown>,
  status: Record<string, unknown> | null,
) {
  return makeCluster({
    spec: { backup: { timeZone: null, ...backup } as any },
    status: { backup: status as any },
  });
}

describe('nextSlotOutdated', () => {
  it.each([
    [
      'the stored slot is the next one',
      { schedule: '0 3 * * *' },
      { nextScheduledBackup: '2026-03-10T03:00:00Z' },
      false,
    ],
    [
      'daily → 04:30',
      { schedule: '30 4 * * *' },
      { nextScheduledBackup: '2026-03-10T03:00:00Z' },
      true,
    ],
    [
      'daily → hourly, 03:00 still the next slot',
      { schedule: '0 * * * *' },
      { nextScheduledBackup: '2026-03-10T03:00:00Z' },
      false,
    ],
    [
      'daily → hourly, tomorrow 03:00 is a slot of both but not the next',
      { schedule: '0 * * * *' },
      { nextScheduledBackup: '2026-03-11T03:00:00Z' },
      true,
    ],
    [
      'zone edited',
      { schedule: '0 3 * * *', timeZone: 'Europe/Amsterdam' },
      { nextScheduledBackup: '2026-03-10T03:00:00Z' },
      true,
    ],
    ['nothing stored yet', { schedule: '0 3 * * *' }, null, true],
    [
      'suspended with a stored slot',
      { schedule: '0 3 * * *', suspend: true },
      { nextScheduledBackup: '2026-03-10T03:00:00Z' },
      true,
    ],
    [
      'suspended, nothing stored',
      { schedule: '0 3 * * *', suspend: true },
      null,
      false,
    ],
    [
      'invalid schedule (left to the periodic pass)',
      { schedule: '0 3 * *' },
      { nextScheduledBackup: '2026-03-10T03:00:00Z' },
      false,
    ],
    [
      'due slot still in the schedule',
      { schedule: '59 2 * * *' },
      { nextScheduledBackup: '2026-03-10T02:59:00Z' },
      false,
    ],
    [
      'due slot no longer in the schedule',
      { schedule: '0 3 * * *' },
      { nextScheduledBackup: '2026-03-10T02:59:00Z' },
      true,
    ],
    [
      'slot after an attempted one',
      { schedule: '0 3 * * *' },
      {
        nextScheduledBackup: '2026-03-11T03:00:00Z',
        lastAttemptScheduledTime: '2026-03-10T03:00:00Z',
      },
      false,
    ],
  ])('%s', (_what, backup, status, expected) => {
    expect(nextSlotOutdated(cluster(backup, status), now)).toBe(expected);
  });

  it('is false without spec.backup', () => {
    expect(nextSlotOutdated(makeCluster({ spec: { backup: null } }), now)).toBe(
      false,
    );
  });
});
