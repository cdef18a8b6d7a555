import { AddressInfo } from 'node:net';
import request from 'supertest';
import { KubeApi, kubeRequest } from '@internal/openbao-backup-sandbox';
import { createTestBucket } from '../__testUtils__/sandbox';
import {
  createBackupClusters,
  crsPath,
  startSimulatedKube,
} from '../__testUtils__/backupClusters';
import {
  startReconcilingBackend,
  waitFor,
} from '../__testUtils__/reconcilingBackend';

const NS = 'vault';
const SLOT = Date.parse('2026-01-05T10:00:00Z');

describe('3 clusters on 2 Kubernetes API servers, one of them down', () => {
  let east: KubeApi;
  let west: KubeApi;
  let backend: Awaited<ReturnType<typeof startReconcilingBackend>>;
  let now = new Date(SLOT - 30_000);

  beforeAll(async () => {
    const bucket = await createTestBucket('api-down');
    east = await startSimulatedKube(NS, 20);
    west = await startSimulatedKube(NS, 20);
    await createBackupClusters(east, NS, ['a1', 'a2'], {
      schedule: '0 * * * *',
      bucket,
    });
    await createBackupClusters(west, NS, ['b1'], {
      schedule: '0 * * * *',
      bucket,
    });
    backend = await startReconcilingBackend({
      kubes: [
        { name: 'east', api: east },
        { name: 'west', api: west },
      ],
      clock: { now: () => now },
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: 'vault',
            namespace: 'default',
            annotations: {
              'openbao.org/cluster': `east/${NS}/a1, east/${NS}/a2, west/${NS}/b1`,
            },
          },
          spec: { owner: 'platform' },
        },
      ],
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await east?.stop();
    await west?.stop();
  });

  /** Names of the clusters whose run for `slot` finished successfully. */
  const backedUp = (kube: KubeApi, slot: number) => async () =>
    (await kubeRequest(kube, 'GET', crsPath(NS))).items
      .filter(
        (c: any) =>
          Date.parse(c.status?.backup?.lastAttemptScheduledTime) === slot &&
          !c.status.backup.activeJob &&
          c.status.backup.consecutiveFailures === 0,
      )
      .map((c: any) => c.metadata.name)
      .sort();
  /** Passes until `done` (the Job of a slot needs one pass to start and one to be recorded). */
  async function passUntil(read: () => Promise<string[]>, want: string[]) {
    await waitFor(
      async () => {
        await backend.pass();
        return read();
      },
      names => JSON.stringify(names) === JSON.stringify(want),
      `backups of ${want.join(', ')}`,
    );
  }
  const health = async () =>
    (
      await request(backend.server).get(
        '/api/openbao-backup/entity/component/default/vault',
      )
    ).body.items.map((e: any) => [e.ref.name, e.health, !!e.error]);

  it('keeps backing up the reachable clusters, reports the others unknown, and recovers', async () => {
    // West goes down: connections refused (its state survives, as a real API server's would).
    const westPort = (west.server.address() as AddressInfo).port;
    await new Promise<void>(resolve => {
      west.server.close(() => resolve());
      west.server.closeAllConnections();
    });

    now = new Date(SLOT + 5_000);
    await passUntil(backedUp(east, SLOT), ['a1', 'a2']);

    const fleet = await request(backend.server).get(
      '/api/openbao-backup/clusters',
    );
    expect(fleet.status).toBe(200);
    expect(fleet.body.items.map((e: any) => [e.ref.name, e.health])).toEqual([
      ['a1', 'ok'],
      ['a2', 'ok'],
    ]);
    expect(fleet.body.errors).toEqual([
      expect.objectContaining({
        kubernetesCluster: 'west',
        message: expect.stringMatching(/ECONNREFUSED|connect/),
      }),
    ]);
    expect(await health()).toEqual([
      ['a1', 'ok', false],
      ['a2', 'ok', false],
      ['b1', 'unknown', true],
    ]);

    // West is back: its cluster is backed up at the next slot, and everything is healthy again.
    await new Promise<void>(resolve =>
      west.server.listen(westPort, '127.0.0.1', () => resolve()),
    );
    const next = SLOT + 3600_000;
    now = new Date(next + 5_000);
    await passUntil(backedUp(west, next), ['b1']);
    await passUntil(backedUp(east, next), ['a1', 'a2']);
    expect(await health()).toEqual([
      ['a1', 'ok', false],
      ['a2', 'ok', false],
      ['b1', 'ok', false],
    ]);
    const eastJobs = (
      await kubeRequest(east, 'GET', `/apis/batch/v1/namespaces/${NS}/jobs`)
    ).items;
    expect(eastJobs).toHaveLength(4); // two slots × two clusters, none lost during the outage
  }, 30_000);
});
