import { runsFromJobs } from './runsFromJobs';

describe('runsFromJobs', () => {
  const job = (name: string, image: string) => ({
    metadata: { name, creationTimestamp: '2026-11-25T02:00:00Z' },
    spec: {
      activeDeadlineSeconds: 3600,
      template: { spec: { containers: [{ image }] } },
    },
    status: { active: 1 },
  });

  it('shows the digest of a run pinned by image verification, none for a tag', () => {
    const digest = `sha256:${'ef'.repeat(32)}`;
    const runs = runsFromJobs(
      [
        job('pinned', `ghcr.io/acme/executor@${digest}`),
        job('tagged', 'ghcr.io/acme/executor:1.0'),
      ],
      {},
      new Date('2026-11-25T02:00:10Z'),
    );
    expect(runs.map(r => [r.jobName, r.executorImageDigest])).toEqual([
      ['pinned', digest],
      ['tagged', undefined],
    ]);
  });
});
