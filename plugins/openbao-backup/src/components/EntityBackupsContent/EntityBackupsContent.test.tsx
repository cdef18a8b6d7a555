import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, within } from '@testing-library/react';
import { OpenBaoBackupApi, openBaoBackupApiRef } from '../../api';
import {
  entity,
  fakeApi,
  hoursAgo,
  okDetail,
  okEntry,
  responseError,
} from '../../testing/fixtures';
import { EntityBackupsContent } from './EntityBackupsContent';

const ANNOTATED = entity({ 'openbao.org/cluster': 'prod/vault/bao-a' });

function render(api: OpenBaoBackupApi, e = ANNOTATED) {
  return renderInTestApp(
    <EntityProvider entity={e}>
      <EntityBackupsContent />
    </EntityProvider>,
    {
      apis: [
        [openBaoBackupApiRef, api],
        mockApis.permission(),
        mockApis.alert(),
      ],
    },
  );
}

// material-table is slow to render on a busy 2-core machine.
jest.setTimeout(20_000);

describe('EntityBackupsContent', () => {
  it('explains the missing openbao.org/cluster annotation without calling the backend', async () => {
    const api = fakeApi();
    await render(api, entity({}));
    expect(screen.getByText('Missing Annotation')).toBeInTheDocument();
    expect(screen.getAllByText(/openbao\.org\/cluster/).length).toBeGreaterThan(
      0,
    );
    expect(api.getEntityClusters).not.toHaveBeenCalled();
  });

  it('shows progress while the linked clusters load', async () => {
    const api = fakeApi({
      getEntityClusters: jest.fn(() => new Promise<never>(() => {})),
    });
    await render(api);
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
    expect(api.getEntityClusters).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'payments',
    });
  });

  it('shows a ResponseErrorPanel when the entity lookup fails', async () => {
    const error = await responseError(500, 'catalog unavailable');
    await render(
      fakeApi({ getEntityClusters: jest.fn().mockRejectedValue(error) }),
    );
    expect(
      (await screen.findAllByText(/Request failed with 500/)).length,
    ).toBeGreaterThan(0);
  });

  it('shows an empty state when the annotation names no managed cluster', async () => {
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

  it('renders status, runs, snapshots and the retention preview of a healthy cluster', async () => {
    const api = fakeApi({
      listSnapshots: jest.fn().mockResolvedValue({
        items: [
          {
            key: 'backups/vault/bao-a/2026-11-25T08-00-00Z-0badc0de.snap',
            size: 2048,
            time: hoursAgo(0.5),
          },
          {
            key: 'backups/vault/bao-a/pre-upgrade-2026-11-20T08-00-00Z-1.snap',
            size: 1024,
            time: hoursAgo(120),
            trigger: 'pre-upgrade',
          },
        ],
      }),
      previewRetention: jest.fn().mockResolvedValue({
        applies: true,
        keep: [{ key: 'k1', reason: 'newest' }],
        delete: [
          { key: 'backups/vault/bao-a/old.snap', reason: 'older than 30d' },
        ],
      }),
    });
    await render(api);

    expect(await screen.findByText('vault/bao-a')).toBeInTheDocument();
    expect(screen.getByTestId('health-badge')).toHaveAttribute(
      'data-health',
      'ok',
    );
    expect(screen.getByText('OK')).toBeInTheDocument();
    expect(
      screen.getByText('Every hour (Europe/Amsterdam)'),
    ).toBeInTheDocument();
    expect(screen.getAllByText('3.0 MiB').length).toBeGreaterThan(0);
    expect(screen.getAllByText('42s').length).toBeGreaterThan(0);
    expect(screen.getByText('1234 / 7')).toBeInTheDocument();
    expect(screen.getByText('ab'.repeat(32))).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Copy SHA-256' }),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/30 minutes ago/).length).toBeGreaterThan(0);
    expect(screen.getByText(/in 30 minutes/)).toBeInTheDocument();
    expect(screen.getByText(/\(Europe\/Amsterdam\)$/)).toBeInTheDocument();

    // run history
    expect(screen.getByText('backup-bao-a-20261125080000')).toBeInTheDocument();
    expect(
      screen.getByText('storage: AccessDenied writing the object'),
    ).toBeInTheDocument();

    // snapshots in the bucket
    expect(
      await screen.findByText(
        'backups/vault/bao-a/2026-11-25T08-00-00Z-0badc0de.snap',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('pre-upgrade')).toBeInTheDocument();

    // retention
    expect(
      screen.getByText(
        /keep the newest 3 snapshots, delete snapshots older than 30d/,
      ),
    ).toBeInTheDocument();
    const list = await screen.findByRole('list', {
      name: 'Snapshots retention would delete',
    });
    expect(
      within(list).getByText('backups/vault/bao-a/old.snap'),
    ).toBeInTheDocument();
    expect(within(list).getByText('older than 30d')).toBeInTheDocument();
    expect(api.getCluster).toHaveBeenCalledWith(okEntry.ref);
  });

  it('shows consecutive failures with the last reason of a failing cluster', async () => {
    await render(
      fakeApi({
        getCluster: jest.fn().mockResolvedValue({
          ...okDetail,
          health: 'failing',
          backup: {
            ...okDetail.backup,
            consecutiveFailures: 3,
            lastFailureReason: 'auth: permission denied',
          },
        }),
      }),
    );
    expect(await screen.findByText('Failing')).toBeInTheDocument();
    expect(screen.getByText('auth: permission denied')).toBeInTheDocument();
    expect(screen.getByText('3')).toBeInTheDocument();
  });

  it('shows "Never" for a cluster without a successful backup', async () => {
    await render(
      fakeApi({
        getCluster: jest.fn().mockResolvedValue({
          ...okDetail,
          health: 'never',
          backup: {},
          runs: [],
        }),
      }),
    );
    expect(await screen.findByText('Never backed up')).toBeInTheDocument();
    expect(screen.getByText('Never')).toBeInTheDocument();
    expect(screen.getByText('No backup runs yet.')).toBeInTheDocument();
  });

  it('explains that the bucket lifecycle owns retention when it does not apply', async () => {
    await render(
      fakeApi({
        previewRetention: jest.fn().mockResolvedValue({
          applies: false,
          reason: 'web identity: the bucket lifecycle owns retention',
          keep: [],
          delete: [],
        }),
      }),
    );
    expect(
      await screen.findByText(/the bucket lifecycle owns retention/),
    ).toBeInTheDocument();
  });

  it('warns about an unreachable cluster while the others render', async () => {
    const down = {
      ...okEntry,
      ref: { kubernetesCluster: 'edge', namespace: 'vault', name: 'bao-b' },
      health: 'unknown' as const,
      error: 'connect ECONNREFUSED 10.0.0.1:6443',
    };
    const api = fakeApi({
      getEntityClusters: jest
        .fn()
        .mockResolvedValue({ items: [okEntry, down], errors: ['"x" is bad'] }),
    });
    await render(api);
    expect(
      await screen.findByText(/Cannot read edge\/vault\/bao-b/),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/ECONNREFUSED/).length).toBeGreaterThan(0);
    expect(await screen.findByText('vault/bao-a')).toBeInTheDocument();
    expect(screen.getByText(/annotation are invalid/)).toBeInTheDocument();
    expect(api.getCluster).toHaveBeenCalledTimes(1);
  });
});
