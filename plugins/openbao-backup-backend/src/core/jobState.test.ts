import { jobState, parseExecutorResult } from './jobState';
import { JobLike, PodLike } from './types';

const now = new Date('2026-11-25T09:00:00Z');
const okResult = {
  ok: true,
  stage: 'done',
  key: 'backups/vault/prod/2026-11-25T08-55-00Z-0badcafe.snap',
  size: 1234,
  durationSeconds: 42,
  sha256: 'ab'.repeat(32),
  raftIndex: 99,
  raftTerm: 3,
};
const job = (
  status: JobLike['status'],
  created = '2026-11-25T08:55:00Z',
): JobLike => ({
  metadata: { name: 'backup-prod-20261125085500', creationTimestamp: created },
  spec: { activeDeadlineSeconds: 3600 },
  status,
});
const terminated = (
  exitCode: number,
  message?: string,
  reason = exitCode ? 'Error' : 'Completed',
): PodLike => ({
  metadata: { name: 'p', creationTimestamp: '2026-11-25T08:55:01Z' },
  status: {
    phase: exitCode ? 'Failed' : 'Succeeded',
    containerStatuses: [
      {
        name: 'executor',
        state: {
          terminated: {
            exitCode,
            reason,
            message,
            finishedAt: '2026-11-25T08:56:00Z',
          },
        },
      },
    ],
  },
});
const waiting = (
  reason: string,
  created = '2026-11-25T08:55:01Z',
): PodLike => ({
  metadata: { name: 'p', creationTimestamp: created },
  status: {
    phase: 'Pending',
    containerStatuses: [
      { name: 'executor', state: { waiting: { reason, message: 'details' } } },
    ],
  },
});
const failedCondition = (reason: string) => ({
  failed: 1,
  conditions: [
    { type: 'Failed', status: 'True', reason, message: 'Job failed' },
  ],
});

describe('jobState', () => {
  it('reads a success with its executor result', () => {
    expect(
      jobState(
        job({
          succeeded: 1,
          startTime: '2026-11-25T08:55:02Z',
          completionTime: '2026-11-25T08:56:01Z',
          conditions: [{ type: 'Complete', status: 'True' }],
        }),
        [terminated(0, JSON.stringify(okResult))],
        now,
      ),
    ).toEqual({
      phase: 'succeeded',
      result: okResult,
      completedAt: new Date('2026-11-25T08:56:01Z'),
      startedAt: new Date('2026-11-25T08:55:02Z'),
    });
  });

  it('accepts Date timestamps (client-node objects)', () => {
    const state = jobState(
      job({ succeeded: 1, completionTime: new Date('2026-11-25T08:56:01Z') }),
      undefined,
      now,
    );
    expect(state).toMatchObject({
      phase: 'succeeded',
      completedAt: new Date('2026-11-25T08:56:01Z'),
      result: undefined,
    });
  });

  it('treats a completed Job whose executor says ok=false as failed, naming the stage', () => {
    const bad = {
      ...okResult,
      ok: false,
      stage: 'verify',
      error: 'verification mismatch',
    };
    expect(
      jobState(
        job({ succeeded: 1 }),
        [terminated(0, JSON.stringify(bad))],
        now,
      ),
    ).toMatchObject({
      phase: 'failed',
      reason: 'ExecutorReportedFailure',
      message:
        'executor reported failure in stage verify: verification mismatch',
    });
    const { stage, error, ...bare } = bad;
    expect(
      jobState(
        job({ succeeded: 1 }),
        [terminated(0, JSON.stringify(bare))],
        now,
      ),
    ).toMatchObject({ message: 'executor reported failure: ok=false' });
  });

  it.each([
    [1, 'config', 'ExecutorConfigError'],
    [2, 'auth', 'OpenBaoAuthFailed'],
    [3, 'leader', 'LeaderNotFound'],
    [4, 'stream', 'SnapshotSourceFailed'],
    [5, 'stream', 'StorageFailed'],
    [6, 'verify', 'VerificationFailed'],
    [7, 'stream', 'DeadlineOrSignal'],
    [42, undefined, 'ExecutorFailed'],
  ])('exit code %d → %s', (exitCode, stage, reason) => {
    const message = stage
      ? JSON.stringify({ ok: false, stage, error: `boom in ${stage}` })
      : undefined;
    const state = jobState(
      job(failedCondition('BackoffLimitExceeded')),
      [terminated(exitCode, message)],
      now,
    );
    expect(state).toMatchObject({
      phase: 'failed',
      reason,
      message: stage
        ? `executor exited with code ${exitCode} in stage ${stage}: boom in ${stage}`
        : `executor exited with code ${exitCode}: Error`,
    });
  });

  it('names the signal of a container killed before it reported', () => {
    expect(
      jobState(
        job(failedCondition('BackoffLimitExceeded')),
        [terminated(137)],
        now,
      ),
    ).toMatchObject({
      phase: 'failed',
      reason: 'ExecutorFailed',
      message: 'executor exited with code 137 (killed by signal 9): Error',
    });
  });

  it('names an OOM kill', () => {
    expect(
      jobState(
        job(failedCondition('BackoffLimitExceeded')),
        [terminated(137, undefined, 'OOMKilled')],
        now,
      ),
    ).toMatchObject({
      phase: 'failed',
      reason: 'OOMKilled',
    });
  });

  it('reports DeadlineExceeded with the executor stage and error when there are', () => {
    expect(
      jobState(
        job(failedCondition('DeadlineExceeded')),
        [terminated(7, '{"ok":false,"stage":"stream","error":"SIGTERM"}')],
        now,
      ),
    ).toEqual({
      phase: 'failed',
      reason: 'DeadlineExceeded',
      message:
        'the Job ran longer than activeDeadlineSeconds=3600 in stage stream: SIGTERM',
      result: { ok: false, stage: 'stream', error: 'SIGTERM' },
    });
    expect(
      jobState(job(failedCondition('DeadlineExceeded')), [], now),
    ).toMatchObject({ reason: 'DeadlineExceeded' });
  });

  it('falls back to the Job condition without a pod', () => {
    expect(
      jobState(job(failedCondition('BackoffLimitExceeded')), [], now),
    ).toEqual({
      phase: 'failed',
      reason: 'BackoffLimitExceeded',
      message: 'Job failed',
      result: undefined,
    });
  });

  it.each([
    ['InvalidImageName', '2026-11-25T08:59:00Z', true],
    ['CreateContainerConfigError', '2026-11-25T08:59:00Z', true],
    ['ErrImagePull', '2026-11-25T08:59:00Z', false],
    ['ErrImagePull', '2026-11-25T08:54:59Z', true],
    ['ImagePullBackOff', '2026-11-25T08:54:59Z', true],
    ['ContainerCreating', '2026-11-25T08:58:00Z', false],
  ])('pod waiting %s since %s → failed: %s', (reason, created, fails) => {
    const state = jobState(job({ active: 1 }), [waiting(reason, created)], now);
    expect(state).toEqual(
      fails
        ? {
            phase: 'failed',
            reason: 'PodStartFailed',
            message: `the executor pod did not start: ${reason}: details`,
            deleteJob: true,
          }
        : { phase: 'running' },
    );
  });

  it('honours a custom pod start timeout', () => {
    expect(
      jobState(
        job({ active: 1 }),
        [waiting('ErrImagePull', '2026-11-25T08:59:00Z')],
        now,
        { podStartTimeoutSeconds: 30 },
      ),
    ).toMatchObject({
      reason: 'PodStartFailed',
    });
  });

  it('fails a Job that never got a pod, but only when the pods were observed', () => {
    expect(jobState(job({}, '2026-11-25T08:50:00Z'), [], now)).toMatchObject({
      phase: 'failed',
      reason: 'PodNotCreated',
      deleteJob: true,
    });
    expect(jobState(job({}, '2026-11-25T08:58:00Z'), [], now)).toEqual({
      phase: 'running',
    });
    expect(jobState(job({}, '2026-11-25T08:50:00Z'), undefined, now)).toEqual({
      phase: 'running',
    });
  });

  it('keeps a running pod running', () => {
    const pod: PodLike = {
      status: {
        phase: 'Running',
        containerStatuses: [{ name: 'executor', state: { running: {} } }],
      },
    };
    expect(jobState(job({ active: 1 }), [pod], now)).toEqual({
      phase: 'running',
    });
  });
});

describe('parseExecutorResult', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['not json', undefined],
    ['{"ok":"yes"}', undefined],
    ['[1,2]', undefined],
    ['{"ok":true,"stage":"done"}', { ok: true, stage: 'done' }],
    [
      'log line\n{"ok":false,"stage":"auth","error":"denied"}\n',
      { ok: false, stage: 'auth', error: 'denied' },
    ],
    ['{"ok":true,', undefined],
  ])('%j → %j', (text, result) => {
    expect(parseExecutorResult(text)).toEqual(result);
  });
});
