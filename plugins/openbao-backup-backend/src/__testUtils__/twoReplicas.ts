/*
 * Two replicas of the real backend plugin (each its own Backstage backend with the real scheduler
 * service of backend-defaults) on one real PostgreSQL, reconciling the same Kubernetes API double.
 * The global scheduler task's lock lives in that database; the harness checks that it holds:
 * exactly one Job per schedule slot and cluster, and no two Jobs of a cluster running at once.
 *
 * Cron has minute resolution, so both replicas read a shared virtual clock (the plugin's clock
 * service) that runs `60 000 / slotMs` times faster than real time, while the scheduler, the
 * database lock and the Jobs run in real time. The harness moves the clock to just before the next
 * slot once every cluster has recorded the current one, so a stall never lets a slot pass unseen.
 */
import { randomBytes } from 'node:crypto';
import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  KubeApi,
  kubeRequest,
  startKubeApi,
} from '@internal/openbao-backup-sandbox';
import {
  ANNOTATION_SCHEDULED_TIME,
  LABEL_CLUSTER,
} from '@internal/plugin-openbao-backup-common';
import { openBaoBackupPlugin } from '../plugin';
import { Clock, clockServiceFactory } from '../clock';
import { TestPostgres, startTestPostgres } from './postgres';
import { createBucket } from './sandbox';
import {
  createBackupClusters,
  crsPath,
  executorDouble,
} from './backupClusters';

export interface TwoReplicasOptions {
  /** Schedule slots (minutes) to run through; default 50. */
  slots?: number;
  /** OpenBaoClusters, each scheduled every minute; default 2. */
  clusters?: number;
  /** Real milliseconds per virtual minute (the clock's speed); default 1000. */
  slotMs?: number;
  /** How long each backup Job's container runs (real ms); default 150. */
  jobMs?: number;
  /**
   * Default true. `false` gives each replica its own database on the same server, hence its own
   * task lock: the negative control showing that the harness can see duplicates.
   */
  sharedDatabase?: boolean;
  /**
   * Latency the API server adds to each Job creation (real ms); default 150. It widens the window
   * in which two unsynchronised passes would both see no Job and both create one.
   */
  createJobLatencyMs?: number;
  /** Reconcile interval of the scheduler task (real ms); default 100, the scheduler's floor. */
  reconcileIntervalMs?: number;
}

export interface TwoReplicasReport {
  /** The slots checked, ISO. */
  slots: string[];
  /** cluster → slot → Jobs created for it (every checked slot appears, 0 included). */
  jobsPerSlot: Record<string, Record<string, number>>;
  /** Slots of some cluster with more than one Job. */
  duplicates: Array<{ cluster: string; slot: string; jobs: number }>;
  /** Slots of some cluster without a Job. */
  missed: Array<{ cluster: string; slot: string }>;
  /** A cluster's container started while another of its containers ran: [running Job, new Job]. */
  overlaps: Array<{ cluster: string; jobs: [string, string] }>;
  /** Jobs created by each replica (from its log). */
  jobsByReplica: [number, number];
  /** Jobs that did not complete successfully. */
  failedJobs: string[];
  /** Warnings and errors the replicas logged (for diagnosis). */
  problems: string[];
  wallMs: number;
}

const NS = 'vault';
const FIRST_SLOT = Date.parse('2026-01-05T00:00:00Z');
/** The clock enters each slot this much (virtual) time before it. */
const LEAD_MS = 5_000;

/** What a replica's log said: Jobs created, reconcile passes by kind, warnings and errors. */
export interface ReplicaLog {
  created: number;
  passes: { full: number; light: number };
  problems: string[];
}

export const emptyReplicaLog = (): ReplicaLog => ({
  created: 0,
  passes: { full: 0, light: 0 },
  problems: [],
});

/** A root logger that stays quiet and fills `log`. */
function recordingLogger(log: ReplicaLog) {
  const logger: LoggerService = {
    info: message => {
      if (message === 'backup job created') log.created++;
    },
    debug: (message, meta) => {
      const kind = (meta as { kind?: string } | undefined)?.kind;
      if (message === 'reconcile pass' && (kind === 'full' || kind === 'light'))
        log.passes[kind]++;
    },
    warn: (message, meta) =>
      log.problems.push(`warn: ${message} ${JSON.stringify(meta ?? {})}`),
    error: (message, meta) =>
      log.problems.push(`error: ${message} ${JSON.stringify(meta ?? {})}`),
    child: () => logger,
  };
  return createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () => logger,
  });
}

/**
 * One replica: the real plugin in a Backstage backend with backend-defaults' database and
 * scheduler services on `postgres` (its own database when `prefix` is set), reconciling `kube`.
 */
export async function startReplica(options: {
  postgres: TestPostgres;
  prefix?: string;
  kube: KubeApi;
  clock: Clock;
  log: ReplicaLog;
  /** `openbaoBackup` settings besides the Kubernetes cluster. */
  config: object;
}) {
  return startTestBackend({
    features: [
      openBaoBackupPlugin,
      mockServices.rootConfig.factory({
        data: {
          backend: {
            database: {
              client: 'pg',
              connection: options.postgres.connection,
              ...(options.prefix ? { prefix: options.prefix } : {}),
            },
          },
          openbaoBackup: {
            ...options.config,
            kubernetes: { clusters: [options.kube.clusterConfig('sandbox')] },
          },
        },
      }),
      databaseServiceFactory,
      schedulerServiceFactory,
      clockServiceFactory(options.clock),
      recordingLogger(options.log),
      catalogServiceMock.factory({ entities: [] }),
    ],
  });
}

/**
 * A clock that runs `speed` times faster than real time from the last `enter(at)`, but never past
 * `at + capMs`: a replica or a machine stalling for a second cannot make slots go by unseen.
 */
function virtualClock(speed: number, capMs: number) {
  let base = 0;
  let realStart = Date.now();
  return {
    now: () =>
      new Date(base + Math.min((Date.now() - realStart) * speed, capMs)),
    enter(at: number) {
      base = at;
      realStart = Date.now();
    },
  };
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Runs the two replicas through `slots` slots and reports what the Kubernetes API saw. */
export async function runTwoReplicas(
  options: TwoReplicasOptions = {},
): Promise<TwoReplicasReport> {
  const slots = options.slots ?? 50;
  const clusterCount = options.clusters ?? 2;
  const slotMs = options.slotMs ?? 1000;
  const jobMs = options.jobMs ?? 150;
  const shared = options.sharedDatabase ?? true;
  const started = Date.now();
  const bucket = `two-replicas-${randomBytes(4).toString('hex')}`;
  await createBucket(bucket);

  const postgres = await startTestPostgres();
  // Containers running per cluster, seen where they start: an overlap is caught to the millisecond.
  const running = new Map<string, { job: string; until: number }>();
  const overlaps: TwoReplicasReport['overlaps'] = [];
  const kube = await startKubeApi({
    namespaces: [NS],
    podExecutor: executorDouble(jobMs, pod => {
      const cluster = pod.metadata?.labels?.[LABEL_CLUSTER] ?? '?';
      const job = pod.metadata?.labels?.['job-name'] ?? pod.metadata?.name;
      const busy = running.get(cluster);
      if (busy && busy.until > Date.now()) {
        overlaps.push({ cluster, jobs: [busy.job, job] });
      }
      running.set(cluster, { job, until: Date.now() + jobMs });
    }),
  }).catch(async e => {
    await postgres.stop();
    throw e;
  });
  const clock = virtualClock(60_000 / slotMs, LEAD_MS + 50_000);
  clock.enter(FIRST_SLOT - 60_000);
  const names = Array.from({ length: clusterCount }, (_, i) => `bao-${i}`);
  const logs = [emptyReplicaLog(), emptyReplicaLog()];
  const backends: Array<{ stop(): Promise<void> }> = [];
  let jobs: any[] = [];
  kube.faults.add({
    method: 'POST',
    pathPattern: '**/jobs',
    latencyMs: options.createJobLatencyMs ?? 150,
  });
  try {
    await createBackupClusters(kube, NS, names, {
      schedule: '* * * * *',
      bucket,
    });

    // One after the other: both would otherwise race to create the plugin's database.
    for (const replica of [0, 1]) {
      const backend = await startReplica({
        postgres,
        prefix: shared ? undefined : `replica${replica}_`,
        kube,
        clock,
        log: logs[replica],
        config: {
          reconcileInterval: {
            milliseconds: options.reconcileIntervalMs ?? 100,
          },
        },
      });
      backends.push(backend);
    }

    // Slot by slot: the clock enters shortly before the slot and runs on (at speed) until every
    // cluster recorded that slot's run as finished, or the real-time limit is hit.
    const crs = crsPath(NS);
    for (let k = 0; k < slots; k++) {
      const slot = new Date(FIRST_SLOT + k * 60_000).toISOString();
      clock.enter(FIRST_SLOT + k * 60_000 - LEAD_MS);
      const limit = Date.now() + 15_000;
      for (;;) {
        const items: any[] = (await kubeRequest(kube, 'GET', crs)).items;
        const done = items.every(
          c =>
            c.status?.backup?.lastAttemptScheduledTime &&
            new Date(c.status.backup.lastAttemptScheduledTime).toISOString() ===
              slot &&
            !c.status.backup.activeJob,
        );
        if (done || Date.now() > limit) break;
        await sleep(25);
      }
    }
    jobs = (
      await kubeRequest(kube, 'GET', `/apis/batch/v1/namespaces/${NS}/jobs`)
    ).items;
  } finally {
    // Whatever failed, leave no server or PostgreSQL process behind.
    await Promise.all(backends.map(b => b.stop().catch(() => {})));
    await kube.stop();
    await postgres.stop();
  }

  const slotList = Array.from({ length: slots }, (_, k) =>
    new Date(FIRST_SLOT + k * 60_000).toISOString(),
  );
  const report: TwoReplicasReport = {
    slots: slotList,
    jobsPerSlot: {},
    duplicates: [],
    missed: [],
    overlaps,
    jobsByReplica: [logs[0].created, logs[1].created],
    failedJobs: jobs
      .filter(
        j =>
          !j.status?.conditions?.some(
            (c: any) => c.type === 'Complete' && c.status === 'True',
          ),
      )
      .map(j => j.metadata.name),
    problems: logs.flatMap(l => l.problems),
    wallMs: Date.now() - started,
  };
  for (const name of names) {
    const own = jobs.filter(j => j.metadata.labels?.[LABEL_CLUSTER] === name);
    const perSlot: Record<string, number> = Object.fromEntries(
      slotList.map(s => [s, 0]),
    );
    for (const job of own) {
      const slot = job.metadata.annotations?.[ANNOTATION_SCHEDULED_TIME];
      const iso = slot ? new Date(slot).toISOString() : 'none';
      perSlot[iso] = (perSlot[iso] ?? 0) + 1;
    }
    report.jobsPerSlot[name] = perSlot;
    for (const [slot, n] of Object.entries(perSlot)) {
      if (n > 1) report.duplicates.push({ cluster: name, slot, jobs: n });
      if (n === 0) report.missed.push({ cluster: name, slot });
    }
  }
  return report;
}
