import {
  outcomeForDecision,
  startedOutcomeFromJob,
} from './outcomeForDecision';
import { RunDecision } from './decideRun';

const at = new Date('2026-11-25T02:00:00Z');
const next = new Date('2026-11-26T02:00:00Z');
const job = {
  metadata: {
    name: 'backup-prod-20261125020000',
    labels: { 'openbao.org/backup-trigger': 'manual' },
    annotations: {
      'openbao.org/run-at': at.toISOString(),
      'openbao.org/scheduled-time': at.toISOString(),
      'openbao.org/trigger-value': 'v',
    },
  },
};

describe('outcomeForDecision', () => {
  it.each<[string, RunDecision, unknown]>([
    ['ignore', { action: 'ignore', reason: 'BackupNotConfigured' }, undefined],
    ['wait', { action: 'wait', until: next }, undefined],
    [
      'running, known Job',
      {
        action: 'track',
        jobName: 'j',
        job: {},
        adopted: false,
        state: { phase: 'running' },
      },
      undefined,
    ],
    [
      'running, adopted without the object',
      {
        action: 'track',
        jobName: 'j',
        adopted: true,
        state: { phase: 'running' },
      },
      undefined,
    ],
    [
      'start',
      {
        action: 'start',
        trigger: 'scheduled',
        runAt: at,
        jobName: 'j',
        slot: at,
        next,
      },
      {
        type: 'job-started',
        trigger: 'scheduled',
        runAt: at,
        jobName: 'j',
        slot: at,
        next,
      },
    ],
    [
      'manual start',
      {
        action: 'start',
        trigger: 'manual',
        runAt: at,
        jobName: 'j',
        triggerValue: 'v',
      },
      {
        type: 'job-started',
        trigger: 'manual',
        runAt: at,
        jobName: 'j',
        triggerValue: 'v',
      },
    ],
    [
      'refuse',
      {
        action: 'refuse',
        trigger: 'manual',
        reason: 'UpgradeInProgress',
        message: 'm',
        triggerValue: 'v',
      },
      {
        type: 'preflight-failed',
        trigger: 'manual',
        reason: 'UpgradeInProgress',
        message: 'm',
        triggerValue: 'v',
      },
    ],
    [
      'skip',
      {
        action: 'skip',
        reason: 'MissedStartingDeadline',
        slot: at,
        next,
        message: 'm',
      },
      {
        type: 'slot-skipped',
        reason: 'MissedStartingDeadline',
        slot: at,
        next,
        message: 'm',
      },
    ],
    [
      'record-next',
      { action: 'record-next', next, reason: 'FirstSighting' },
      { type: 'next-scheduled', next },
    ],
    [
      'config-invalid',
      { action: 'config-invalid', problems: [] },
      { type: 'config-invalid', problems: [] },
    ],
    [
      'succeeded',
      {
        action: 'track',
        jobName: 'j',
        job: {},
        adopted: false,
        state: { phase: 'succeeded', completedAt: next },
      },
      {
        type: 'job-succeeded',
        jobName: 'j',
        job: {},
        completedAt: next,
        result: undefined,
        startedAt: undefined,
      },
    ],
    [
      'failed',
      {
        action: 'track',
        jobName: 'j',
        adopted: false,
        state: { phase: 'failed', reason: 'JobNotFound', message: 'm' },
      },
      {
        type: 'job-failed',
        jobName: 'j',
        job: undefined,
        reason: 'JobNotFound',
        message: 'm',
      },
    ],
    [
      'adopted running Job',
      {
        action: 'track',
        jobName: job.metadata.name,
        job,
        adopted: true,
        state: { phase: 'running' },
      },
      {
        type: 'job-started',
        jobName: job.metadata.name,
        trigger: 'manual',
        runAt: at,
        slot: at,
        triggerValue: 'v',
      },
    ],
  ])('%s', (_, decision, outcome) => {
    expect(outcomeForDecision(decision)).toEqual(outcome);
  });
});

describe('startedOutcomeFromJob', () => {
  it('falls back to scheduled and the creation time', () => {
    expect(
      startedOutcomeFromJob({ metadata: { creationTimestamp: at } }, 'j'),
    ).toEqual({
      type: 'job-started',
      jobName: 'j',
      trigger: 'scheduled',
      runAt: at,
    });
  });
  it('reads pre-upgrade', () => {
    expect(
      startedOutcomeFromJob(
        {
          metadata: {
            labels: { 'openbao.org/backup-trigger': 'pre-upgrade' },
            creationTimestamp: at,
          },
        },
        'j',
      ),
    ).toMatchObject({
      trigger: 'pre-upgrade',
    });
  });
  it('reads the object key, so an adopted run can be cleaned up after its Job vanished', () => {
    expect(
      startedOutcomeFromJob(
        {
          metadata: {
            annotations: { 'openbao.org/backup-key': 'p/ns/c/x.snap' },
            creationTimestamp: at,
          },
        },
        'j',
      ),
    ).toMatchObject({ key: 'p/ns/c/x.snap' });
  });
});
