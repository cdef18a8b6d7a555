/*
 * The fault suite's harness: one sandbox (Kubernetes API double whose Job runner runs the real
 * executor, OpenBao double, Swift S3), one OpenBaoCluster `bao` backed up to its own bucket, and a
 * Reconciler on a fake clock. A case injects a fault, runs a manual backup to its end, reads the
 * end state (status, conditions, Events, Jobs, objects, multipart uploads) and records one row of
 * the fault table with `judge`.
 */
import {
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { recordFaultCase } from '@internal/openbao-backup-sandbox';
import { TRIGGER_BACKUP_ANNOTATION } from '@internal/plugin-openbao-backup-common';
import { keyOfJob } from '../reconcile/FailedRunJanitor';
import { ReconcilerOptions } from '../reconcile/Reconciler';
import { seedBackupCluster } from './backupClusters';
import {
  SandboxOptions,
  createBucket,
  s3Client,
  sandboxReconciler,
  startSandbox,
} from './sandbox';

export interface FaultHarnessOptions {
  namespace: string;
  sandbox?: SandboxOptions;
  /** Merged into `spec.backup` (and `target` into its target). */
  backup?: Record<string, unknown>;
  target?: Record<string, unknown>;
  reconciler?: Partial<ReconcilerOptions>;
}

/** Everything a case asserts on, read after the run. */
export interface EndState {
  backup: Record<string, any>;
  conditions: Array<{ type: string; status: string; reason?: string }>;
  /** Event reasons in order of creation. */
  events: string[];
  /** Jobs, oldest first. */
  jobs: any[];
  objects: string[];
  uploads: string[];
}

/** Whether the manual run `value` has ended (its outcome recorded). */
export const runEnded = (value: string) => (cr: any) =>
  cr.status?.backup?.observedTrigger === value && !cr.status.backup.activeJob;

export type FaultHarness = Awaited<ReturnType<typeof startFaultHarness>>;

export async function startFaultHarness(o: FaultHarnessOptions) {
  const { namespace } = o;
  const bucket = `faults-${namespace}-${Date.now().toString(36)}`;
  await createBucket(bucket);
  const sandbox = await startSandbox(namespace, o.sandbox);
  const { request, bao } = sandbox;
  const crPath = await seedBackupCluster(sandbox, namespace, {
    name: 'bao',
    bucket,
    backup: {
      activeDeadlineSeconds: 120,
      retention: { maxCount: 3 },
      ...o.backup,
      target: { pathPrefix: 'snapshots', concurrency: 2, ...o.target },
    },
  });

  let now = new Date();
  const create = (extra: Partial<ReconcilerOptions> = {}) =>
    sandboxReconciler(sandbox, { now: () => now, ...o.reconciler, ...extra });
  let reconciler = create();
  const s3 = s3Client();
  const cluster = () => request('GET', crPath);

  const h = {
    sandbox,
    bao,
    bucket,
    crPath,
    now: () => now,
    setNow(d: Date) {
      now = d;
    },
    /** A new Reconciler, as after a backend restart (nothing kept in memory). */
    restart(extra?: Partial<ReconcilerOptions>) {
      reconciler = create(extra);
    },
    tick: () => reconciler.tick(),
    cluster,
    patchBackup: (backup: Record<string, unknown>) =>
      request('PATCH', crPath, { spec: { backup } }),
    /** Sets the trigger annotation; the fake clock moves on (Job names have 1 s resolution). */
    async trigger(value: string) {
      now = new Date(now.getTime() + 1500);
      await request('PATCH', crPath, {
        metadata: { annotations: { 'openbao.org/trigger-backup': value } },
      });
    },
    /**
     * Runs passes, the fake clock creeping with real time, until `done` holds for the cluster.
     * Pass errors are returned (a Kubernetes fault case expects some), never thrown.
     */
    async tickUntil(
      done: (cr: any) => boolean,
      what: string,
      timeoutMs = 30_000,
    ) {
      const deadline = Date.now() + timeoutMs;
      const errors: string[] = [];
      for (;;) {
        const report = await reconciler.tick();
        errors.push(...report.errors.map(e => e.message));
        const cr = await cluster().catch(() => undefined);
        if (cr && done(cr)) return { cr, errors };
        if (Date.now() > deadline) {
          throw new Error(
            `timed out waiting for ${what}; status: ${JSON.stringify(
              cr?.status,
            )}; pass errors: ${errors.slice(-3).join(' | ')}`,
          );
        }
        await new Promise(r => setTimeout(r, 150));
        now = new Date(now.getTime() + 150);
      }
    },
    /** Passes until the outcome of the manual run `value` is recorded. */
    untilRunEnds: (value: string, timeoutMs?: number) =>
      h.tickUntil(runEnded(value), `the run "${value}" to end`, timeoutMs),
    /** Triggers a manual run and passes until its outcome is recorded. */
    async runToEnd(value: string, timeoutMs?: number) {
      await h.trigger(value);
      return h.untilRunEnds(value, timeoutMs);
    },
    /**
     * Up to `passes` passes, 100 ms apart, until the bucket lists no multipart upload: the janitor
     * re-checks a failed run's key, and Swift lists a just-created upload a little late.
     */
    async settleUploads(passes = 20) {
      for (let i = 0; i < passes && (await h.uploads()).length; i++) {
        await reconciler.tick();
        await new Promise(r => setTimeout(r, 100));
      }
    },
    /** The trigger annotation's current value. */
    triggerAnnotation: async (): Promise<string | undefined> =>
      (await cluster()).metadata.annotations?.[TRIGGER_BACKUP_ANNOTATION],
    /** Removes the faults of the Kubernetes API and OpenBao doubles. */
    clearFaults() {
      sandbox.kube.faults.clear();
      bao.setFaults({});
    },
    async jobs(): Promise<any[]> {
      const list = await request(
        'GET',
        `/apis/batch/v1/namespaces/${namespace}/jobs`,
      );
      return list.items.sort((a: any, b: any) =>
        a.metadata.annotations['openbao.org/run-at'].localeCompare(
          b.metadata.annotations['openbao.org/run-at'],
        ),
      );
    },
    async objects(): Promise<string[]> {
      const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (r.Contents ?? []).map(c => c.Key!);
    },
    async uploads(): Promise<string[]> {
      const r = await s3.send(
        new ListMultipartUploadsCommand({ Bucket: bucket }),
      );
      return (r.Uploads ?? []).map(u => u.Key!);
    },
    async endState(): Promise<EndState> {
      const [cr, events, jobs, objects, uploads] = await Promise.all([
        cluster(),
        request('GET', `/api/v1/namespaces/${namespace}/events`),
        h.jobs(),
        h.objects(),
        h.uploads(),
      ]);
      return {
        backup: cr.status?.backup ?? {},
        conditions: cr.status?.conditions ?? [],
        events: events.items.map((e: any) => e.reason),
        jobs,
        objects,
        uploads,
      };
    },
    stop: () => sandbox.stop(),
  };
  return h;
}

export { keyOfJob };

const count = (events: string[], reason: string) =>
  events.filter(e => e === reason).length;

/** How many Events with this reason an end state has. */
export const eventCount = (s: EndState, reason: string) =>
  count(s.events, reason);

/** The fault-table row maker of one area. */
export const faultRow =
  (area: string) => (name: string, fault: string, expected: string) => ({
    area,
    name,
    fault,
    expected,
  });

const condition = (s: EndState, type: string) =>
  s.conditions.find(c => c.type === type);

/**
 * The end state every failed run must reach: recorded, counted, nothing stored, next slot kept.
 * `vanished` is for a run whose Job is gone by the end (deleted by someone, or by the reconciler
 * after a pod that never started): its key as recorded while it ran, and no Job is left of it.
 */
export function failedRunChecks(
  before: EndState,
  after: EndState,
  reason: RegExp,
  vanished?: { key: string },
): Record<string, boolean> {
  const key = vanished?.key ?? keyOfJob(after.jobs[after.jobs.length - 1]);
  const jobs: Record<string, boolean> = vanished
    ? { 'no Job left of the run': after.jobs.length === before.jobs.length }
    : { 'exactly one new Job': after.jobs.length === before.jobs.length + 1 };
  return {
    [`lastFailureReason matches ${reason}`]: reason.test(
      after.backup.lastFailureReason ?? '',
    ),
    [`consecutiveFailures = ${(before.backup.consecutiveFailures ?? 0) + 1}`]:
      after.backup.consecutiveFailures ===
      (before.backup.consecutiveFailures ?? 0) + 1,
    'activeJob(Key) cleared':
      !after.backup.activeJob && !after.backup.activeJobKey,
    'nextScheduledBackup still set': !!after.backup.nextScheduledBackup,
    'BackingUp=False': condition(after, 'BackingUp')?.status === 'False',
    'one BackupFailed Event':
      count(after.events, 'BackupFailed') ===
      count(before.events, 'BackupFailed') + 1,
    ...jobs,
    'no object at the run key': !!key && !after.objects.includes(key),
    'no multipart upload left': after.uploads.length === 0,
  };
}

/** The end state of a successful run. */
export function succeededRunChecks(
  before: EndState,
  after: EndState,
): Record<string, boolean> {
  const key = keyOfJob(after.jobs[after.jobs.length - 1]);
  return {
    'consecutiveFailures = 0': after.backup.consecutiveFailures === 0,
    'no lastFailureReason': !after.backup.lastFailureReason,
    'lastBackupName is the run key':
      !!key && after.backup.lastBackupName === key,
    'object at the run key': !!key && after.objects.includes(key),
    'nextScheduledBackup still set': !!after.backup.nextScheduledBackup,
    'BackingUp=False': condition(after, 'BackingUp')?.status === 'False',
    'exactly one new Job': after.jobs.length === before.jobs.length + 1,
    'one BackupSucceeded Event':
      count(after.events, 'BackupSucceeded') ===
      count(before.events, 'BackupSucceeded') + 1,
    'no multipart upload left': after.uploads.length === 0,
  };
}

/** A short description of an end state for the fault table. */
export function describeEnd(s: EndState): string {
  const b = s.backup;
  // "<Reason>: executor exited with code N in stage S: <error>" → "<Reason> [S] <error>"
  const failure = /^(\w+): (?:.*? in stage (\w+): )?(.*)$/.exec(
    String(b.lastFailureReason ?? ''),
  );
  const outcome = failure
    ? `${failure[1]}${failure[2] ? ` [${failure[2]}]` : ''} ${failure[3].slice(
        0,
        50,
      )}`
    : `ok ${b.lastBackupName ?? '(no backup)'}`;
  return `${outcome}; failures=${b.consecutiveFailures ?? 0}; next=${
    b.nextScheduledBackup ? 'set' : 'unset'
  }; objects=${s.objects.length}; uploads=${s.uploads.length}; jobs=${
    s.jobs.length
  }`;
}

/**
 * Records the case's row (observed state plus any failed check) and fails the test when a check
 * does not hold.
 */
export function judge(
  row: { area: string; name: string; fault: string; expected: string },
  checks: Record<string, boolean>,
  observed: string,
) {
  const failed = Object.entries(checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  recordFaultCase({
    ...row,
    observed: failed.length
      ? `${observed}; NOT: ${failed.join(', ')}`
      : observed,
    ok: failed.length === 0,
  });
  expect({ case: row.name, failedChecks: failed, observed }).toEqual({
    case: row.name,
    failedChecks: [],
    observed,
  });
}
