import {
  ClusterDetail,
  FleetEntry,
} from '@internal/plugin-openbao-backup-common';
import { OpenBaoBackupApi } from '../api';

const HOUR = 3600 * 1000;

/** An RFC 3339 time `hours` before now (negative: in the future). */
export const hoursAgo = (hours: number) =>
  new Date(Date.now() - hours * HOUR).toISOString();

export const okEntry: FleetEntry = {
  ref: { kubernetesCluster: 'prod', namespace: 'vault', name: 'bao-a' },
  health: 'ok',
  schedule: '0 * * * *',
  timeZone: 'Europe/Amsterdam',
  expectedIntervalSeconds: 3600,
  backup: {
    lastBackupTime: hoursAgo(0.5),
    lastAttemptTime: hoursAgo(0.5),
    lastBackupSize: 3 * 1024 * 1024,
    lastBackupDuration: 42,
    lastBackupName: 'backups/vault/bao-a/2026-11-25T08-00-00Z-0badc0de.snap',
    lastBackupSha256: 'ab'.repeat(32),
    lastBackupRaftIndex: 1234,
    lastBackupRaftTerm: 7,
    nextScheduledBackup: hoursAgo(-0.5),
    consecutiveFailures: 0,
  },
  entityRefs: ['component:default/payments'],
  owners: ['group:default/team-a'],
};

export const okDetail: ClusterDetail = {
  ...okEntry,
  retention: { maxCount: 3, maxAge: '30d' },
  retentionApplies: true,
  bucket: 'snapshots',
  pathPrefix: 'backups',
  runs: [
    {
      jobName: 'backup-bao-a-20261125080000',
      trigger: 'scheduled',
      phase: 'Succeeded',
      startTime: hoursAgo(0.5),
      completionTime: hoursAgo(0.49),
      size: 3 * 1024 * 1024,
      durationSeconds: 42,
    },
    {
      jobName: 'backup-bao-a-20261125070000',
      trigger: 'manual',
      phase: 'Failed',
      startTime: hoursAgo(1.5),
      reason: 'storage',
      message: 'AccessDenied writing the object',
    },
  ],
};

/** A fake OpenBaoBackupApi: every method is a jest.fn with harmless defaults; override per test. */
export function fakeApi(
  overrides: Partial<OpenBaoBackupApi> = {},
): jest.Mocked<OpenBaoBackupApi> {
  return {
    getFleet: jest.fn(async () => ({ items: [okEntry], errors: [] })),
    getEntityClusters: jest.fn(async () => ({ items: [okEntry], errors: [] })),
    getCluster: jest.fn(async () => okDetail),
    listSnapshots: jest.fn(async () => ({ items: [] })),
    previewRetention: jest.fn(async () => ({
      applies: true,
      keep: [],
      delete: [],
    })),
    triggerBackup: jest.fn(async () => ({ triggerId: 't-1' })),
    ...overrides,
  } as jest.Mocked<OpenBaoBackupApi>;
}

/** A ResponseError-shaped failure as `ResponseError.fromResponse` builds it. */
export async function responseError(status: number, message: string) {
  const { ResponseError } = await import('@backstage/errors');
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: status === 409 ? 'ConflictError' : 'Error', message },
        request: { method: 'GET', url: '/x' },
        response: { statusCode: status },
      }),
      {
        status,
        statusText: status === 409 ? 'Conflict' : 'Internal Server Error',
        headers: { 'Content-Type': 'application/json' },
      },
    ) as any,
  );
}

export const entity = (annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments', namespace: 'default', annotations },
  spec: {},
});
