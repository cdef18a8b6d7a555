import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { RunHistoryTable } from './RunHistoryTable';

// material-table is slow to render on a busy 2-core machine.
jest.setTimeout(20_000);

describe('RunHistoryTable', () => {
  it('shows the verified executor image digest of a pinned run, nothing for an unpinned one', async () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    await renderInTestApp(
      <RunHistoryTable
        runs={[
          {
            jobName: 'backup-bao-2',
            trigger: 'manual',
            phase: 'Running',
            executorImageDigest: digest,
          },
          { jobName: 'backup-bao-1', trigger: 'scheduled', phase: 'Succeeded' },
        ]}
      />,
    );
    const line = await screen.findByText(
      `verified image ${digest.slice(0, 19)}…`,
    );
    expect(line).toHaveAttribute('title', digest);
    expect(screen.getAllByText(/verified image/)).toHaveLength(1);
  });
});
