import { randomBytes } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import { assertError, isError } from '@backstage/errors';
import {
  BACKUP_ADDRESSES_ANNOTATION,
  BackupTrigger,
  PRE_UPGRADE_BACKUP_ANNOTATION,
  OpenBaoCluster,
  TRIGGER_BACKUP_ANNOTATION,
  explainClusterHealth,
  objectKeyFor,
} from '@internal/plugin-openbao-backup-common';
import {
  BackupJobSettings,
  ObservedCluster,
  RunDecision,
  RunOutcome,
  buildBackupJob,
  decideRun,
  orphanedPods,
  outcomeForDecision,
  startedOutcomeFromJob,
  triggerPending,
} from '../core';
import { ClusterEvent, KubeGateway } from '../adapters/KubeGateway';
import { ObjectStoreFactory } from '../adapters/objectStoreFor';
import { runRetention } from './runRetention';
import { writeStatus } from './writeStatus';
import { FailedRunJanitor, keyOfJob } from './FailedRunJanitor';
import { HealthNotifier } from './HealthNotifier';
import { BackupMetrics, RunResult } from './BackupMetrics';
import { ImageVerifier } from '../imageVerification';
import { DEFAULT_PASS_TIMEOUT_MS, GatewayDeadlines } from './GatewayDeadlines';

export interface ReconcilerOptions {
  gateways: KubeGateway[];
  openStore: ObjectStoreFactory;
  logger: LoggerService;
  jobSettings?: Partial<BackupJobSettings>;
  startingDeadlineSeconds?: number;
  podStartTimeoutSeconds?: number;
  /** Retention also runs this often per cluster without a new backup. Default one day. */
  retentionIntervalMs?: number;
  /** Retention aborts multipart uploads of ours older than this. Default 24 h. */
  orphanUploadMaxAgeMs?: number;
  /** Told each cluster's health after its pass (owner notifications). */
  notifier?: Pick<HealthNotifier, 'observe'>;
  metrics?: BackupMetrics;
  health?: { staleFactor: number; graceSeconds: number };
  now?: () => Date;
  /** 8 lowercase hex characters for object keys. */
  randomHex?: () => string;
  /** Checks executor images of clusters with `spec.imageVerification.enabled`; default a real one. */
  imageVerifier?: Pick<ImageVerifier, 'verify'>;
  /** Each API server's part of a pass under a deadline (shared with the light pass); default 2 min. */
  deadlines?: GatewayDeadlines;
}

/** What one pass did, per Kubernetes cluster (a failure of one never stops the others). */
export interface TickReport {
  clusters: number;
  errors: Array<{
    kubernetesCluster: string;
    cluster?: string;
    message: string;
  }>;
}

const TRIGGER_ANNOTATION_OF: Partial<Record<BackupTrigger, string>> = {
  manual: TRIGGER_BACKUP_ANNOTATION,
  'pre-upgrade': PRE_UPGRADE_BACKUP_ANNOTATION,
};

const RUN_RESULT: Partial<Record<RunOutcome['type'], RunResult>> = {
  'job-succeeded': 'succeeded',
  'job-failed': 'failed',
  'preflight-failed': 'refused',
  'slot-skipped': 'skipped',
};

const EVENT_FOR: Partial<Record<RunOutcome['type'], (o: any) => ClusterEvent>> =
  {
    'job-started': o => ({
      type: 'Normal',
      reason: 'BackupStarted',
      message: `Started ${o.trigger} backup Job ${o.jobName}`,
    }),
    'job-succeeded': o => ({
      type: 'Normal',
      reason: 'BackupSucceeded',
      message: `Backup ${o.result?.key ?? o.jobName ?? ''} succeeded (${
        o.result?.size ?? '?'
      } bytes)`,
    }),
    'job-failed': o => ({
      type: 'Warning',
      reason: 'BackupFailed',
      message: `${o.reason}: ${o.message}`,
    }),
    'preflight-failed': o => ({
      type: 'Warning',
      reason: 'BackupSkipped',
      message: `${o.trigger} backup not started: ${o.reason}: ${o.message}`,
    }),
    'config-invalid': o => ({
      type: 'Warning',
      reason: 'BackupConfigInvalid',
      message: o.problems
        .map(
          (p: { field: string; message: string }) => `${p.field}: ${p.message}`,
        )
        .join('; '),
    }),
    'slot-skipped': o => ({
      type: 'Warning',
      reason: 'BackupSlotSkipped',
      message: o.message,
    }),
  };

/**
 * The run whose trigger annotation the pass consumed: a started or refused run, or an adopted Job
 * (the pass that created it failed before it could clear the annotation).
 */
function triggerActedOn(
  decision: RunDecision,
): { trigger: BackupTrigger; triggerValue?: string } | undefined {
  if (decision.action === 'start' || decision.action === 'refuse')
    return decision;
  if (decision.action !== 'track' || !decision.adopted || !decision.job)
    return undefined;
  const started = startedOutcomeFromJob(decision.job, decision.jobName);
  return started.type === 'job-started' ? started : undefined;
}

/**
 * One reconcile pass over every OpenBaoCluster: observe, decide (pure core), act. Runs as the
 * Backstage scheduler task `openbao-backup:reconcile` (scope global: one replica at a time).
 */
export class Reconciler {
  readonly #options: ReconcilerOptions;
  readonly #now: () => Date;
  readonly #randomHex: () => string;
  readonly #imageVerifier: Pick<ImageVerifier, 'verify'>;
  /** Last retention pass per cluster uid (in memory: after a restart retention simply runs once more). */
  readonly #lastRetention = new Map<string, number>();
  readonly #janitor: FailedRunJanitor;
  readonly #deadlines: GatewayDeadlines;

  static create(options: ReconcilerOptions): Reconciler {
    return new Reconciler(options);
  }

  private constructor(options: ReconcilerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#randomHex =
      options.randomHex ?? (() => randomBytes(4).toString('hex'));
    this.#janitor = FailedRunJanitor.create(options);
    this.#deadlines =
      options.deadlines ??
      GatewayDeadlines.create({ timeoutMs: DEFAULT_PASS_TIMEOUT_MS });
    this.#imageVerifier =
      options.imageVerifier ??
      ImageVerifier.create({ now: () => this.#now().getTime() });
  }

  /**
   * One full pass. Each API server's part runs under the pass deadline: a server that misses it is
   * reported unreachable like one refusing connections, and the others' clusters are reconciled in
   * this same pass. `signal` (the scheduler's) ends the pass early: no further cluster is started.
   */
  async tick(signal?: AbortSignal): Promise<TickReport> {
    const report: TickReport = { clusters: 0, errors: [] };
    // Clock read once per pass and passed down, so every decision in a pass agrees on "now".
    const now = this.#now();
    const unreachable = (gateway: string, message: string) => {
      this.#options.logger.warn('cannot list OpenBaoClusters', {
        kubernetesCluster: gateway,
        error: message,
      });
      report.errors.push({ kubernetesCluster: gateway, message });
    };
    const missed = await this.#deadlines.run(
      this.#options.gateways,
      async (gateway, stop) => {
        let clusters: OpenBaoCluster[];
        let observed: Map<string, ObservedCluster | Error> | undefined;
        try {
          // Requested runs first: a trigger waits for its own cluster, not for the whole pass.
          clusters = (await gateway.listClusters()).sort(
            (a, b) => Number(triggerPending(b)) - Number(triggerPending(a)),
          );
          // One read of Jobs, Pods, restores and Secrets for the pass, not 4 requests per cluster.
          observed = await gateway.observeAll?.(clusters);
        } catch (e) {
          assertError(e);
          if (!stop.aborted) unreachable(gateway.name, e.message);
          return;
        }
        this.#options.metrics?.retainOnly(
          gateway.name,
          clusters.map(c => ({
            kubernetesCluster: gateway.name,
            namespace: c.metadata.namespace,
            name: c.metadata.name,
          })),
        );
        for (const cluster of clusters) {
          // Past the deadline (already reported missed) or aborted: the next pass reads afresh.
          if (stop.aborted) return;
          report.clusters++;
          try {
            await this.reconcileCluster(
              gateway,
              cluster,
              now,
              observed?.get(
                `${cluster.metadata.namespace}/${cluster.metadata.name}`,
              ),
            );
            await this.#reportHealth(gateway, cluster, now);
          } catch (e) {
            assertError(e);
            // A part past its deadline reports nothing more: the pass was already reported.
            if (stop.aborted) return;
            const id = `${cluster.metadata.namespace}/${cluster.metadata.name}`;
            this.#options.logger.warn('reconcile failed', {
              kubernetesCluster: gateway.name,
              cluster: id,
              error: e.message,
            });
            report.errors.push({
              kubernetesCluster: gateway.name,
              cluster: id,
              message: e.message,
            });
          }
        }
      },
      signal,
    );
    for (const m of missed) unreachable(m.kubernetesCluster, m.message);
    return report;
  }

  /**
   * Observe → decide → act for one cluster. Returns the decision (for tests and logs). `prefetched`
   * is this cluster's part of the pass's `observeAll` (or why it could not be read).
   */
  async reconcileCluster(
    gateway: KubeGateway,
    cluster: OpenBaoCluster,
    now: Date,
    prefetched?: ObservedCluster | Error,
  ): Promise<RunDecision> {
    const observed = prefetched ?? (await gateway.observe(cluster));
    if (observed instanceof Error) throw observed;
    const preUpgrade =
      cluster.metadata.annotations?.[PRE_UPGRADE_BACKUP_ANNOTATION]?.trim();
    let decision = decideRun(observed, now, {
      startingDeadlineSeconds: this.#options.startingDeadlineSeconds,
      podStartTimeoutSeconds: this.#options.podStartTimeoutSeconds,
      preUpgradeValue:
        preUpgrade && preUpgrade !== cluster.status?.backup?.observedTrigger
          ? preUpgrade
          : undefined,
    });
    const { namespace, name } = cluster.metadata;
    const log = {
      kubernetesCluster: gateway.name,
      cluster: `${namespace}/${name}`,
    };

    const verification =
      decision.action === 'start' && cluster.spec.imageVerification?.enabled
        ? await this.#verifyExecutorImage(gateway, cluster, decision)
        : undefined;
    if (verification?.refusal) decision = verification.refusal;

    let key: string | undefined;
    if (decision.action === 'start') {
      key = objectKeyFor(
        cluster.spec.backup!.target,
        { namespace, name },
        decision.runAt,
        this.#randomHex(),
        decision.trigger,
      );
      const job = buildBackupJob(
        cluster,
        this.#options.jobSettings ?? {},
        decision.runAt,
        decision.trigger,
        key,
        {
          slot: decision.slot,
          triggerValue: decision.triggerValue,
          image: verification?.image,
        },
      );
      if (
        cluster.metadata.annotations?.[BACKUP_ADDRESSES_ANNOTATION] &&
        !this.#options.jobSettings?.allowAddressOverride
      ) {
        this.#options.logger.warn(
          `ignoring ${BACKUP_ADDRESSES_ANNOTATION}: set openbaoBackup.job.allowAddressOverride to honour it`,
          log,
        );
      }
      // Create first, then record: a crash in between is healed by adoption on the next pass.
      await gateway.createJob(job);
      this.#options.logger.info('backup job created', {
        ...log,
        job: decision.jobName,
        key,
        trigger: decision.trigger,
      });
    }

    // A Job deleted with propagationPolicy=Orphan leaves its pod streaming to the key: stop it
    // (SIGTERM, the executor aborts its upload) before the failure is recorded, so a failed
    // deletion is retried next pass rather than forgotten with the cleared activeJob.
    // Without the permission to delete pods, retrying would keep the cluster from ever recording
    // the run: record it, and say on the cluster what is wrong.
    for (const pod of orphanedPods(observed, decision)) {
      const job = decision.action === 'track' ? decision.jobName : undefined;
      try {
        await gateway.deletePod(namespace, pod);
        this.#options.logger.info('deleted the executor pod of a deleted Job', {
          ...log,
          job,
          pod,
        });
      } catch (e) {
        if (!isError(e) || e.name !== 'NotAllowedError') throw e;
        this.#options.logger.warn(e.message, { ...log, job, pod });
        await gateway.recordEvent(cluster, {
          type: 'Warning',
          reason: 'OrphanedPodNotDeleted',
          message: `Job ${job} was deleted but its pod ${pod} may still upload to the run's key: ${e.message}`,
        });
      }
    }

    const outcome = outcomeForDecision(decision);
    if (outcome?.type === 'job-started' && key) outcome.key = key;
    if (outcome?.type === 'job-started' && verification?.record) {
      outcome.imageVerification = verification.record;
    }
    // A refusal retried every pass changes nothing after the first: no write, no Event storm.
    if (outcome && (await writeStatus(gateway, cluster, outcome, now))) {
      const event = this.#eventFor(outcome, decision, cluster);
      if (event) await gateway.recordEvent(cluster, event);
      const result = RUN_RESULT[outcome.type];
      if (result) {
        this.#options.metrics?.countRun(
          { kubernetesCluster: gateway.name, namespace, name },
          result,
        );
      }
    }

    // Trigger annotations are edge-triggered: clear the one acted on. Our copy may be stale, so
    // the server removes it only while it still holds that value (JSON patch test + remove): a
    // newer request written since our read stays, and the next pass runs it.
    const acted = triggerActedOn(decision);
    const triggerValue = acted?.triggerValue;
    const annotation = acted ? TRIGGER_ANNOTATION_OF[acted.trigger] : undefined;
    if (
      triggerValue !== undefined &&
      annotation &&
      cluster.metadata.annotations?.[annotation] === triggerValue &&
      !(await gateway.removeClusterAnnotation(
        namespace,
        name,
        annotation,
        triggerValue,
      ))
    ) {
      this.#options.logger.info(
        `${annotation} changed since it was read: left for the next pass`,
        { ...log, trigger: triggerValue },
      );
    }

    if (
      decision.action === 'track' &&
      decision.state.phase === 'failed' &&
      decision.state.deleteJob
    ) {
      await gateway.deleteJob(namespace, decision.jobName);
    }
    // A killed executor cannot abort its upload: clean its key now, not after the age threshold.
    if (decision.action === 'track' && decision.state.phase === 'failed') {
      // A Job deleted by someone is gone with its key annotation: the status kept the key.
      this.#janitor.add(
        cluster,
        decision.jobName,
        keyOfJob(decision.job) ?? cluster.status?.backup?.activeJobKey,
        now,
      );
    }
    await this.#janitor.sweep(gateway, cluster, now);

    const succeeded =
      decision.action === 'track' && decision.state.phase === 'succeeded';
    // An invalid spec is not acted on at all: its bucket, prefix or retention rule cannot be trusted.
    const configInvalid =
      decision.action === 'config-invalid' ||
      ((decision.action === 'wait' || decision.action === 'refuse') &&
        decision.reason === 'ConfigInvalid');
    if (!configInvalid)
      await this.#maybeRunRetention(gateway, cluster, now, succeeded);
    return decision;
  }

  /**
   * Verifies the executor image before a Job is built. Verified: the Job runs `repo@sha256:…`.
   * Failed under `Block` (default): a refusal that keeps a manual trigger pending, so the run is
   * retried next pass. Failed under `Warn`: the Job runs the tag and a Warning Event says why.
   */
  async #verifyExecutorImage(
    gateway: KubeGateway,
    cluster: OpenBaoCluster,
    decision: Extract<RunDecision, { action: 'start' }>,
  ): Promise<{
    image?: string;
    record?: { digest: string } | { warning: string };
    refusal?: RunDecision;
  }> {
    const result = await this.#imageVerifier.verify(gateway, cluster);
    if (result.verified) {
      return { image: result.image, record: { digest: result.digest } };
    }
    const { namespace, name } = cluster.metadata;
    this.#options.logger.warn('executor image verification failed', {
      kubernetesCluster: gateway.name,
      cluster: `${namespace}/${name}`,
      error: result.message,
    });
    if (cluster.spec.imageVerification?.failurePolicy === 'Warn') {
      await gateway.recordEvent(cluster, {
        type: 'Warning',
        reason: 'ExecutorImageNotVerified',
        message: `failurePolicy Warn: running the unverified tag; ${result.message}`,
      });
      return { record: { warning: result.message } };
    }
    return {
      refusal: {
        action: 'refuse',
        trigger: decision.trigger,
        reason: 'ExecutorImageVerificationFailed',
        message: result.message,
        ...(decision.slot ? { slot: decision.slot } : {}),
      },
    };
  }

  async #reportHealth(
    gateway: KubeGateway,
    cluster: OpenBaoCluster,
    now: Date,
  ) {
    if (!cluster.spec.backup) return;
    // The status read at the start of this pass: owners and metrics see news one pass late.
    const verdict = explainClusterHealth(
      cluster.status,
      cluster.spec.backup,
      now,
      this.#options.health,
    );
    const { namespace, name } = cluster.metadata;
    const ref = { kubernetesCluster: gateway.name, namespace, name };
    this.#options.metrics?.observeCluster(
      ref,
      cluster.status?.backup,
      verdict.expectedIntervalSeconds,
    );
    await this.#options.notifier?.observe(ref, verdict.health, verdict.reason);
  }

  #eventFor(
    outcome: RunOutcome,
    decision: RunDecision,
    cluster: OpenBaoCluster,
  ) {
    // An adopted, still running Job is not news; and a config problem already reported stays quiet.
    if (outcome.type === 'job-started' && decision.action === 'track')
      return undefined;
    if (
      outcome.type === 'config-invalid' &&
      cluster.status?.conditions?.some(
        c => c.type === 'BackupConfigValid' && c.status === 'False',
      )
    ) {
      return undefined;
    }
    return EVENT_FOR[outcome.type]?.(outcome);
  }

  async #maybeRunRetention(
    gateway: KubeGateway,
    cluster: OpenBaoCluster,
    now: Date,
    afterSuccess: boolean,
  ) {
    if (!cluster.spec.backup) return;
    const uid =
      cluster.metadata.uid ??
      `${gateway.name}/${cluster.metadata.namespace}/${cluster.metadata.name}`;
    const last = this.#lastRetention.get(uid);
    const interval = this.#options.retentionIntervalMs ?? 24 * 3600 * 1000;
    if (!afterSuccess && last !== undefined && now.getTime() - last < interval)
      return;
    this.#lastRetention.set(uid, now.getTime());
    const store = await this.#options.openStore(gateway, cluster);
    const report = await runRetention({
      cluster,
      store,
      now,
      logger: this.#options.logger,
      orphanUploadMaxAgeMs: this.#options.orphanUploadMaxAgeMs,
    });
    if (
      report.deleted.length ||
      report.errors.length ||
      report.abortedUploads
    ) {
      const errors = report.errors.length
        ? `; ${report.errors.length} failed (${report.errors[0].key}: ${report.errors[0].message})`
        : '';
      await gateway.recordEvent(cluster, {
        type: report.errors.length ? 'Warning' : 'Normal',
        reason: 'RetentionApplied',
        message: `Deleted ${report.deleted.length} snapshot(s), ${report.bytesFreed} bytes freed; aborted ${report.abortedUploads} orphaned upload(s)${errors}`,
      });
    }
  }
}
