import request from 'supertest';
import {
  FaultProxy,
  KubeApi,
  kubeRequest,
  startFaultProxy,
} from '@internal/openbao-backup-sandbox';
import { TRIGGER_BACKUP_ANNOTATION } from '@internal/plugin-openbao-backup-common';
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
import { faultRow, judge } from '../__testUtils__/faultHarness';

const NS = 'vault';

/*
 * One API server hangs: it accepts connections and never answers (a black-hole proxy in front of
 * it). The real plugin, with a small request timeout, must go on reconciling the other server's
 * clusters in the same passes and report the hung server's clusters unreachable, with the reason.
 */
describe('2 Kubernetes API servers, one of them hung', () => {
  let east: KubeApi;
  let west: KubeApi;
  let westProxy: FaultProxy;
  let backend: Awaited<ReturnType<typeof startReconcilingBackend>>;

  beforeAll(async () => {
    const bucket = await createTestBucket('api-hung');
    east = await startSimulatedKube(NS, 20);
    west = await startSimulatedKube(NS, 20);
    westProxy = await startFaultProxy({ target: west.url });
    await createBackupClusters(east, NS, ['a1'], {
      schedule: '0 0 1 1 *',
      bucket,
    });
    await createBackupClusters(west, NS, ['b1'], {
      schedule: '0 0 1 1 *',
      bucket,
    });
    backend = await startReconcilingBackend({
      kubes: [
        { name: 'east', api: east },
        { name: 'west', api: west, url: westProxy.url },
      ],
      clock: { now: () => new Date() },
      kubernetes: { requestTimeout: { milliseconds: 400 } },
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: 'vault',
            namespace: 'default',
            annotations: {
              'openbao.org/cluster': `east/${NS}/a1, west/${NS}/b1`,
            },
          },
          spec: { owner: 'platform' },
        },
      ],
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await westProxy?.stop();
    await east?.stop();
    await west?.stop();
  });

  const cr = async (kube: KubeApi, name: string) =>
    kubeRequest(kube, 'GET', `${crsPath(NS)}/${name}`);

  it("reconciles the healthy server's trigger while the other hangs, and reports the hung one's clusters unreachable", async () => {
    westProxy.silent();
    await kubeRequest(east, 'PATCH', `${crsPath(NS)}/a1`, {
      metadata: {
        annotations: { [TRIGGER_BACKUP_ANNOTATION]: 'while-west-hangs' },
      },
    });
    // Every pass returns although west never answers (each waits for west's request timeout).
    let passes = 0;
    const a1 = await waitFor(
      async () => {
        await backend.pass();
        passes++;
        return cr(east, 'a1');
      },
      c =>
        c.status?.backup?.observedTrigger === 'while-west-hangs' &&
        !c.status.backup.activeJob,
      'the triggered run on east to be recorded',
      20_000,
    );
    const eastJobs = (
      await kubeRequest(east, 'GET', `/apis/batch/v1/namespaces/${NS}/jobs`)
    ).items;
    const fleet = await request(backend.server).get(
      '/api/openbao-backup/clusters',
    );
    const entries = (
      await request(backend.server).get(
        '/api/openbao-backup/entity/component/default/vault',
      )
    ).body.items;
    const b1 = entries.find((e: any) => e.ref.name === 'b1');
    const reason = new RegExp(
      `Kubernetes API server west \\(${westProxy.url.replace(
        /[.]/g,
        '\\.',
      )}\\) did not answer within 0\\.4 s`,
    );
    console.log(
      `${passes} passes; west swallowed ${westProxy.swallowed} connections; b1: ${b1?.error}`,
    );
    judge(
      faultRow('kubernetes')(
        'API server hung',
        'one of two API servers accepts connections and never answers (black-hole proxy); requestTimeout 0.4 s',
        "passes end; the healthy server's trigger starts one Job and its run is recorded; fleet/entry report the hung server's clusters unknown, naming the server and the timeout",
      ),
      {
        'the hung server was asked and never answered': westProxy.swallowed > 0,
        'east: the trigger was honoured':
          a1.status.backup.observedTrigger === 'while-west-hangs' &&
          !a1.metadata.annotations?.[TRIGGER_BACKUP_ANNOTATION],
        'east: exactly one Job': eastJobs.length === 1,
        'east: the run succeeded':
          a1.status.backup.consecutiveFailures === 0 &&
          !!a1.status.backup.lastBackupName,
        'fleet lists east only':
          JSON.stringify(fleet.body.items.map((e: any) => e.ref.name)) ===
          '["a1"]',
        'fleet reports west with the timeout':
          fleet.body.errors.length === 1 &&
          fleet.body.errors[0].kubernetesCluster === 'west' &&
          reason.test(fleet.body.errors[0].message),
        'entry a1 known':
          entries.find((e: any) => e.ref.name === 'a1')?.health !== 'unknown',
        'entry b1 unknown with the timeout':
          b1?.health === 'unknown' && reason.test(b1.error ?? ''),
      },
      `${passes} passes; a1 ${
        a1.status.backup.lastBackupName ? 'backed up' : 'not backed up'
      }; b1 ${b1?.health}: ${String(b1?.error).slice(0, 60)}…`,
    );

    // West answers again: its cluster is seen and reconciled by the next pass.
    westProxy.loud();
    await waitFor(
      async () => {
        await backend.pass();
        return (await cr(west, 'b1')).status?.backup?.nextScheduledBackup;
      },
      next => !!next,
      'west to be reconciled again',
    );
  }, 40_000);
});
