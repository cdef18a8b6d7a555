import { OpenBaoRestore } from '@internal/plugin-openbao-backup-common';
import { makeObserved } from './__fixtures__/builders';
import { isJobActive, preflight } from './preflight';
import { JobLike } from './types';

const restore = (
  cluster: string,
  phase?: string,
  namespace = 'vault',
): OpenBaoRestore => ({
  apiVersion: 'openbao.org/v1alpha1',
  kind: 'OpenBaoRestore',
  metadata: { name: `restore-${cluster}`, namespace },
  spec: { cluster },
  ...(phase ? { status: { phase } } : {}),
});
const running: JobLike = {
  metadata: { name: 'backup-prod-20261125020000' },
  status: { active: 1 },
};
const complete: JobLike = {
  metadata: { name: 'backup-prod-20261124020000' },
  status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
};
const failed: JobLike = {
  metadata: { name: 'backup-prod-20261123020000' },
  status: {
    failed: 1,
    conditions: [
      { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' },
    ],
  },
};

describe('preflight', () => {
  it.each([
    ['a healthy cluster', makeObserved()],
    ['finished Jobs only', makeObserved({}, { jobs: [complete, failed] })],
    [
      'restores of other clusters',
      makeObserved({}, { restores: [restore('other', 'Running')] }),
    ],
    [
      'a restore in another namespace',
      makeObserved({}, { restores: [restore('prod', 'Running', 'elsewhere')] }),
    ],
    [
      'finished restores',
      makeObserved(
        {},
        { restores: [restore('prod', 'Completed'), restore('prod', 'Failed')] },
      ),
    ],
    [
      'a stale BackingUp=True without a running Job',
      makeObserved({
        status: {
          conditions: [
            {
              type: 'BackingUp',
              status: 'True',
              reason: 'BackupRunning',
              lastTransitionTime: '2026-11-25T02:00:00Z',
            },
          ],
          backup: { activeJob: 'gone' },
        },
      } as any),
    ],
  ])('passes %s', (_, observed) => {
    expect(preflight(observed)).toEqual({ ok: true });
  });

  it.each([
    [
      'no spec.backup',
      makeObserved({ spec: { backup: null } } as any),
      'BackupNotConfigured',
      /not set/,
    ],
    [
      'phase Upgrading',
      makeObserved({ status: { phase: 'Upgrading' } }),
      'ClusterNotRunning',
      /phase is Upgrading/,
    ],
    [
      'no phase',
      makeObserved({ status: { phase: null } } as any),
      'ClusterNotRunning',
      /unset/,
    ],
    [
      'no status',
      makeObserved({ status: null } as any),
      'ClusterNotRunning',
      /unset/,
    ],
    [
      'upgrade in progress',
      makeObserved({ status: { upgrade: { from: '2.0', to: '2.1' } } }),
      'UpgradeInProgress',
      /status.upgrade/,
    ],
    [
      'an active restore',
      makeObserved({}, { restores: [restore('prod', 'Running')] }),
      'RestoreInProgress',
      /"restore-prod" is Running/,
    ],
    [
      'a restore without status',
      makeObserved({}, { restores: [restore('prod')] }),
      'RestoreInProgress',
      /is pending/,
    ],
    [
      'a running Job',
      makeObserved({}, { jobs: [complete, running] }),
      'BackupInProgress',
      /backup-prod-20261125020000/,
    ],
    [
      'no auth',
      makeObserved({ spec: { backup: { jwtAuthRole: null } } } as any),
      'AuthNotConfigured',
      /neither/,
    ],
    [
      'both auths',
      makeObserved({
        spec: { backup: { tokenSecretRef: { name: 't' } } },
      } as any),
      'AuthNotConfigured',
      /both/,
    ],
    [
      'invalid cron',
      makeObserved({ spec: { backup: { schedule: '* * *' } } } as any),
      'ConfigInvalid',
      /spec.backup.schedule: schedule "\* \* \*" has 3 fields/,
    ],
    [
      'missing Secret',
      makeObserved({}, { secrets: [] }),
      'ConfigInvalid',
      /Secret "s3-credentials" not found/,
    ],
    [
      'invalid image reference with verification',
      makeObserved({
        spec: {
          backup: { executorImage: 'r/E:1' },
          imageVerification: { enabled: true, publicKey: 'K' },
        },
      } as any),
      'ConfigInvalid',
      /invalid image reference/,
    ],
  ])('refuses %s', (_, observed, reason, message) => {
    const verdict = preflight(observed);
    expect(verdict).toEqual({
      ok: false,
      reason,
      message: expect.stringMatching(message),
    });
  });

  it('checks in the seed order: phase before upgrade before restore before Job before auth', () => {
    const everything = makeObserved(
      {
        status: { phase: 'Upgrading', upgrade: { to: 'x' } },
        spec: { backup: { jwtAuthRole: null } },
      } as any,
      { restores: [restore('prod', 'Running')], jobs: [running] },
    );
    expect(preflight(everything)).toMatchObject({
      reason: 'ClusterNotRunning',
    });
    everything.cluster.status!.phase = 'Running';
    expect(preflight(everything)).toMatchObject({
      reason: 'UpgradeInProgress',
    });
    everything.cluster.status!.upgrade = null;
    expect(preflight(everything)).toMatchObject({
      reason: 'RestoreInProgress',
    });
    everything.restores = [];
    expect(preflight(everything)).toMatchObject({ reason: 'BackupInProgress' });
    everything.jobs = [];
    expect(preflight(everything)).toMatchObject({
      reason: 'AuthNotConfigured',
    });
  });

  it('lets a pre-upgrade snapshot run during an upgrade, but not during a restore', () => {
    const upgrading = makeObserved({ status: { upgrade: { to: '2.1' } } });
    expect(preflight(upgrading, { trigger: 'pre-upgrade' })).toEqual({
      ok: true,
    });
    expect(preflight(upgrading, { trigger: 'manual' })).toMatchObject({
      reason: 'UpgradeInProgress',
    });
    upgrading.restores = [restore('prod', 'Running')];
    expect(preflight(upgrading, { trigger: 'pre-upgrade' })).toMatchObject({
      reason: 'RestoreInProgress',
    });
  });
});

describe('isJobActive', () => {
  it.each([
    [running, true],
    [{ metadata: { name: 'new' } }, true],
    [complete, false],
    [failed, false],
    [{ status: { succeeded: 1 } }, false],
    [{ status: { conditions: [{ type: 'Failed', status: 'False' }] } }, true],
  ] as Array<[JobLike, boolean]>)('%j → %s', (job, active) => {
    expect(isJobActive(job)).toBe(active);
  });
});
