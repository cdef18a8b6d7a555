import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { screen, within } from '@testing-library/react';
import { OpenBaoBackupApi, openBaoBackupApiRef } from '../../api';
import {
  entity,
  fakeApi,
  okEntry,
  responseError,
} from '../../testing/fixtures';
import { EntityBackupsCard } from './EntityBackupsCard';

function render(api: OpenBaoBackupApi) {
  return renderInTestApp(
    <EntityProvider entity={entity({ 'openbao.org/cluster': 'vault/bao-a' })}>
      <EntityBackupsCard />
    </EntityProvider>,
    {
      apis: [[openBaoBackupApiRef, api], mockApis.permission()],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

// material-table is slow to render on a busy 2-core machine.
jest.setTimeout(20_000);

describe('EntityBackupsCard', () => {
  it('shows progress while loading', async () => {
    await render(
      fakeApi({
        getEntityClusters: jest.fn(() => new Promise<never>(() => {})),
      }),
    );
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('shows a ResponseErrorPanel on failure', async () => {
    const error = await responseError(503, 'down');
    await render(
      fakeApi({ getEntityClusters: jest.fn().mockRejectedValue(error) }),
    );
    expect(
      (await screen.findAllByText(/Request failed with 503/)).length,
    ).toBeGreaterThan(0);
  });

  it('shows an empty state when no cluster is linked', async () => {
    await render(
      fakeApi({
        getEntityClusters: jest
          .fn()
          .mockResolvedValue({ items: [], errors: [] }),
      }),
    );
    expect(
      await screen.findByText('No OpenBao clusters found'),
    ).toBeInTheDocument();
  });

  it('lists health, last success and next run per cluster and links to the tab', async () => {
    await render(
      fakeApi({
        getEntityClusters: jest.fn().mockResolvedValue({
          items: [
            okEntry,
            {
              ...okEntry,
              ref: { ...okEntry.ref, name: 'bao-b' },
              health: 'stale',
              suspended: true,
            },
            {
              ...okEntry,
              ref: { ...okEntry.ref, name: 'bao-c' },
              error: 'connect ETIMEDOUT',
            },
          ],
          errors: [],
        }),
      }),
    );
    const table = await screen.findByRole('table', { name: 'OpenBao backups' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(4);
    expect(within(rows[1]).getByText('vault/bao-a')).toBeInTheDocument();
    expect(within(rows[1]).getByText('OK')).toBeInTheDocument();
    expect(within(rows[1]).getByText(/30 minutes ago/)).toBeInTheDocument();
    expect(within(rows[1]).getByText('in 30 minutes')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Stale')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Suspended')).toBeInTheDocument();
    expect(within(rows[3]).getByText('Unknown')).toBeInTheDocument();
    expect(within(rows[3]).getByText(/ETIMEDOUT/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /View backups/ })).toHaveAttribute(
      'href',
      '/catalog/default/component/payments/backups',
    );
  });
});
