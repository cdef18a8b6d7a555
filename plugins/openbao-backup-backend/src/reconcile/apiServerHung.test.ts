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

/** East and west API doubles with one cluster each (a1, b1), west behind a fault proxy. */
async function startTwoServers(options: {
  bucketName: string;
  kubernetes: object;
  logger?: Parameters<typeof startReconcilingBackend>[0]['logger'];
}) {
  const bucket = await createTestBucket(options.bucketName);
  const east = await startSimulatedKube(NS, 20);
  const west = await startSimulatedKube(NS, 20);
  const westProxy = await startFaultProxy({ target: west.url });
  await createBackupClusters(east, NS, ['a1'], {
    schedule: '0 0 1 1 *',
    bucket,
  });
  await createBackupClusters(west, NS, ['b1'], {
    schedule: '0 0 1 1 *',
    bucket,
  });
  const backend = await startReconcilingBackend({
    kubes: [
      { name: 'east', api: east },
      { name: 'west', api: west, url: westProxy.url },
    ],
    clock: { now: () => new Date() },
    kubernetes: options.kubernetes,
    logger: options.logger,
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
  let backendStopped: Promise<void> | undefined;
  /** Shuts the plugin down (once), as the backend's stop does. */
  const stopBackend = () => (backendStopped ??= backend.stop());
  return {
    east,
    west,
    westProxy,
    backend,
    stopBackend,
    stop: async () => {
      await stopBackend();
      await westProxy.stop();
      await east.stop();
      await west.stop();
    },
  };
}

const cr = async (kube: KubeApi, name: string) =>
  kubeRequest(kube, 'GET', `${crsPath(NS)}/${name}`);

const trigger = (kube: KubeApi, name: string, value: string) =>
  kubeRequest(kube, 'PATCH', `${crsPath(NS)}/${name}`, {
    metadata: { annotations: { [TRIGGER_BACKUP_ANNOTATION]: value } },
  });

const jobsOf = async (kube: KubeApi) =>
  (await kubeRequest(kube, 'GET', `/apis/batch/v1/namespaces/${NS}/jobs`))
    .items;

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
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ east, west, westProxy, backend, stop } = await startTwoServers({
      bucketName: 'api-hung',
      kubernetes: { requestTimeout: { milliseconds: 400 } },
    }));
  });
  afterAll(async () => {
    await stop?.();
  });

  it("reconciles the healthy server's trigger while the other hangs, and reports the hung one's clusters unreachable", async () => {
    westProxy.silent();
    await trigger(east, 'a1', 'while-west-hangs');
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
    const eastJobs = await jobsOf(east);
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

/*
 * The same hung server with a long request timeout (60 s) and a short pass deadline: the pass
 * deadline (openbaoBackup.kubernetes.passTimeout) is what lets the pass go on without it, and
 * later passes skip the server while its part still waits, rather than pile up requests on it.
 */
describe('2 Kubernetes API servers, one hung past passTimeout', () => {
  let east: KubeApi;
  let west: KubeApi;
  let westProxy: FaultProxy;
  let backend: Awaited<ReturnType<typeof startReconcilingBackend>>;
  let stop: () => Promise<void>;
  let stopBackend: () => Promise<void>;
  const warnings: Array<{ kubernetesCluster?: string; error: string }> = [];

  beforeAll(async () => {
    ({ east, west, westProxy, backend, stop, stopBackend } =
      await startTwoServers({
        bucketName: 'api-hung-pass',
        kubernetes: {
          requestTimeout: { seconds: 60 },
          passTimeout: { seconds: 2 },
        },
        logger: {
          warn: (_message: string, meta?: any) =>
            warnings.push({
              kubernetesCluster: meta?.kubernetesCluster,
              error: String(meta?.error),
            }),
        },
      }));
  });
  afterAll(async () => {
    await stop?.();
  });

  it("ends each pass at the pass deadline, reconciles the healthy server's trigger, and skips the hung server while its part lingers", async () => {
    await backend.pass();
    westProxy.silent();
    // Requests of passes that reached west while it hangs (its watches reconnect into the black
    // hole too, and wait 60 s for headers: not counted; nor connections whose line is not in yet).
    const passRequests = () =>
      westProxy.swallowedRequests.filter(
        line => line && !/[?&]watch=true/.test(line),
      ).length;
    const seen = warnings.length;
    const westWarnings = () =>
      warnings
        .slice(seen)
        .filter(w => w.kubernetesCluster === 'west')
        .map(w => w.error);
    // (The plugin's own watch may start a pass on this too: any pass now misses west the same way.)
    await trigger(east, 'a1', 'past-pass-timeout');
    await backend.pass();
    const afterFirst = passRequests();
    const eastJobs = await jobsOf(east);
    const missed = westWarnings();
    await backend.pass();
    const afterSecond = passRequests();
    const skipped = westWarnings().slice(missed.length);
    console.log(
      `requests swallowed by west: ${JSON.stringify(
        westProxy.swallowedRequests,
      )}; warnings: ${JSON.stringify(westWarnings())}`,
    );
    judge(
      faultRow('kubernetes')(
        'API server hung past passTimeout',
        'one of two API servers accepts connections and never answers (black-hole proxy); requestTimeout 60 s, passTimeout 2 s',
        "the pass ends at the pass deadline and reports the hung server naming passTimeout; the healthy server's trigger starts its Job in that pass; the next pass skips the hung server (no new request to it) while its part still waits",
      ),
      {
        'one pass asked west once it hung': afterFirst === 1,
        'west reported past passTimeout': missed.some(m =>
          /^Kubernetes API server west did not finish its part of the pass within 2 s \(openbaoBackup\.kubernetes\.passTimeout\); its clusters are retried next pass$/.test(
            m,
          ),
        ),
        'east: the trigger started one Job in that pass': eastJobs.length === 1,
        'east never reported': !warnings
          .slice(seen)
          .some(w => w.kubernetesCluster === 'east'),
        'next pass: west skipped as still busy': skipped.some(m =>
          /^Kubernetes API server west is still busy with an earlier pass that missed its 2 s deadline \(openbaoBackup\.kubernetes\.passTimeout\); skipped$/.test(
            m,
          ),
        ),
        'next pass: no new request to west': afterSecond === 1,
      },
      `west swallowed ${afterFirst} then ${afterSecond} pass request(s); east ${
        eastJobs.length
      } Job(s); west: ${[...missed, ...skipped]
        .filter(m => /passTimeout/.test(m))
        .map(m => m.replace('Kubernetes API server west ', '').slice(0, 48))
        .join(' | ')}`,
    );

    // West answers again: its lingering part fails at once, and a pass reaches west again (a
    // trigger set there now starts its Job).
    westProxy.loud();
    await trigger(west, 'b1', 'after-west-answers');
    await waitFor(
      async () => {
        await backend.pass();
        return (await jobsOf(west)).length;
      },
      n => n === 1,
      "west's trigger to start its Job",
    );

    // Shutdown while west hangs again: the watches waiting for its first answer (up to the 60 s
    // request timeout) are cancelled, their connections closed by the plugin.
    westProxy.silent();
    const watchesWaiting = () =>
      westProxy.swallowedRequests.filter(line => /[?&]watch=true/.test(line))
        .length;
    const before = watchesWaiting();
    await waitFor(
      async () => watchesWaiting() - before,
      n => n === 2,
      "west's watches to reconnect into the black hole",
    );
    const closedBefore = westProxy.swallowedClosedByClient;
    await stopBackend();
    await waitFor(
      async () => westProxy.swallowedClosedByClient - closedBefore,
      n => n >= 2,
      'the waiting watches to be closed by the stopped plugin',
    );
  }, 40_000);
});
