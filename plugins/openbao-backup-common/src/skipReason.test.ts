import { skipReasonFor } from './skipReason';
import { Condition, OpenBaoClusterStatus } from './types';

const daily = { schedule: '0 2 * * *' };
const since = '2026-11-25T02:00:00Z';
const backingUp = (
  status: Condition['status'],
  reason: string,
  message = `${reason} message`,
): Condition => ({
  type: 'BackingUp',
  status,
  reason,
  message,
  lastTransitionTime: since,
});
const running = (
  extra: Partial<OpenBaoClusterStatus> = {},
): OpenBaoClusterStatus => ({ phase: 'Running', ...extra });

describe('skipReasonFor', () => {
  it.each([
    ['a healthy running cluster', running(), undefined],
    [
      'the last run succeeded',
      running({ conditions: [backingUp('False', 'BackupSucceeded')] }),
      undefined,
    ],
    [
      'the last Job failed (a failure, not a skip)',
      running({ conditions: [backingUp('False', 'SnapshotFailed')] }),
      undefined,
    ],
    [
      'a recorded upgrade that has ended (status.upgrade cleared)',
      running({ conditions: [backingUp('False', 'UpgradeInProgress')] }),
      undefined,
    ],
    [
      'a recorded non-Running phase that is Running again',
      running({ conditions: [backingUp('False', 'ClusterNotRunning')] }),
      undefined,
    ],
    [
      'a backup running while the operator starts an upgrade',
      running({
        upgrade: { from: '2.4.0' },
        conditions: [backingUp('True', 'BackupRunning')],
      }),
      undefined,
    ],
  ])('nothing for %s', (_, status, expected) => {
    expect(skipReasonFor(status, daily)).toEqual(expected);
  });

  it('nothing without spec.backup (the health is unknown and says why)', () => {
    expect(skipReasonFor({ phase: 'Upgrading' }, undefined)).toBeUndefined();
  });

  it('an upgrade from status.upgrade, before any slot recorded it', () => {
    expect(skipReasonFor(running({ upgrade: { to: '2.5.0' } }), daily)).toEqual(
      {
        reason: 'UpgradeInProgress',
        message: 'an upgrade is in progress (status.upgrade is set)',
      },
    );
  });

  it.each([
    ['Upgrading', 'cluster phase is Upgrading, not Running'],
    [undefined, 'cluster phase is unset, not Running'],
  ])('ClusterNotRunning from phase %s', (phase, message) => {
    expect(skipReasonFor({ phase }, daily)).toEqual({
      reason: 'ClusterNotRunning',
      message,
    });
  });

  it('the phase outranks a recorded refusal', () => {
    expect(
      skipReasonFor(
        {
          phase: 'Failed',
          conditions: [backingUp('False', 'RestoreInProgress')],
        },
        daily,
      )?.reason,
    ).toBe('ClusterNotRunning');
  });

  it.each([
    'RestoreInProgress',
    'ExecutorImageVerificationFailed',
    'AuthNotConfigured',
    'ConfigInvalid',
  ])('the %s refusal recorded at the last slot', reason => {
    expect(
      skipReasonFor(
        running({ conditions: [backingUp('False', reason, 'why')] }),
        daily,
      ),
    ).toEqual({ reason, message: 'why' });
  });

  it('a recorded refusal without a message reads as its reason', () => {
    const condition = backingUp('False', 'RestoreInProgress');
    delete condition.message;
    expect(
      skipReasonFor(running({ conditions: [condition] }), daily)?.message,
    ).toBe('RestoreInProgress');
  });

  it('nothing while a Job is active even if the condition lags behind', () => {
    expect(
      skipReasonFor(
        running({
          backup: { activeJob: 'bao-backup-1' },
          conditions: [backingUp('False', 'RestoreInProgress')],
        }),
        daily,
      ),
    ).toBeUndefined();
  });
});
