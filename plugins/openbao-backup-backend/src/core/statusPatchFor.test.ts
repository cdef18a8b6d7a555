import { Condition } from '@internal/plugin-openbao-backup-common';
import { makeCluster } from './__fixtures__/builders';
import { isNoopPatch, setCondition, statusPatchFor } from './statusPatchFor';

const now = new Date('2026-11-25T02:01:00Z');
const available: Condition = {
  type: 'Available',
  status: 'True',
  reason: 'AllReplicasReady',
  lastTransitionTime: '2026-11-01T00:00:00Z',
};
const configValid: Condition = {
  type: 'BackupConfigValid',
  status: 'True',
  reason: 'Valid',
  message: 'spec.backup is valid',
  lastTransitionTime: '2026-11-01T00:00:00Z',
  observedGeneration: 4,
};
const backingUp = (
  status: 'True' | 'False',
  reason: string,
  message: string,
  lastTransitionTime = now.toISOString(),
): Condition => ({
  type: 'BackingUp',
  status,
  reason,
  message,
  lastTransitionTime,
  observedGeneration: 4,
});
const running = backingUp(
  'True',
  'BackupRunning',
  'scheduled backup Job backup-prod-20261125020000 started',
  '2026-11-25T02:00:00.000Z',
);
const clusterWith = (
  backup: object,
  conditions: Condition[] = [available, configValid],
) => makeCluster({ status: { backup, conditions } } as any);
const result = {
  ok: true,
  stage: 'done' as const,
  key: 'backups/vault/prod/2026-11-25T02-00-00Z-0badcafe.snap',
  size: 1234,
  durationSeconds: 42,
  sha256: 'ab'.repeat(32),
  raftIndex: 99,
  raftTerm: 3,
};

describe('statusPatchFor', () => {
  it('job-started: records the attempt and sets BackingUp=True, keeping other conditions', () => {
    const patch = statusPatchFor(
      clusterWith({ nextScheduledBackup: '2026-11-25T02:00:00Z' }),
      {
        type: 'job-started',
        jobName: 'backup-prod-20261125020000',
        trigger: 'scheduled',
        runAt: new Date('2026-11-25T02:00:00Z'),
        slot: new Date('2026-11-25T02:00:00Z'),
        next: new Date('2026-11-26T02:00:00Z'),
      },
      new Date('2026-11-25T02:00:00Z'),
    );
    expect(patch).toEqual({
      status: {
        backup: {
          lastAttemptTime: '2026-11-25T02:00:00.000Z',
          lastAttemptScheduledTime: '2026-11-25T02:00:00.000Z',
          activeJob: 'backup-prod-20261125020000',
          nextScheduledBackup: '2026-11-26T02:00:00.000Z',
        },
        conditions: [available, configValid, running],
      },
    });
  });

  it('job-started (manual): records the trigger value, not a slot', () => {
    const patch = statusPatchFor(
      clusterWith({}),
      {
        type: 'job-started',
        jobName: 'j',
        trigger: 'manual',
        runAt: now,
        triggerValue: 'abc',
      },
      now,
    );
    expect(patch.status.backup).toEqual({
      lastAttemptTime: now.toISOString(),
      activeJob: 'j',
      observedTrigger: 'abc',
    });
  });

  it('job-succeeded: fills the last backup, resets failures, clears activeJob and keeps lastTransitionTime of unchanged conditions', () => {
    const patch = statusPatchFor(
      clusterWith(
        {
          activeJob: 'j',
          consecutiveFailures: 3,
          lastFailureReason: 'StorageFailed: x',
        },
        [available, configValid, running],
      ),
      { type: 'job-succeeded', jobName: 'j', result, completedAt: now },
      now,
    );
    expect(patch).toEqual({
      status: {
        backup: {
          lastBackupTime: now.toISOString(),
          lastBackupSize: 1234,
          lastBackupDuration: 42,
          lastBackupName: result.key,
          lastBackupSha256: result.sha256,
          lastBackupRaftIndex: 99,
          lastBackupRaftTerm: 3,
          consecutiveFailures: 0,
          lastFailureReason: null,
          activeJob: null,
        },
        conditions: [
          available,
          configValid,
          backingUp(
            'False',
            'BackupSucceeded',
            `snapshot ${result.key} (1234 bytes) written`,
          ),
        ],
      },
    });
  });

  it('job-succeeded without a readable result: key from the Job, duration from its times', () => {
    const patch = statusPatchFor(
      clusterWith({ activeJob: 'j' }),
      {
        type: 'job-succeeded',
        jobName: 'j',
        job: {
          metadata: {
            annotations: {
              'openbao.org/backup-key': 'k.snap',
              'openbao.org/run-at': '2026-11-25T01:59:00Z',
            },
          },
          status: { startTime: '2026-11-25T02:00:00Z' },
        },
        completedAt: now,
      },
      now,
    );
    expect(patch.status.backup).toMatchObject({
      lastAttemptTime: '2026-11-25T01:59:00.000Z',
      lastBackupName: 'k.snap',
      lastBackupDuration: 60,
      lastBackupSize: null,
      lastBackupSha256: null,
    });
    expect(
      patch.status.conditions?.find(c => c.type === 'BackingUp')?.message,
    ).toBe('snapshot k.snap written; the executor result could not be read');
  });

  it('job-succeeded of an adopted Job also records its attempt from the annotations', () => {
    const patch = statusPatchFor(
      clusterWith({
        lastAttemptTime: '2026-11-24T02:00:00Z',
        lastAttemptScheduledTime: '2026-11-24T02:00:00Z',
      }),
      {
        type: 'job-succeeded',
        result,
        completedAt: now,
        job: {
          metadata: {
            annotations: {
              'openbao.org/run-at': '2026-11-25T02:00:00.000Z',
              'openbao.org/scheduled-time': '2026-11-25T02:00:00.000Z',
              'openbao.org/trigger-value': 'v1',
            },
          },
        },
      },
      now,
    );
    expect(patch.status.backup).toMatchObject({
      lastAttemptTime: '2026-11-25T02:00:00.000Z',
      lastAttemptScheduledTime: '2026-11-25T02:00:00.000Z',
      observedTrigger: 'v1',
    });
  });

  it('does not move attempt fields backwards for an old Job', () => {
    const patch = statusPatchFor(
      clusterWith({ lastAttemptTime: '2026-11-25T02:00:00Z' }),
      {
        type: 'job-failed',
        reason: 'StorageFailed',
        message: 'm',
        job: {
          metadata: {
            annotations: { 'openbao.org/run-at': '2026-11-24T02:00:00Z' },
          },
        },
      },
      now,
    );
    expect(patch.status.backup).not.toHaveProperty('lastAttemptTime');
  });

  it.each([
    [undefined, 1],
    [0, 1],
    [4, 5],
  ])(
    'job-failed: consecutiveFailures %p → %p, reason recorded, BackingUp=False with the reason',
    (before, after) => {
      const patch = statusPatchFor(
        clusterWith({ activeJob: 'j', consecutiveFailures: before }, [
          available,
          configValid,
          running,
        ]),
        {
          type: 'job-failed',
          jobName: 'j',
          reason: 'OpenBaoAuthFailed',
          message:
            'executor exited with code 2 in stage auth: permission denied',
        },
        now,
      );
      expect(patch.status.backup).toEqual({
        consecutiveFailures: after,
        lastFailureReason:
          'OpenBaoAuthFailed: executor exited with code 2 in stage auth: permission denied',
        activeJob: null,
      });
      expect(patch.status.conditions).toEqual([
        available,
        configValid,
        backingUp(
          'False',
          'OpenBaoAuthFailed',
          'executor exited with code 2 in stage auth: permission denied',
        ),
      ]);
    },
  );

  it('records the run key as activeJobKey while the Job runs and removes it with the outcome', () => {
    const started = statusPatchFor(
      clusterWith({}),
      {
        type: 'job-started',
        jobName: 'j',
        trigger: 'manual',
        runAt: now,
        key: 'p/ns/c/x.snap',
      },
      now,
    );
    expect(started.status.backup.activeJobKey).toBe('p/ns/c/x.snap');
    const runningWithKey = clusterWith({
      activeJob: 'j',
      activeJobKey: 'p/ns/c/x.snap',
    });
    for (const outcome of [
      { type: 'job-failed' as const, jobName: 'j', reason: 'R', message: 'm' },
      { type: 'job-succeeded' as const, jobName: 'j', result },
    ]) {
      expect(
        statusPatchFor(runningWithKey, outcome, now).status.backup,
      ).toMatchObject({ activeJob: null, activeJobKey: null });
    }
  });

  it('truncates a very long failure reason', () => {
    const patch = statusPatchFor(
      clusterWith({}),
      { type: 'job-failed', reason: 'X', message: 'y'.repeat(5000) },
      now,
    );
    expect(patch.status.backup.lastFailureReason).toHaveLength(1024);
  });

  it('preflight-failed: condition only, not a failure; a refused manual trigger is consumed', () => {
    const patch = statusPatchFor(
      clusterWith({ consecutiveFailures: 0 }),
      {
        type: 'preflight-failed',
        trigger: 'manual',
        reason: 'UpgradeInProgress',
        message: 'an upgrade is in progress',
        triggerValue: 't1',
      },
      now,
    );
    expect(patch).toEqual({
      status: {
        backup: { observedTrigger: 't1' },
        conditions: [
          available,
          configValid,
          backingUp(
            'False',
            'UpgradeInProgress',
            'manual backup refused: an upgrade is in progress',
          ),
        ],
      },
    });
  });

  it('job-started with image verification: the pinned digest, or under Warn why the tag runs', () => {
    const started = {
      type: 'job-started' as const,
      jobName: 'j',
      trigger: 'scheduled' as const,
      runAt: now,
    };
    const digest = `sha256:${'cd'.repeat(32)}`;
    const verified = statusPatchFor(
      clusterWith({}),
      { ...started, imageVerification: { digest } },
      now,
    );
    expect(verified.status.backup.lastExecutorImageDigest).toBe(digest);
    expect(
      verified.status.conditions?.find(c => c.type === 'ExecutorImageVerified'),
    ).toEqual({
      type: 'ExecutorImageVerified',
      status: 'True',
      reason: 'Verified',
      message: `Job j runs ${digest}`,
      lastTransitionTime: now.toISOString(),
      observedGeneration: 4,
    });
    const warned = statusPatchFor(
      clusterWith({ lastExecutorImageDigest: digest }),
      { ...started, imageVerification: { warning: 'no cosign signature' } },
      now,
    );
    expect(warned.status.backup.lastExecutorImageDigest).toBeNull();
    expect(
      warned.status.conditions?.find(c => c.type === 'ExecutorImageVerified'),
    ).toMatchObject({
      status: 'False',
      reason: 'VerificationFailedWarn',
      message:
        'failurePolicy Warn: Job j runs the unverified tag; no cosign signature',
    });
    const plain = statusPatchFor(
      clusterWith({ lastExecutorImageDigest: digest }),
      started,
      now,
    );
    expect(plain.status.backup).not.toHaveProperty('lastExecutorImageDigest');
    expect(plain.status.conditions?.map(c => c.type)).not.toContain(
      'ExecutorImageVerified',
    );
  });

  it('preflight-failed for the executor image: lastFailureReason without counting a failure, trigger kept', () => {
    const patch = statusPatchFor(
      clusterWith({ consecutiveFailures: 2 }),
      {
        type: 'preflight-failed',
        trigger: 'manual',
        reason: 'ExecutorImageVerificationFailed',
        message: 'executor image r/e:1: no cosign signature',
      },
      now,
    );
    expect(patch.status.backup).toEqual({
      lastFailureReason:
        'ExecutorImageVerificationFailed: executor image r/e:1: no cosign signature',
    });
    expect(
      patch.status.conditions
        ?.filter(c => c.status === 'False')
        .map(c => [c.type, c.reason]),
    ).toEqual([
      ['BackingUp', 'ExecutorImageVerificationFailed'],
      ['ExecutorImageVerified', 'ExecutorImageVerificationFailed'],
    ]);
  });

  it('preflight-failed with ConfigInvalid also flips BackupConfigValid', () => {
    const patch = statusPatchFor(
      clusterWith({}),
      {
        type: 'preflight-failed',
        trigger: 'scheduled',
        reason: 'ConfigInvalid',
        message: 'bad',
      },
      now,
    );
    expect(patch.status.backup).toEqual({});
    expect(
      patch.status.conditions?.find(c => c.type === 'BackupConfigValid'),
    ).toEqual({
      type: 'BackupConfigValid',
      status: 'False',
      reason: 'ConfigInvalid',
      message: 'bad',
      lastTransitionTime: now.toISOString(),
      observedGeneration: 4,
    });
  });

  it('config-invalid: every problem in the message', () => {
    const patch = statusPatchFor(
      clusterWith({}),
      {
        type: 'config-invalid',
        problems: [
          { field: 'spec.backup.schedule', message: 'bad cron' },
          { field: 'spec.backup.target.bucket', message: 'required' },
        ],
      },
      now,
    );
    expect(patch.status.conditions?.[1]).toMatchObject({
      type: 'BackupConfigValid',
      status: 'False',
      message:
        'spec.backup.schedule: bad cron; spec.backup.target.bucket: required',
    });
  });

  it('next-scheduled: writes or removes the next slot and marks the config valid', () => {
    const invalid = {
      ...configValid,
      status: 'False' as const,
      reason: 'ConfigInvalid',
      message: 'x',
    };
    const set = statusPatchFor(
      clusterWith({}, [invalid]),
      { type: 'next-scheduled', next: new Date('2026-11-26T02:00:00Z') },
      now,
    );
    expect(set).toEqual({
      status: {
        backup: { nextScheduledBackup: '2026-11-26T02:00:00.000Z' },
        conditions: [{ ...configValid, lastTransitionTime: now.toISOString() }],
      },
    });
    const cleared = statusPatchFor(
      clusterWith({}),
      { type: 'next-scheduled', next: undefined },
      now,
    );
    expect(cleared.status.backup).toEqual({ nextScheduledBackup: null });
    expect(cleared.status.conditions).toEqual([available, configValid]); // unchanged, same lastTransitionTime
  });

  it('slot-skipped: moves next on and says why', () => {
    const patch = statusPatchFor(
      clusterWith({}),
      {
        type: 'slot-skipped',
        slot: new Date('2026-11-25T02:00:00Z'),
        reason: 'MissedStartingDeadline',
        message: 'late',
        next: new Date('2026-11-26T02:00:00Z'),
      },
      now,
    );
    expect(patch.status.backup).toEqual({
      nextScheduledBackup: '2026-11-26T02:00:00.000Z',
    });
    expect(patch.status.conditions?.[2]).toMatchObject({
      type: 'BackingUp',
      status: 'False',
      reason: 'MissedStartingDeadline',
      message: 'late',
    });
  });

  it('works on a cluster without status or generation', () => {
    const cluster = makeCluster({
      status: null,
      metadata: { generation: null },
    } as any);
    expect(
      statusPatchFor(cluster, { type: 'next-scheduled', next: undefined }, now),
    ).toEqual({
      status: {
        backup: { nextScheduledBackup: null },
        conditions: [
          {
            type: 'BackupConfigValid',
            status: 'True',
            reason: 'Valid',
            message: 'spec.backup is valid',
            lastTransitionTime: now.toISOString(),
          },
        ],
      },
    });
  });

  it("carries the read copy's resourceVersion, so a write based on a stale read conflicts", () => {
    const cluster = makeCluster({ metadata: { resourceVersion: '41' } });
    const patch = statusPatchFor(
      cluster,
      { type: 'next-scheduled', next: undefined },
      now,
    );
    expect(patch.metadata).toEqual({ resourceVersion: '41' });
    // Not a change of status: a repeated write is still recognised as one.
    expect(
      isNoopPatch({ ...cluster, status: patch.status } as any, patch),
    ).toBe(true);
  });
});

describe('setCondition', () => {
  const base: Condition = {
    type: 'A',
    status: 'True',
    reason: 'r',
    lastTransitionTime: 'then',
  };
  it.each([
    [
      'adds a new type',
      [],
      { type: 'A', status: 'True', reason: 'r' },
      [{ ...base, lastTransitionTime: 'now' }],
    ],
    [
      'keeps the time when the status is unchanged',
      [base],
      { type: 'A', status: 'True', reason: 'other' },
      [{ ...base, reason: 'other' }],
    ],
    [
      'moves the time on a change',
      [base],
      { type: 'A', status: 'False', reason: 'r' },
      [{ ...base, status: 'False', lastTransitionTime: 'now' }],
    ],
  ] as const)('%s', (_, list, next, expected) => {
    const fakeNow = { toISOString: () => 'now' } as Date;
    expect(setCondition([...list], next as any, fakeNow)).toEqual(expected);
  });

  it('does not mutate its input', () => {
    const list = [base];
    setCondition(list, { type: 'A', status: 'False', reason: 'x' }, new Date());
    expect(list).toEqual([base]);
  });
});

describe('isNoopPatch', () => {
  it('is true for a refusal already recorded, false for a new one', () => {
    const first = statusPatchFor(
      clusterWith({}),
      {
        type: 'preflight-failed',
        trigger: 'scheduled',
        reason: 'UpgradeInProgress',
        message: 'm',
      },
      now,
    );
    const recorded = makeCluster({
      status: { backup: {}, conditions: first.status.conditions },
    } as any);
    const again = statusPatchFor(
      recorded,
      {
        type: 'preflight-failed',
        trigger: 'scheduled',
        reason: 'UpgradeInProgress',
        message: 'm',
      },
      new Date('2026-11-25T02:01:15Z'),
    );
    expect(isNoopPatch(recorded, again)).toBe(true);
    const other = statusPatchFor(
      recorded,
      {
        type: 'preflight-failed',
        trigger: 'scheduled',
        reason: 'RestoreInProgress',
        message: 'm',
      },
      now,
    );
    expect(isNoopPatch(recorded, other)).toBe(false);
  });

  it('treats null in the patch as equal to a missing field', () => {
    const cluster = clusterWith({});
    expect(
      isNoopPatch(cluster, { status: { backup: { activeJob: null } } }),
    ).toBe(true);
    expect(
      isNoopPatch(cluster, { status: { backup: { activeJob: 'j' } } }),
    ).toBe(false);
    expect(
      isNoopPatch(clusterWith({ nextScheduledBackup: 'x' }), {
        status: { backup: { nextScheduledBackup: null } },
      }),
    ).toBe(false);
  });
});
