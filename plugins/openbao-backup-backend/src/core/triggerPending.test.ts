import { ANNOTATION_TRIGGER_VALUE } from '@internal/plugin-openbao-backup-common';
import { makeObserved } from './__fixtures__/builders';
import { JobLike } from './types';
import { triggerAlreadyRun } from './triggerPending';

const jobFor = (triggerValue?: string): JobLike => ({
  metadata: {
    name: `backup-prod-${triggerValue ?? 'scheduled'}`,
    annotations: triggerValue
      ? { [ANNOTATION_TRIGGER_VALUE]: triggerValue }
      : {},
  },
});

describe('triggerAlreadyRun', () => {
  it('is true for the latest observed request', () => {
    const observed = makeObserved({
      status: { backup: { observedTrigger: 'upgrade-1' } },
    });
    expect(triggerAlreadyRun(observed, 'upgrade-1')).toBe(true);
    expect(triggerAlreadyRun(observed, 'upgrade-2')).toBe(false);
  });

  it('is true for an earlier request a later one replaced in observedTrigger, from its Job', () => {
    const observed = makeObserved(
      { status: { backup: { observedTrigger: 'manual-abc' } } },
      { jobs: [jobFor('upgrade-1'), jobFor(), jobFor('manual-abc')] },
    );
    expect(triggerAlreadyRun(observed, 'upgrade-1')).toBe(true);
    expect(triggerAlreadyRun(observed, 'upgrade-2')).toBe(false);
  });

  it('is false for a cluster without status or Jobs', () => {
    expect(triggerAlreadyRun(makeObserved({ status: null } as any), 'x')).toBe(
      false,
    );
  });
});
