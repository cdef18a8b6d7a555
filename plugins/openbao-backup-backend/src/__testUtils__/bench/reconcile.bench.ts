/*
 * Reconciler benchmark (on demand, not in CI: `npm run bench:reconcile -w
 * @internal/plugin-openbao-backup-backend`). 1000 OpenBaoClusters over 3 Kubernetes API doubles
 * (TLS, real @kubernetes/client-node), idle in between their slots:
 *   - idle pass: API requests per pass (counted at the servers) and wall time;
 *   - idle light pass (the task's run between full passes, nothing flagged): requests and time;
 *   - trigger → Job created: the annotation is PATCHed, the plugin's watch feeds the ReconcileTask
 *     and asks for a run (PassRequester, as in plugin.ts; a run starts at once when none is
 *     running, and is a light pass), and the time until the Job exists in the API server's store,
 *     p50/p95. The database scheduler's poll (lightPassInterval, 1 s) comes on top.
 * The object store is an in-memory stub: retention is not what is measured and 1000 first-pass
 * listings would only load the shared S3 server. BENCH_CLUSTERS / BENCH_TRIGGERS override sizes.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import {
  KubeApi,
  kubeRequest,
  startKubeApi,
} from '@internal/openbao-backup-sandbox';
import { ClientNodeKubeGateway } from '../../adapters/ClientNodeKubeGateway';
import { Reconciler } from '../../reconcile/Reconciler';
import { PassRequester } from '../../reconcile/PassRequester';
import { ReconcileTask } from '../../reconcile/ReconcileTask';
import { createBackupClusters } from '../backupClusters';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 1000);
const TRIGGERS = Number(process.env.BENCH_TRIGGERS ?? 40);
const SERVERS = 3;
const NAMESPACES_PER_SERVER = 10;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('reconciler benchmark', () => {
  it(`${CLUSTERS} clusters over ${SERVERS} API servers`, async () => {
    const servers: KubeApi[] = [];
    const perNamespace = Math.ceil(
      Math.ceil(CLUSTERS / SERVERS) / NAMESPACES_PER_SERVER,
    );
    const requests: number[] = [];
    for (let s = 0; s < SERVERS; s++) {
      const namespaces = Array.from(
        { length: NAMESPACES_PER_SERVER },
        (_, n) => `team-${n}`,
      );
      const api = await startKubeApi({ tls: true, namespaces });
      requests.push(0);
      api.server.on('request', () => requests[s]++);
      servers.push(api);
      const perServer =
        Math.floor(CLUSTERS / SERVERS) + (s < CLUSTERS % SERVERS ? 1 : 0);
      for (const [n, namespace] of namespaces.entries()) {
        const names = Array.from(
          { length: perNamespace },
          (_, i) => `bao-${n}-${i}`,
        ).slice(0, Math.max(0, perServer - n * perNamespace));
        if (!names.length) continue;
        await createBackupClusters(api, namespace, names, {
          schedule: '0 3 * * *',
          bucket: 'bench',
        });
      }
    }
    const gateways = servers.map((api, i) =>
      ClientNodeKubeGateway.create(api.clusterConfig(`k8s-${i}`)),
    );
    const reconciler = Reconciler.create({
      gateways,
      openStore: async () => ({
        list: async () => [],
        deleteMany: async () => ({ deleted: [], errors: [] }),
        listPendingUploads: async () => [],
        abortUpload: async () => {},
      }),
      logger: mockServices.logger.mock(),
      now: () => new Date('2026-01-05T12:00:00Z'),
    });
    const total = () => requests.reduce((a, b) => a + b, 0);

    // First pass: every cluster gets its next slot (1000 status writes).
    let t = Date.now();
    let before = total();
    const first = await reconciler.tick();
    const firstPass = { ms: Date.now() - t, requests: total() - before };
    expect(first.errors).toEqual([]);
    expect(first.clusters).toBe(CLUSTERS);

    const idle: Array<{ ms: number; requests: number }> = [];
    for (let i = 0; i < 3; i++) {
      t = Date.now();
      before = total();
      const report = await reconciler.tick();
      expect(report.errors).toEqual([]);
      idle.push({ ms: Date.now() - t, requests: total() - before });
    }

    // The task as plugin.ts runs it, its last full pass just now: every run below is a light one.
    let lastFull: number | undefined = Date.now();
    const task = ReconcileTask.create({
      reconciler,
      ledger: {
        lastFullPassAt: async () => lastFull,
        recordFullPass: async ms => {
          lastFull = ms;
        },
      },
      reconcileIntervalMs: 3_600_000,
      logger: mockServices.logger.mock(),
      now: () => new Date('2026-01-05T12:00:00Z'),
    });
    // Triggers through the watch, as plugin.ts wires them; one run at a time, like the scheduler.
    let running: Promise<unknown> | undefined;
    const scheduler = {
      triggerTask: async () => {
        if (running) throw new ConflictError('running');
        running = task.run().finally(() => {
          running = undefined;
        });
      },
    };
    const passes = PassRequester.create({
      scheduler,
      taskId: 'bench',
      logger: mockServices.logger.mock(),
      retryMs: 50,
    });
    const stops = gateways.map(g =>
      g.watchClusters(
        c => task.observe(g, c) && passes.request(),
        () => {},
      ),
    );
    await sleep(2000); // watches established, every cluster in the task's cache

    const light: Array<{ ms: number; requests: number }> = [];
    for (let i = 0; i < 3; i++) {
      t = Date.now();
      before = total();
      const run = await task.run();
      expect(run.kind).toBe('light');
      light.push({ ms: Date.now() - t, requests: total() - before });
    }
    const latencies: number[] = [];
    for (let i = 0; i < TRIGGERS; i++) {
      const s = i % SERVERS;
      const namespace = `team-${i % NAMESPACES_PER_SERVER}`;
      const name = `bao-${i % NAMESPACES_PER_SERVER}-${
        i % Math.min(7, perNamespace)
      }`;
      const start = Date.now();
      await kubeRequest(
        servers[s],
        'PATCH',
        `/apis/openbao.org/v1alpha1/namespaces/${namespace}/openbaoclusters/${name}`,
        {
          metadata: {
            annotations: { 'openbao.org/trigger-backup': `bench-${i}` },
          },
        },
      );
      const jobs = servers[s].store.type('jobs.batch');
      for (;;) {
        const found = servers[s].store
          .list(jobs, namespace)
          .some(
            (j: any) =>
              j.metadata.annotations?.['openbao.org/trigger-value'] ===
              `bench-${i}`,
          );
        if (found) break;
        if (Date.now() - start > 60_000)
          throw new Error(`trigger ${i} never led to a Job`);
        await sleep(5);
      }
      latencies.push(Date.now() - start);
      await running;
    }
    passes.stop();
    stops.forEach(stop => stop());
    await Promise.all(servers.map(s => s.stop()));

    const sorted = [...latencies].sort((a, b) => a - b);
    const idleMs = idle.map(p => p.ms).sort((a, b) => a - b)[1];
    const idleRequests = idle.map(p => p.requests).sort((a, b) => a - b)[1];
    const lightMs = light.map(p => p.ms).sort((a, b) => a - b)[1];
    // eslint-disable-next-line no-console
    console.log(
      [
        `clusters: ${CLUSTERS} over ${SERVERS} API servers (${NAMESPACES_PER_SERVER} namespaces each)`,
        `first pass: ${firstPass.ms} ms, ${firstPass.requests} API requests`,
        `idle pass (median of 3): ${idleMs} ms, ${idleRequests} API requests (${(
          idleRequests / CLUSTERS
        ).toFixed(2)} per cluster); all: ${idle
          .map(p => `${p.ms} ms/${p.requests}`)
          .join(', ')}`,
        `idle light pass (median of 3): ${lightMs} ms, ${light
          .map(p => p.requests)
          .join('/')} API requests`,
        `trigger → Job created (${TRIGGERS} triggers): p50 ${percentile(
          sorted,
          50,
        )} ms, p95 ${percentile(sorted, 95)} ms, max ${
          sorted[sorted.length - 1]
        } ms`,
      ].join('\n'),
    );
  }, 1_800_000);
});
