import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { FleetEntry } from '@internal/plugin-openbao-backup-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OpenBaoBackupApi, openBaoBackupApiRef } from '../../api';
import { fakeApi, responseError } from '../../testing/fixtures';
import { FleetPage } from './FleetPage';

const NOW = new Date('2026-11-25T12:00:00Z');
const ago = (hours: number) =>
  new Date(NOW.getTime() - hours * 3600_000).toISOString();

const entry = (
  name: string,
  health: FleetEntry['health'],
  extra: Partial<FleetEntry> = {},
): FleetEntry => ({
  ref: { kubernetesCluster: 'prod', namespace: 'vault', name },
  health,
  expectedIntervalSeconds: 3600,
  owners: ['group:default/team-a'],
  ...extra,
});

const FLEET: FleetEntry[] = [
  entry('fresh', 'ok', { backup: { lastBackupTime: ago(0.5) } }),
  entry('stale-3h', 'stale', {
    backup: { lastBackupTime: ago(3) },
    owners: ['group:default/team-b'],
    entityRefs: ['component:default/billing'],
  }),
  entry('daily-5h', 'ok', {
    expectedIntervalSeconds: 86400,
    backup: { lastBackupTime: ago(5) },
  }),
  entry('never', 'never', { owners: ['group:default/team-b'] }),
  entry('failing', 'failing', {
    backup: {
      lastBackupTime: ago(2),
      consecutiveFailures: 4,
      lastFailureReason: 'storage: AccessDenied',
    },
  }),
  entry('down', 'unknown', { error: 'connect ECONNREFUSED' }),
];

function render(api: OpenBaoBackupApi) {
  return renderInTestApp(<FleetPage now={NOW} />, {
    apis: [[openBaoBackupApiRef, api]],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
}

/** Cluster names in table order. */
async function clusterOrder() {
  const table = await screen.findByRole('table');
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map(row => within(row).queryByText(/^vault\//)?.textContent)
    .filter(Boolean)
    .map(text => text!.replace('vault/', ''));
}

// material-table is slow to render on a busy 2-core machine.
jest.setTimeout(20_000);

describe('FleetPage', () => {
  it('shows progress while the fleet loads', async () => {
    await render(
      fakeApi({ getFleet: jest.fn(() => new Promise<never>(() => {})) }),
    );
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('shows a ResponseErrorPanel when the fleet cannot be loaded', async () => {
    const error = await responseError(500, 'boom');
    await render(fakeApi({ getFleet: jest.fn().mockRejectedValue(error) }));
    expect(
      (await screen.findAllByText(/Request failed with 500/)).length,
    ).toBeGreaterThan(0);
  });

  it('shows an empty state without clusters', async () => {
    await render(
      fakeApi({
        getFleet: jest.fn().mockResolvedValue({ items: [], errors: [] }),
      }),
    );
    expect(await screen.findByText('No OpenBao clusters')).toBeInTheDocument();
  });

  it('warns about a Kubernetes cluster that could not be listed while showing the rest', async () => {
    await render(
      fakeApi({
        getFleet: jest.fn().mockResolvedValue({
          items: FLEET.slice(0, 1),
          errors: [{ kubernetesCluster: 'edge', message: 'connect ETIMEDOUT' }],
        }),
      }),
    );
    expect(
      await screen.findByText(/Kubernetes cluster edge could not be read/),
    ).toBeInTheDocument();
    expect(screen.getByText('connect ETIMEDOUT')).toBeInTheDocument();
    expect(await clusterOrder()).toEqual(['fresh']);
  });

  it('sorts by staleness (age ÷ expected interval), most stale first', async () => {
    await render(
      fakeApi({
        getFleet: jest.fn().mockResolvedValue({ items: FLEET, errors: [] }),
      }),
    );
    // never (∞), stale-3h (3), failing (2), fresh (0.5), daily-5h (5/24), down (no success → ∞)
    expect(await clusterOrder()).toEqual([
      'down',
      'never',
      'stale-3h',
      'failing',
      'fresh',
      'daily-5h',
    ]);
    expect(screen.getByText('3h / 1h')).toBeInTheDocument();
    expect(screen.getByText('5h / 1d')).toBeInTheDocument();
    expect(screen.getByText('4')).toBeInTheDocument();
    expect(
      within(screen.getByRole('table')).getAllByText('team-b').length,
    ).toBe(2);
  });

  it('filters by health and by owner', async () => {
    await render(
      fakeApi({
        getFleet: jest.fn().mockResolvedValue({ items: FLEET, errors: [] }),
      }),
    );
    const user = userEvent.setup();
    await screen.findByRole('table');
    // Both labels sit above their "All" (shrunk), not drawn over it.
    for (const label of ['Health', 'Owner']) {
      expect(screen.getByText(label, { selector: 'label' })).toHaveAttribute(
        'data-shrink',
        'true',
      );
    }
    const owner = screen.getByLabelText('Owner');
    expect(
      within(owner)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['All', 'team-a', 'team-b']);
    await user.selectOptions(screen.getByLabelText('Health'), 'failing');
    expect(await clusterOrder()).toEqual(['failing']);
    await user.selectOptions(screen.getByLabelText('Health'), 'unknown');
    expect(await clusterOrder()).toEqual(['down']);
    await user.selectOptions(screen.getByLabelText('Health'), '');
    await user.selectOptions(
      screen.getByLabelText('Owner'),
      'group:default/team-b',
    );
    expect(await clusterOrder()).toEqual(['never', 'stale-3h']);
  });

  it("links a cluster to its entity's Backups tab when the catalog knows one", async () => {
    await render(
      fakeApi({
        getFleet: jest.fn().mockResolvedValue({ items: FLEET, errors: [] }),
      }),
    );
    const link = await screen.findByRole('link', {
      name: 'Backups of vault/stale-3h',
    });
    expect(link).toHaveAttribute(
      'href',
      '/catalog/default/component/billing/backups',
    );
    expect(screen.getAllByText('no catalog entity')).toHaveLength(5);
  });

  it('says why a cluster is skipped next to its unchanged health, the message in a tooltip', async () => {
    await render(
      fakeApi({
        getFleet: jest.fn().mockResolvedValue({
          items: [
            entry('bao-upgrading', 'never', {
              skipped: {
                reason: 'UpgradeInProgress',
                message: 'an upgrade is in progress (status.upgrade is set)',
              },
            }),
            entry('bao-unverified', 'failing', {
              skipped: {
                reason: 'ExecutorImageVerificationFailed',
                message: 'no signature matched the configured keys',
              },
            }),
            entry('fresh', 'ok', { backup: { lastBackupTime: ago(0.5) } }),
          ],
          errors: [],
        }),
      }),
    );
    const row = (name: string) =>
      within(screen.getByText(`vault/${name}`).closest('tr')!);
    const upgrading = await screen.findByText(
      'Skipped: the cluster is upgrading',
    );
    expect(row('bao-upgrading').getByText('Never backed up')).toBeTruthy();
    expect(
      row('bao-unverified').getByText(
        'Skipped: the executor image failed verification',
      ),
    ).toBeTruthy();
    expect(row('fresh').queryByTestId('skip-chip')).toBeNull();

    await userEvent.hover(upgrading);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'No scheduled backup starts while this holds. UpgradeInProgress: an upgrade is in progress (status.upgrade is set)',
    );
  });
});
