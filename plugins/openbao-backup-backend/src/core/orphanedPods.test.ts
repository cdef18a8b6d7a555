import { makeObserved } from './__fixtures__/builders';
import { decideRun } from './decideRun';
import { orphanedPods } from './orphanedPods';
import { PodLike } from './types';

const now = new Date('2026-11-25T02:10:00Z');
const JOB = 'backup-prod-20261125020000';
const pod = (name: string, extra: Partial<PodLike> = {}): PodLike => ({
  metadata: { name, ...extra.metadata },
  status: { phase: 'Running', ...extra.status },
});
const observedWith = (jobs: any[], pods: PodLike[]) =>
  makeObserved(
    { status: { backup: { activeJob: JOB } } } as any,
    { jobs, pods: { [JOB]: pods } } as any,
  );

describe('orphanedPods', () => {
  it('names the live pods of a tracked run whose Job is gone', () => {
    const observed = observedWith(
      [],
      [
        pod('running'),
        pod('pending', { status: { phase: 'Pending' } }),
        pod('terminating', {
          metadata: { deletionTimestamp: '2026-11-25T02:09:00Z' },
        }),
        pod('done', { status: { phase: 'Succeeded' } }),
        pod('failed', { status: { phase: 'Failed' } }),
      ],
    );
    const decision = decideRun(observed, now);
    expect(decision).toMatchObject({
      action: 'track',
      state: { reason: 'JobNotFound' },
    });
    expect(orphanedPods(observed, decision)).toEqual(['running', 'pending']);
  });

  it('names none while the Job exists, or when nothing is tracked', () => {
    const job = {
      metadata: { name: JOB, creationTimestamp: '2026-11-25T02:00:00Z' },
      status: { active: 1 },
    };
    const observed = observedWith([job], [pod('running')]);
    expect(orphanedPods(observed, decideRun(observed, now))).toEqual([]);
    expect(orphanedPods(observed, { action: 'wait', until: now })).toEqual([]);
  });
});
