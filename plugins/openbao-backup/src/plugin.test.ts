import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { openBaoBackupApiRef } from './api';
import { fakeApi } from './testing/fixtures';
import plugin, { hasOpenBaoCluster } from './plugin';
import {
  describeSchedule,
  formatBytes,
  formatDuration,
  formatInterval,
  sortByStaleness,
  staleness,
  splitSchedule,
} from './format';

describe('openbao-backup plugin', () => {
  it('registers the API, the Backups tab, the overview card and the fleet page', () => {
    expect(plugin.getExtension('api:openbao-backup')).toBeDefined();
    expect(
      plugin.getExtension('entity-content:openbao-backup/backups'),
    ).toBeDefined();
    expect(
      plugin.getExtension('entity-card:openbao-backup/overview'),
    ).toBeDefined();
    const page = createExtensionTester(
      plugin.getExtension('page:openbao-backup'),
    );
    expect(page.get(coreExtensionData.routePath)).toBe('/openbao-backups');
    expect(page.get(coreExtensionData.title)).toBe('OpenBao Backups');
    expect(page.get(coreExtensionData.icon)).toBeDefined();
  });

  it('serves the fleet page at /openbao-backups through its lazy loader', async () => {
    renderTestApp({
      features: [plugin],
      apis: [[openBaoBackupApiRef, fakeApi()]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      initialRouteEntries: ['/openbao-backups'],
    });
    expect(
      await screen.findByText('Backups across all clusters'),
    ).toBeInTheDocument();
    expect(await screen.findByText('vault/bao-a')).toBeInTheDocument();
  });

  it('shows the tab and card only on entities with the annotation', () => {
    expect(
      hasOpenBaoCluster({
        metadata: { annotations: { 'openbao.org/cluster': 'ns/bao' } },
      }),
    ).toBe(true);
    expect(hasOpenBaoCluster({ metadata: {} })).toBe(false);
  });
});

describe('formatting', () => {
  it.each([
    [undefined, '—'],
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
  ])('formatBytes(%p) = %p', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [undefined, '—'],
    [42, '42s'],
    [200, '3m 20s'],
    [3720, '1h 2m'],
    [90000, '1d 1h'],
  ])('formatDuration(%p) = %p', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it.each([
    [3600, '1h'],
    [5400, '1.5h'],
    [172800, '2d'],
    [30, '30s'],
  ])('formatInterval(%p) = %p', (seconds, text) => {
    expect(formatInterval(seconds)).toBe(text);
  });

  it('reads CRON_TZ prefixes and macros and puts schedules into words', () => {
    expect(splitSchedule('CRON_TZ=Europe/Berlin 0 2 * * *')).toEqual({
      expression: '0 2 * * *',
      timeZone: 'Europe/Berlin',
    });
    expect(splitSchedule('@hourly', 'Asia/Tokyo')).toEqual({
      expression: '0 * * * *',
      timeZone: 'Asia/Tokyo',
    });
    expect(describeSchedule('0 2 * * *', 'Europe/Amsterdam')).toBe(
      'At 02:00 (Europe/Amsterdam)',
    );
    expect(describeSchedule('@daily')).toBe('At 00:00 (UTC)');
    expect(describeSchedule('not cron')).toBe('not cron (UTC)');
  });

  it('ranks staleness as age ÷ interval, never-backed-up first', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    const e = (name: string, last?: string, interval = 3600) => ({
      ref: { kubernetesCluster: 'k', namespace: 'n', name },
      health: 'ok' as const,
      expectedIntervalSeconds: interval,
      backup: last ? { lastBackupTime: last } : {},
    });
    expect(staleness(e('a', '2026-11-25T09:00:00Z'), now)).toBe(3);
    expect(staleness(e('b'), now)).toBe(Infinity);
    expect(staleness(e('c', '2026-11-25T09:00:00Z', 0), now)).toBe(-1);
    expect(
      sortByStaleness(
        [
          e('fresh', '2026-11-25T11:30:00Z'),
          e('old', '2026-11-24T12:00:00Z'),
          e('never'),
          e('daily', '2026-11-25T06:00:00Z', 86400),
        ],
        now,
      ).map(x => x.ref.name),
    ).toEqual(['never', 'old', 'fresh', 'daily']);
  });
});
