import { makeObserved } from './__fixtures__/builders';
import { decideRun } from './decideRun';
import { JobLike } from './types';

const t = (iso: string) => new Date(iso);
const now = t('2026-11-25T02:00:15Z');
const job = (
  name: string,
  status: JobLike['status'],
  runAt?: string,
): JobLike => ({
  metadata: {
    name,
    creationTimestamp: runAt ?? '2026-11-25T02:00:16Z',
    ...(runAt ? { annotations: { 'openbao.org/run-at': runAt } } : {}),
  },
  status,
});
const done = {
  succeeded: 1,
  completionTime: '2026-11-25T02:01:00Z',
  conditions: [{ type: 'Complete', status: 'True' }],
};
const observedWith = (backup: object, extra: any = {}, rest: object = {}) =>
  makeObserved(
    { ...extra, status: { ...extra.status, backup } } as any,
    rest as any,
  );

describe('decideRun', () => {
  describe('without spec.backup', () => {
    it('ignores the cluster', () => {
      expect(
        decideRun(makeObserved({ spec: { backup: null } } as any), now),
      ).toEqual({ action: 'ignore', reason: 'BackupNotConfigured' });
    });
  });

  describe('Jobs come first', () => {
    it('tracks the active Job named in the status', () => {
      const running = job('backup-prod-20261125020000', { active: 1 });
      const observed = observedWith(
        { activeJob: 'backup-prod-20261125020000' },
        {},
        { jobs: [running] },
      );
      expect(decideRun(observed, now)).toEqual({
        action: 'track',
        jobName: 'backup-prod-20261125020000',
        job: running,
        adopted: false,
        state: { phase: 'running' },
      });
    });

    it("measures a pod's start wait on the API server's clock (serverTime), not the backend's", () => {
      const name = 'backup-prod-20261125020000';
      const pending = job(name, { active: 1 }, '2026-11-25T02:00:00Z');
      const pod = {
        metadata: {
          name: `${name}-x`,
          creationTimestamp: '2026-11-25T02:00:00Z',
        },
        status: {
          containerStatuses: [
            {
              name: 'executor',
              state: { waiting: { reason: 'ImagePullBackOff' } },
            },
          ],
        },
      };
      const at = (serverTime: Date | undefined, backendNow: Date) =>
        decideRun(
          observedWith(
            { activeJob: name },
            {},
            { jobs: [pending], pods: { [name]: [pod] }, serverTime },
          ),
          backendNow,
          { podStartTimeoutSeconds: 300 },
        );
      const twoHoursAhead = t('2026-11-25T04:00:15Z');
      // Backend 2 h ahead, server 4 min after the pod's creation: still waiting.
      expect(at(t('2026-11-25T02:04:00Z'), twoHoursAhead)).toMatchObject({
        state: { phase: 'running' },
      });
      // Server past the timeout, backend behind it: failed all the same.
      expect(at(t('2026-11-25T02:05:01Z'), now)).toMatchObject({
        state: { phase: 'failed', reason: 'PodStartFailed', deleteJob: true },
      });
      // Without a server time the backend's clock is the fallback.
      expect(at(undefined, twoHoursAhead)).toMatchObject({
        state: { phase: 'failed', reason: 'PodStartFailed' },
      });
    });

    it('tracks it even when the spec became invalid meanwhile', () => {
      const running = job('backup-prod-20261125020000', { active: 1 });
      const observed = observedWith(
        { activeJob: 'backup-prod-20261125020000' },
        { spec: { backup: { schedule: 'bad' } } },
        { jobs: [running] },
      );
      expect(decideRun(observed, now)).toMatchObject({
        action: 'track',
        adopted: false,
      });
    });

    it('reports a finished active Job with its outcome', () => {
      const finished = job('backup-prod-20261125020000', done);
      expect(
        decideRun(
          observedWith(
            { activeJob: 'backup-prod-20261125020000' },
            {},
            { jobs: [finished] },
          ),
          now,
        ),
      ).toMatchObject({
        action: 'track',
        state: { phase: 'succeeded', completedAt: t('2026-11-25T02:01:00Z') },
      });
    });

    it('fails an active Job that disappeared', () => {
      expect(
        decideRun(
          observedWith({ activeJob: 'backup-prod-20261125020000' }),
          now,
        ),
      ).toEqual({
        action: 'track',
        jobName: 'backup-prod-20261125020000',
        job: undefined,
        adopted: false,
        state: {
          phase: 'failed',
          reason: 'JobNotFound',
          message:
            'Job "backup-prod-20261125020000" disappeared before its result was recorded',
        },
      });
    });

    it('adopts a running Job the status does not name (crash after create)', () => {
      const running = job(
        'backup-prod-20261125020000',
        { active: 1 },
        '2026-11-25T02:00:00Z',
      );
      const observed = observedWith(
        { lastAttemptTime: '2026-11-24T02:00:00Z' },
        {},
        { jobs: [running] },
      );
      expect(decideRun(observed, now)).toMatchObject({
        action: 'track',
        jobName: 'backup-prod-20261125020000',
        adopted: true,
        state: { phase: 'running' },
      });
    });

    it('adopts a finished Job newer than the last recorded attempt, the newest first', () => {
      const older = job(
        'backup-prod-20261125020000',
        done,
        '2026-11-25T02:00:00Z',
      );
      const newer = job(
        'backup-prod-20261125020010',
        done,
        '2026-11-25T02:00:10Z',
      );
      const observed = observedWith(
        { lastAttemptTime: '2026-11-24T02:00:00Z' },
        {},
        { jobs: [older, newer] },
      );
      expect(decideRun(observed, now)).toMatchObject({
        action: 'track',
        jobName: 'backup-prod-20261125020010',
        adopted: true,
        state: { phase: 'succeeded' },
      });
    });

    it('adopts the newest Job when the status has no attempt at all', () => {
      const old = job(
        'backup-prod-20261120020000',
        done,
        '2026-11-20T02:00:00Z',
      );
      expect(
        decideRun(observedWith({}, {}, { jobs: [old] }), now),
      ).toMatchObject({ action: 'track', adopted: true });
    });

    it('does not adopt again a recorded Job that is still active; the pre-flight waits for it', () => {
      const leftover = job(
        'backup-prod-20261125020000',
        { active: 1 },
        '2026-11-25T02:00:00Z',
      );
      const observed = observedWith(
        {
          lastAttemptTime: '2026-11-25T02:00:00Z',
          nextScheduledBackup: '2026-11-25T02:00:00Z',
          lastAttemptScheduledTime: '2026-11-24T02:00:00Z',
        },
        {},
        { jobs: [leftover] },
      );
      expect(decideRun(observed, now)).toMatchObject({
        action: 'refuse',
        reason: 'BackupInProgress',
        slot: t('2026-11-25T02:00:00Z'),
      });
    });

    it('does not adopt a Job being deleted', () => {
      const deleting = {
        ...job(
          'backup-prod-20261125020000',
          { active: 1 },
          '2026-11-25T02:00:00Z',
        ),
      };
      deleting.metadata = {
        ...deleting.metadata,
        deletionTimestamp: '2026-11-25T02:00:10Z',
      };
      const observed = observedWith(
        {
          lastAttemptTime: '2026-11-24T02:00:00Z',
          nextScheduledBackup: '2026-11-26T02:00:00Z',
        },
        {},
        { jobs: [deleting] },
      );
      expect(decideRun(observed, now)).toEqual({
        action: 'wait',
        until: t('2026-11-26T02:00:00Z'),
      });
    });

    it('leaves alone finished Jobs that were already recorded', () => {
      const recorded = job(
        'backup-prod-20261124020000',
        done,
        '2026-11-24T02:00:00Z',
      );
      const observed = observedWith(
        {
          lastAttemptTime: '2026-11-24T02:00:00Z',
          lastAttemptScheduledTime: '2026-11-24T02:00:00Z',
          nextScheduledBackup: '2026-11-26T02:00:00Z',
        },
        {},
        { jobs: [recorded] },
      );
      expect(decideRun(observed, now)).toEqual({
        action: 'wait',
        until: t('2026-11-26T02:00:00Z'),
      });
    });
  });

  describe('invalid configuration', () => {
    const invalid = { spec: { backup: { schedule: '0 2 * *' } } };
    const message =
      'spec.backup.schedule: schedule "0 2 * *" has 4 fields; expected 5 (minute hour day-of-month month day-of-week)';

    it('asks for BackupConfigValid=False with every problem', () => {
      expect(decideRun(observedWith({}, invalid), now)).toEqual({
        action: 'config-invalid',
        problems: [
          {
            field: 'spec.backup.schedule',
            message: expect.stringContaining('has 4 fields'),
          },
        ],
      });
    });

    it('waits once the condition already says so', () => {
      const observed = observedWith(
        {},
        {
          ...invalid,
          status: {
            conditions: [
              {
                type: 'BackupConfigValid',
                status: 'False',
                reason: 'ConfigInvalid',
                message,
                lastTransitionTime: '2026-11-25T00:00:00Z',
              },
            ],
          },
        },
      );
      expect(decideRun(observed, now)).toEqual({
        action: 'wait',
        reason: 'ConfigInvalid',
      });
    });

    it('reports a missing credentials Secret', () => {
      expect(
        decideRun(observedWith({}, {}, { secrets: [] }), now),
      ).toMatchObject({
        action: 'config-invalid',
        problems: [{ field: 'spec.backup.target.credentialsSecretRef' }],
      });
    });

    it('refuses and consumes a manual trigger with the reason', () => {
      const observed = observedWith(
        { observedTrigger: 'old' },
        {
          ...invalid,
          metadata: { annotations: { 'openbao.org/trigger-backup': 'new' } },
        },
      );
      expect(decideRun(observed, now)).toEqual({
        action: 'refuse',
        trigger: 'manual',
        reason: 'ConfigInvalid',
        message,
        triggerValue: 'new',
      });
    });

    it('refuses a pre-upgrade request', () => {
      expect(
        decideRun(observedWith({}, invalid), now, {
          preUpgradeRequested: true,
        }),
      ).toEqual({
        action: 'refuse',
        trigger: 'pre-upgrade',
        reason: 'ConfigInvalid',
        message,
      });
    });
  });

  describe('schedule bookkeeping', () => {
    it.each([
      [
        'first sighting',
        {},
        {},
        '2026-11-25T01:00:00Z',
        {
          action: 'record-next',
          reason: 'FirstSighting',
          next: t('2026-11-25T02:00:00Z'),
        },
      ],
      [
        'first sighting right after a slot',
        {},
        {},
        '2026-11-25T02:00:15Z',
        {
          action: 'record-next',
          reason: 'FirstSighting',
          next: t('2026-11-26T02:00:00Z'),
        },
      ],
      [
        'unreadable stored next',
        { nextScheduledBackup: 'soon' },
        {},
        '2026-11-25T01:00:00Z',
        {
          action: 'record-next',
          reason: 'FirstSighting',
          next: t('2026-11-25T02:00:00Z'),
        },
      ],
      [
        'stored next still right',
        { nextScheduledBackup: '2026-11-26T02:00:00Z' },
        {},
        '2026-11-25T09:00:00Z',
        { action: 'wait', until: t('2026-11-26T02:00:00Z') },
      ],
      [
        'daily → hourly: the stored next is a slot of both, but not the first',
        { nextScheduledBackup: '2026-11-26T02:00:00Z' },
        { spec: { backup: { schedule: '0 * * * *' } } },
        '2026-11-25T09:10:00Z',
        {
          action: 'record-next',
          reason: 'ScheduleChanged',
          next: t('2026-11-25T10:00:00Z'),
        },
      ],
      [
        '02:00 → 03:00',
        { nextScheduledBackup: '2026-11-26T02:00:00Z' },
        { spec: { backup: { schedule: '0 3 * * *' } } },
        '2026-11-25T09:10:00Z',
        {
          action: 'record-next',
          reason: 'ScheduleChanged',
          next: t('2026-11-26T03:00:00Z'),
        },
      ],
      [
        'time zone changed',
        { nextScheduledBackup: '2026-11-26T02:00:00Z' },
        { spec: { backup: { timeZone: 'Europe/Amsterdam' } } },
        '2026-11-25T09:10:00Z',
        {
          action: 'record-next',
          reason: 'ScheduleChanged',
          next: t('2026-11-26T01:00:00Z'),
        },
      ],
      [
        'a due stored next that is no slot any more',
        { nextScheduledBackup: '2026-11-25T02:00:00Z' },
        { spec: { backup: { schedule: '30 2 * * *' } } },
        '2026-11-25T02:00:15Z',
        {
          action: 'record-next',
          reason: 'ScheduleChanged',
          next: t('2026-11-25T02:30:00Z'),
        },
      ],
      [
        'BackupConfigValid not yet True',
        { nextScheduledBackup: '2026-11-26T02:00:00Z' },
        {
          status: {
            conditions: [
              {
                type: 'BackupConfigValid',
                status: 'False',
                reason: 'ConfigInvalid',
                message: 'old',
                lastTransitionTime: '2026-11-25T00:00:00Z',
              },
            ],
          },
        },
        '2026-11-25T09:00:00Z',
        {
          action: 'record-next',
          reason: 'ConfigValid',
          next: t('2026-11-26T02:00:00Z'),
        },
      ],
      [
        'the slot was attempted already (status write of next lost)',
        {
          nextScheduledBackup: '2026-11-25T02:00:00Z',
          lastAttemptScheduledTime: '2026-11-25T02:00:00Z',
        },
        {},
        '2026-11-25T02:10:00Z',
        {
          action: 'record-next',
          reason: 'AlreadyAttempted',
          next: t('2026-11-26T02:00:00Z'),
        },
      ],
      [
        'clock jumped back two hours after the 02:00 run',
        {
          nextScheduledBackup: '2026-11-26T02:00:00Z',
          lastAttemptScheduledTime: '2026-11-25T02:00:00Z',
        },
        {},
        '2026-11-25T00:30:00Z',
        { action: 'wait', until: t('2026-11-26T02:00:00Z') },
      ],
      [
        'clock jumped back and the stored next was recomputed from the past clock',
        {
          nextScheduledBackup: '2026-11-25T01:00:00Z',
          lastAttemptScheduledTime: '2026-11-25T02:00:00Z',
        },
        { spec: { backup: { schedule: '0 * * * *' } } },
        '2026-11-25T01:00:05Z',
        {
          action: 'record-next',
          reason: 'AlreadyAttempted',
          next: t('2026-11-25T03:00:00Z'),
        },
      ],
      [
        'missed by more than the starting deadline',
        { nextScheduledBackup: '2026-11-25T02:00:00Z' },
        {},
        '2026-11-25T03:00:01Z',
        {
          action: 'skip',
          reason: 'MissedStartingDeadline',
          slot: t('2026-11-25T02:00:00Z'),
          next: t('2026-11-26T02:00:00Z'),
          message:
            'slot 2026-11-25T02:00:00.000Z was missed by 3601 s, more than the starting deadline of 3600 s',
        },
      ],
      [
        'several missed slots, the latest too late: one skip',
        { nextScheduledBackup: '2026-11-22T02:00:00Z' },
        {},
        '2026-11-25T09:00:00Z',
        {
          action: 'skip',
          reason: 'MissedStartingDeadline',
          slot: t('2026-11-25T02:00:00Z'),
          next: t('2026-11-26T02:00:00Z'),
          message: expect.stringContaining(
            '(missed slots since 2026-11-22T02:00:00.000Z collapsed into it)',
          ),
        },
      ],
    ])('%s', (_, backup, extra, at, expected) => {
      expect(decideRun(observedWith(backup, extra), t(at))).toEqual(expected);
    });

    it('honours a configured starting deadline', () => {
      const observed = observedWith({
        nextScheduledBackup: '2026-11-25T02:00:00Z',
      });
      expect(
        decideRun(observed, t('2026-11-25T02:05:00Z'), {
          startingDeadlineSeconds: 60,
        }),
      ).toMatchObject({ action: 'skip' });
      expect(
        decideRun(observed, t('2026-11-25T02:05:00Z'), {
          startingDeadlineSeconds: 300,
        }),
      ).toMatchObject({ action: 'start' });
    });
  });

  describe('scheduled runs', () => {
    it('starts a due slot within the deadline', () => {
      expect(
        decideRun(
          observedWith({ nextScheduledBackup: '2026-11-25T02:00:00Z' }),
          now,
        ),
      ).toEqual({
        action: 'start',
        trigger: 'scheduled',
        runAt: now,
        jobName: 'backup-prod-20261125020015',
        slot: t('2026-11-25T02:00:00Z'),
        next: t('2026-11-26T02:00:00Z'),
      });
    });

    it('collapses several missed slots into one run for the latest', () => {
      const observed = observedWith(
        { nextScheduledBackup: '2026-11-25T06:00:00Z' },
        { spec: { backup: { schedule: '0 * * * *' } } },
      );
      expect(decideRun(observed, t('2026-11-25T09:30:00Z'))).toMatchObject({
        action: 'start',
        trigger: 'scheduled',
        slot: t('2026-11-25T09:00:00Z'),
        next: t('2026-11-25T10:00:00Z'),
      });
    });

    it.each([
      [
        'phase not Running',
        { status: { phase: 'Initializing' } },
        {},
        'ClusterNotRunning',
      ],
      [
        'upgrade in progress',
        { status: { upgrade: { to: '2.1' } } },
        {},
        'UpgradeInProgress',
      ],
      [
        'restore in progress',
        {},
        {
          restores: [
            {
              metadata: { name: 'r', namespace: 'vault' },
              spec: { cluster: 'prod' },
              status: { phase: 'Running' },
            },
          ],
        },
        'RestoreInProgress',
      ],
    ])(
      'refuses a due slot when %s (retried next pass)',
      (_, extra, rest, reason) => {
        const observed = observedWith(
          { nextScheduledBackup: '2026-11-25T02:00:00Z' },
          extra,
          rest,
        );
        expect(decideRun(observed, now)).toEqual({
          action: 'refuse',
          trigger: 'scheduled',
          reason,
          message: expect.any(String),
          slot: t('2026-11-25T02:00:00Z'),
        });
      },
    );

    it('runs the 02:30 slot of a spring-forward day in Europe/Amsterdam (at 03:30 CEST)', () => {
      const observed = observedWith(
        { nextScheduledBackup: '2026-03-29T01:30:00Z' },
        {
          spec: {
            backup: { schedule: '30 2 * * *', timeZone: 'Europe/Amsterdam' },
          },
        },
      );
      expect(decideRun(observed, t('2026-03-29T01:30:10Z'))).toMatchObject({
        action: 'start',
        slot: t('2026-03-29T01:30:00Z'),
        next: t('2026-03-30T00:30:00Z'),
      });
    });

    it('runs 01:30 once on a fall-back day in America/New_York', () => {
      const spec = {
        spec: { backup: { schedule: 'CRON_TZ=America/New_York 30 1 * * *' } },
      };
      const first = observedWith(
        { nextScheduledBackup: '2026-11-01T05:30:00Z' },
        spec,
      );
      expect(decideRun(first, t('2026-11-01T05:30:05Z'))).toMatchObject({
        action: 'start',
        next: t('2026-11-02T06:30:00Z'),
      });
      // An hour later the wall clock shows 01:30 again: nothing is due.
      const after = observedWith(
        {
          nextScheduledBackup: '2026-11-02T06:30:00Z',
          lastAttemptScheduledTime: '2026-11-01T05:30:00Z',
        },
        spec,
      );
      expect(decideRun(after, t('2026-11-01T06:30:05Z'))).toEqual({
        action: 'wait',
        until: t('2026-11-02T06:30:00Z'),
      });
    });

    it('runs a Feb 29 schedule in a leap year and then waits four years', () => {
      const observed = observedWith(
        { nextScheduledBackup: '2028-02-29T00:00:00Z' },
        { spec: { backup: { schedule: '0 0 29 2 *' } } },
      );
      expect(decideRun(observed, t('2028-02-29T00:00:05Z'))).toMatchObject({
        action: 'start',
        next: t('2032-02-29T00:00:00Z'),
      });
    });
  });

  describe('suspend', () => {
    const suspended = { spec: { backup: { suspend: true } } };
    it('clears a stored next', () => {
      expect(
        decideRun(
          observedWith(
            { nextScheduledBackup: '2026-11-25T02:00:00Z' },
            suspended,
          ),
          now,
        ),
      ).toEqual({
        action: 'record-next',
        next: undefined,
        reason: 'Suspended',
      });
    });
    it('then waits', () => {
      expect(decideRun(observedWith({}, suspended), now)).toEqual({
        action: 'wait',
        reason: 'Suspended',
      });
    });
    it('still runs a manual trigger, without scheduling a next slot', () => {
      const observed = observedWith(
        {},
        {
          ...suspended,
          metadata: { annotations: { 'openbao.org/trigger-backup': 'now' } },
        },
      );
      expect(decideRun(observed, now)).toEqual({
        action: 'start',
        trigger: 'manual',
        runAt: now,
        jobName: 'backup-prod-20261125020015',
        triggerValue: 'now',
      });
    });
    it('resumes with a fresh next and no catch-up', () => {
      expect(
        decideRun(observedWith({}), t('2026-11-25T09:00:00Z')),
      ).toMatchObject({
        action: 'record-next',
        reason: 'FirstSighting',
        next: t('2026-11-26T02:00:00Z'),
      });
    });
  });

  describe('manual trigger', () => {
    const annotated = (value: string) => ({
      metadata: { annotations: { 'openbao.org/trigger-backup': value } },
    });

    it('starts a run for a new value, keeping the stored next', () => {
      const observed = observedWith(
        { nextScheduledBackup: '2026-11-26T02:00:00Z', observedTrigger: 'a' },
        annotated('b'),
      );
      expect(decideRun(observed, t('2026-11-25T09:00:00Z'))).toEqual({
        action: 'start',
        trigger: 'manual',
        runAt: t('2026-11-25T09:00:00Z'),
        jobName: 'backup-prod-20261125090000',
        triggerValue: 'b',
        next: t('2026-11-26T02:00:00Z'),
      });
    });

    it('does nothing for a value already observed', () => {
      const observed = observedWith(
        { nextScheduledBackup: '2026-11-26T02:00:00Z', observedTrigger: 'b' },
        annotated('b'),
      );
      expect(decideRun(observed, t('2026-11-25T09:00:00Z'))).toEqual({
        action: 'wait',
        until: t('2026-11-26T02:00:00Z'),
      });
    });

    it('ignores a blank value', () => {
      const observed = observedWith(
        { nextScheduledBackup: '2026-11-26T02:00:00Z' },
        annotated('  '),
      );
      expect(decideRun(observed, t('2026-11-25T09:00:00Z'))).toMatchObject({
        action: 'wait',
      });
    });

    it('covers a due slot too, so no second run follows', () => {
      const observed = observedWith(
        { nextScheduledBackup: '2026-11-25T02:00:00Z' },
        annotated('x'),
      );
      expect(decideRun(observed, now)).toMatchObject({
        action: 'start',
        trigger: 'manual',
        triggerValue: 'x',
        slot: t('2026-11-25T02:00:00Z'),
        next: t('2026-11-26T02:00:00Z'),
      });
    });

    it('is refused with the reason and consumed when the pre-flight fails', () => {
      const observed = observedWith(
        { nextScheduledBackup: '2026-11-26T02:00:00Z' },
        { ...annotated('x'), status: { phase: 'Upgrading' } },
      );
      expect(decideRun(observed, now)).toEqual({
        action: 'refuse',
        trigger: 'manual',
        reason: 'ClusterNotRunning',
        message: 'cluster phase is Upgrading, not Running',
        triggerValue: 'x',
      });
    });

    it('waits for a running Job instead of starting a second one', () => {
      const running = job(
        'backup-prod-20261125020000',
        { active: 1 },
        '2026-11-25T02:00:00Z',
      );
      const observed = observedWith(
        { activeJob: running.metadata!.name },
        annotated('x'),
        { jobs: [running] },
      );
      expect(decideRun(observed, now)).toMatchObject({ action: 'track' });
    });
  });

  describe('pre-upgrade', () => {
    it('starts even while the upgrade is flagged and while suspended', () => {
      const observed = observedWith(
        {},
        {
          status: { upgrade: { to: '2.1' } },
          spec: { backup: { suspend: true } },
        },
      );
      expect(decideRun(observed, now, { preUpgradeRequested: true })).toEqual({
        action: 'start',
        trigger: 'pre-upgrade',
        runAt: now,
        jobName: 'backup-prod-20261125020015',
      });
    });

    it('wins over a pending manual trigger (which then runs next)', () => {
      const observed = observedWith(
        { nextScheduledBackup: '2026-11-26T02:00:00Z' },
        { metadata: { annotations: { 'openbao.org/trigger-backup': 'x' } } },
      );
      expect(
        decideRun(observed, now, { preUpgradeRequested: true }),
      ).toMatchObject({ action: 'start', trigger: 'pre-upgrade' });
      expect(
        decideRun(observed, now, { preUpgradeRequested: true }),
      ).not.toHaveProperty('triggerValue');
    });

    it('carries the request id so the run is recorded once (observedTrigger)', () => {
      const observed = observedWith(
        { nextScheduledBackup: '2026-11-26T02:00:00Z' },
        {},
      );
      expect(
        decideRun(observed, now, { preUpgradeValue: 'upgrade-2.1' }),
      ).toMatchObject({
        action: 'start',
        trigger: 'pre-upgrade',
        triggerValue: 'upgrade-2.1',
      });
      const invalid = observedWith({}, {
        spec: { backup: { target: { bucket: null } } },
      } as any);
      expect(
        decideRun(invalid, now, { preUpgradeValue: 'upgrade-2.1' }),
      ).toMatchObject({
        action: 'refuse',
        trigger: 'pre-upgrade',
        triggerValue: 'upgrade-2.1',
      });
    });
  });
});
