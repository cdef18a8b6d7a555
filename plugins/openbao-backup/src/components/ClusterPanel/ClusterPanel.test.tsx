import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { ClusterDetail } from '@internal/plugin-openbao-backup-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OpenBaoBackupApi, openBaoBackupApiRef } from '../../api';
import {
  fakeApi,
  hoursAgo,
  okDetail,
  okEntry,
  responseError,
} from '../../testing/fixtures';
import { ClusterPanel } from './ClusterPanel';

// AuthorizeResult's values, without importing plugin-permission-common into this package.
type Decision = Extract<
  NonNullable<
    NonNullable<Parameters<typeof mockApis.permission>[0]>['authorize']
  >,
  string
>;
const ALLOW = 'ALLOW' as unknown as Decision;
const DENY = 'DENY' as unknown as Decision;

// The tables are covered by the Backups tab test; stubs keep this polling-heavy file fast.
jest.mock('../RunHistoryTable', () => ({
  RunHistoryTable: (props: { runs: unknown[] }) => (
    <div>{props.runs.length} runs</div>
  ),
}));
jest.mock('../SnapshotsTable', () => ({ SnapshotsTable: () => null }));

// Two cores run several test files at once; the trigger flow renders two material-tables.
jest.setTimeout(20_000);

// usePermission caches per (permission, resourceRef): give each test its own entity.
let n = 0;
const nextEntityRef = () => `component:default/payments-${++n}`;

function render(api: OpenBaoBackupApi, authorize: Decision = ALLOW) {
  const alertApi = mockApis.alert();
  const permissionApi = mockApis.permission({ authorize });
  renderInTestApp(
    <ClusterPanel
      entry={okEntry}
      entityRef={nextEntityRef()}
      pollIntervalMs={100}
    />,
    { apis: [[openBaoBackupApiRef, api], permissionApi, alertApi] },
  );
  return { alertApi };
}

const backUpNow = () =>
  screen.findByRole('button', { name: 'Back up prod/vault/bao-a now' });

/** Opens the trigger dialog once the button is enabled, gives `reason` and starts the backup. */
async function startBackup(reason: string) {
  const user = userEvent.setup();
  await waitFor(async () => expect(await backUpNow()).toBeEnabled());
  await user.click(await backUpNow());
  await user.click(await screen.findByLabelText(/Reason/));
  await user.paste(reason);
  await user.click(screen.getByRole('button', { name: 'Start backup' }));
  return user;
}

/** The error alert's message after a trigger, when the cluster detail then reads `after`. */
async function errorAlertAfterTrigger(after: ClusterDetail) {
  const getCluster = jest
    .fn()
    .mockResolvedValueOnce(okDetail)
    .mockResolvedValue(after);
  const { alertApi } = render(fakeApi({ getCluster }));
  await startBackup('test');
  return (await alertApi.waitForAlert(a => a.severity === 'error')).message;
}

describe('ClusterPanel', () => {
  it('disables "Back up now" with a tooltip when the trigger permission is denied', async () => {
    render(fakeApi(), DENY);
    const button = await backUpNow();
    await waitFor(() => expect(button).toBeDisabled());
    expect(
      screen.getByTitle(
        'You are not allowed to start a backup of this cluster',
      ),
    ).toBeInTheDocument();
  });

  it('disables "Back up now" while a run is active and polls until it ends', async () => {
    const running: ClusterDetail = {
      ...okDetail,
      backingUp: true,
      backup: { ...okDetail.backup, activeJob: 'backup-bao-a-1' },
    };
    const getCluster = jest
      .fn()
      .mockResolvedValueOnce(running)
      .mockResolvedValueOnce(running)
      .mockResolvedValue(okDetail);
    render(fakeApi({ getCluster }));
    expect(await screen.findByText(/Backup in progress/)).toBeInTheDocument();
    expect(screen.getByText(/backup-bao-a-1/)).toBeInTheDocument();
    expect(await backUpNow()).toBeDisabled();
    await waitFor(() =>
      expect(screen.queryByText(/Backup in progress/)).not.toBeInTheDocument(),
    );
    await waitFor(() => expect(screen.getByText('Back up now')).toBeEnabled());
    // no more polling once the run has ended
    const calls = getCluster.mock.calls.length;
    expect(calls).toBeGreaterThanOrEqual(3);
    await new Promise(r => setTimeout(r, 300));
    expect(getCluster).toHaveBeenCalledTimes(calls);
  });

  it('asks for a reason, triggers, shows progress until the run ends and reports success', async () => {
    const done: ClusterDetail = {
      ...okDetail,
      backup: {
        ...okDetail.backup,
        observedTrigger: 't-1',
        lastBackupTime: hoursAgo(0),
        lastBackupSize: 5 * 1024 * 1024,
        lastBackupDuration: 12,
      },
      conditions: [
        {
          type: 'BackingUp',
          status: 'False',
          reason: 'BackupSucceeded',
          message: 'snapshot written',
        },
      ],
      runs: [
        {
          jobName: 'backup-bao-a-2',
          trigger: 'manual',
          phase: 'Succeeded',
          size: 5 * 1024 * 1024,
          durationSeconds: 12,
        },
        ...okDetail.runs,
      ],
    };
    const started: ClusterDetail = {
      ...done,
      backingUp: true,
      runs: [{ ...done.runs[0], phase: 'Running' }, ...okDetail.runs],
    };
    // The backend's view moves on when the test says so.
    let stage: 'idle' | 'running' | 'done' = 'idle';
    const getCluster = jest.fn(async () => {
      if (stage === 'idle') return okDetail;
      return stage === 'running' ? started : done;
    });
    const api = fakeApi({
      getCluster,
      triggerBackup: jest.fn(async () => ({ triggerId: 't-1' })),
    });
    const { alertApi } = render(api);

    const user = userEvent.setup();
    await waitFor(async () => expect(await backUpNow()).toBeEnabled());
    await user.click(await backUpNow());
    const dialog = await screen.findByRole('dialog');
    const start = within(dialog).getByRole('button', { name: 'Start backup' });
    expect(start).toBeDisabled();
    await user.click(within(dialog).getByLabelText(/Reason/));
    await user.paste('  before the upgrade ');
    expect(start).toBeEnabled();
    await user.click(start);

    expect(api.triggerBackup).toHaveBeenCalledWith(
      okEntry.ref,
      'before the upgrade',
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(await screen.findByText(/Backup in progress/)).toBeInTheDocument();
    expect(await backUpNow()).toBeDisabled();
    expect(alertApi.getAlerts()).toContainEqual(
      expect.objectContaining({
        message: 'Backup of prod/vault/bao-a requested',
        severity: 'success',
      }),
    );

    stage = 'running';
    await new Promise(r => setTimeout(r, 250));
    expect(screen.getByText(/Backup in progress/)).toBeInTheDocument();
    stage = 'done';
    const finished = await alertApi.waitForAlert(a =>
      a.message.includes('finished'),
    );
    expect(finished).toEqual(
      expect.objectContaining({
        message: 'Backup of prod/vault/bao-a finished (5.0 MiB in 12s)',
        severity: 'success',
      }),
    );
    await waitFor(() =>
      expect(screen.queryByText(/Backup in progress/)).not.toBeInTheDocument(),
    );
    expect(await backUpNow()).toBeEnabled();
  });

  it('reports a failed run of a trigger as an error alert', async () => {
    const failed: ClusterDetail = {
      ...okDetail,
      backup: {
        ...okDetail.backup,
        observedTrigger: 't-1',
        consecutiveFailures: 1,
      },
      runs: [
        {
          jobName: 'backup-bao-a-3',
          trigger: 'manual',
          phase: 'Failed',
          message: 'leader not found',
        },
      ],
    };
    expect(await errorAlertAfterTrigger(failed)).toBe(
      'Backup of prod/vault/bao-a failed: leader not found',
    );
  });

  it('reports a trigger refused by the pre-flight check (no Job) as an error alert', async () => {
    const refused: ClusterDetail = {
      ...okDetail, // runs[0] is an older, successful run
      backup: { ...okDetail.backup, observedTrigger: 't-1' },
      conditions: [
        {
          type: 'BackingUp',
          status: 'False',
          reason: 'UpgradeInProgress',
          message: 'manual backup refused: an upgrade is in progress',
        },
      ],
    };
    expect(await errorAlertAfterTrigger(refused)).toBe(
      'Backup of prod/vault/bao-a failed: UpgradeInProgress: manual backup refused: an upgrade is in progress',
    );
  });

  it('keeps the dialog open and shows the reason in it and as an alert when the backend answers 409', async () => {
    const why =
      'Backup not started: UpgradeInProgress: an upgrade is in progress (status.upgrade is set)';
    const api = fakeApi({
      triggerBackup: jest.fn().mockRejectedValue(await responseError(409, why)),
    });
    const { alertApi } = render(api);
    const user = await startBackup('again');
    const alert = await alertApi.waitForAlert(a => a.severity === 'error');
    expect(alert.message).toBe(
      `Could not start a backup of prod/vault/bao-a: ${why} (409)`,
    );
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByRole('alert')).toHaveTextContent(
      `The backup was not started${why} (409)`,
    );
    expect(screen.queryByText(/Backup in progress/)).not.toBeInTheDocument();
    // Closed and opened again, the dialog starts clean.
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    await user.click(await backUpNow());
    expect(
      within(await screen.findByRole('dialog')).queryByRole('alert'),
    ).not.toBeInTheDocument();
  });

  it('says why no backup starts when the pre-flight check refuses (an upgrade)', async () => {
    const upgrading: ClusterDetail = {
      ...okDetail,
      // The refused slot stays the next one until its starting deadline.
      backup: { ...okDetail.backup, nextScheduledBackup: hoursAgo(0.05) },
      preflightRefusal: {
        reason: 'UpgradeInProgress',
        message: 'an upgrade is in progress (status.upgrade is set)',
      },
    };
    render(fakeApi({ getCluster: jest.fn(async () => upgrading) }));
    expect(
      await screen.findByText('Skipped: the cluster is upgrading'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /UpgradeInProgress: an upgrade is in progress \(status.upgrade is set\)/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('due 3 minutes ago, not started yet'),
    ).toBeInTheDocument();
  });

  it('shows no refusal for a cluster that may be backed up', async () => {
    render(fakeApi());
    expect(await screen.findByText('2 runs')).toBeInTheDocument();
    expect(screen.queryByText(/Skipped:/)).not.toBeInTheDocument();
    expect(screen.getByText('in 30 minutes')).toBeInTheDocument();
  });

  it('shows a ResponseErrorPanel when the cluster detail cannot be loaded', async () => {
    const error = await responseError(500, 'boom');
    render(fakeApi({ getCluster: jest.fn().mockRejectedValue(error) }));
    expect(
      (await screen.findAllByText(/Request failed with 500/)).length,
    ).toBeGreaterThan(0);
  });
});
