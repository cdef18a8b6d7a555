import { LoggerService } from '@backstage/backend-plugin-api';
import { assertError } from '@backstage/errors';
import {
  LABEL_CLUSTER,
  OpenBaoCluster,
} from '@internal/plugin-openbao-backup-common';
import {
  JobLike,
  clustersForLightPass,
  endedJobKey,
  jobHasEnded,
  lightPassMark,
  passKind,
} from '../core';
import { KubeGateway, WatchEventType } from '../adapters/KubeGateway';
import { Reconciler, TickReport } from './Reconciler';
import { FullPassLedger } from './FullPassLedger';
import { DEFAULT_PASS_TIMEOUT_MS, GatewayDeadlines } from './GatewayDeadlines';

export interface ReconcileTaskOptions {
  reconciler: Pick<Reconciler, 'tick' | 'reconcileCluster'>;
  ledger: Pick<FullPassLedger, 'lastFullPassAt' | 'recordFullPass'>;
  /** How often a full pass runs, across all replicas. */
  reconcileIntervalMs: number;
  logger: LoggerService;
  /** The plugin's clock: what schedules are compared with. */
  now: () => Date;
  /** The clock the full-pass interval is measured on (real time, like the scheduler's). */
  wallClockMs?: () => number;
  /** Each API server's part of a light pass under a deadline (the Reconciler's); default 2 min. */
  deadlines?: GatewayDeadlines;
}

export type PassReport =
  | { kind: 'full'; report: TickReport }
  | { kind: 'light'; report: TickReport };

interface Cached {
  gateway: KubeGateway;
  cluster: OpenBaoCluster;
}

/**
 * The body of the global reconcile task, which runs every `lightPassInterval` (one replica at a
 * time). Once per reconcile interval it is a full pass (`Reconciler.tick`); otherwise a light pass
 * over the clusters this replica's watches flagged (a pending trigger, an ended Job, an edited
 * schedule, a slot that has come), each read afresh and reconciled like in a full pass. With nothing flagged a light
 * pass makes no Kubernetes request.
 */
export class ReconcileTask {
  readonly #options: ReconcileTaskOptions;
  readonly #wallClockMs: () => number;
  readonly #deadlines: GatewayDeadlines;
  /** The watch's latest copy of every cluster, keyed `<kubernetes cluster>/<namespace>/<name>`. */
  readonly #cache = new Map<string, Cached>();
  /** Key → the flagged state (`lightPassMark`) a light pass last reconciled. */
  readonly #handled = new Map<string, string>();
  /**
   * Jobs the Job watch saw end (`endedJobKey`) → wall-clock ms when seen. Kept one reconcile
   * interval: by then a full pass has recorded whatever a light pass did not.
   */
  readonly #endedJobs = new Map<string, number>();

  static create(options: ReconcileTaskOptions): ReconcileTask {
    return new ReconcileTask(options);
  }

  private constructor(options: ReconcileTaskOptions) {
    this.#options = options;
    this.#wallClockMs = options.wallClockMs ?? (() => Date.now());
    this.#deadlines =
      options.deadlines ??
      GatewayDeadlines.create({ timeoutMs: DEFAULT_PASS_TIMEOUT_MS });
  }

  /**
   * Records the watch's copy of a cluster. True when a light pass has something to do for it
   * (the caller then asks the scheduler for a run at once).
   */
  observe(gateway: KubeGateway, cluster: OpenBaoCluster): boolean {
    const key = keyOf(gateway, cluster);
    this.#cache.set(key, { gateway, cluster });
    return this.#flagged(key, cluster);
  }

  /** Forgets a deleted cluster (the watch's DELETED event). */
  forget(gateway: KubeGateway, cluster: OpenBaoCluster): void {
    const key = keyOf(gateway, cluster);
    this.#cache.delete(key);
    this.#handled.delete(key);
  }

  /**
   * Records a Job watch event. True when the Job has ended (`jobHasEnded`) and its cluster (label
   * `LABEL_CLUSTER`) now has something for a light pass: the run's end to record.
   */
  observeJob(
    gateway: KubeGateway,
    type: WatchEventType,
    job: JobLike,
  ): boolean {
    const { namespace, name, labels } = job.metadata ?? {};
    const clusterName = labels?.[LABEL_CLUSTER];
    if (!namespace || !name || !clusterName || !jobHasEnded(type, job))
      return false;
    const key = `${gateway.name}/${namespace}/${clusterName}`;
    this.#endedJobs.set(endedJobKey(key, name), this.#wallClockMs());
    const cached = this.#cache.get(key);
    return cached !== undefined && this.#flagged(key, cached.cluster);
  }

  #flagged(key: string, cluster: OpenBaoCluster): boolean {
    const mark = lightPassMark(cluster, this.#options.now(), job =>
      this.#endedJobs.has(endedJobKey(key, job)),
    );
    return mark !== undefined && this.#handled.get(key) !== mark;
  }

  /** One run of the task; `signal` (the scheduler's) ends it early. */
  async run(signal?: AbortSignal): Promise<PassReport> {
    const { ledger, logger } = this.#options;
    const wallMs = this.#wallClockMs();
    const last = await ledger.lastFullPassAt().catch(e => {
      // Without the record a full pass is the safe choice.
      logger.warn('cannot read the last full pass; running one', {
        error: String(e),
      });
      return undefined;
    });
    if (passKind(wallMs, last, this.#options.reconcileIntervalMs) === 'full') {
      await ledger
        .recordFullPass(wallMs)
        .catch(e =>
          logger.warn('cannot record the full pass', { error: String(e) }),
        );
      const report = await this.#options.reconciler.tick(signal);
      logger.debug('reconcile pass', {
        kind: 'full',
        clusters: report.clusters,
      });
      return { kind: 'full', report };
    }
    for (const [job, seenMs] of this.#endedJobs) {
      if (wallMs - seenMs > this.#options.reconcileIntervalMs)
        this.#endedJobs.delete(job);
    }
    const report = await this.#lightPass(signal);
    logger.debug('reconcile pass', {
      kind: 'light',
      clusters: report.clusters,
    });
    return { kind: 'light', report };
  }

  async #lightPass(signal?: AbortSignal): Promise<TickReport> {
    const now = this.#options.now();
    const report: TickReport = { clusters: 0, errors: [] };
    const picked = clustersForLightPass(
      this.#cache.entries(),
      now,
      this.#handled,
      this.#endedJobs,
    );
    // One API server's clusters one after the other, the servers in parallel (as a full pass).
    const byGateway = new Map<KubeGateway, typeof picked>();
    for (const entry of picked) {
      byGateway.set(entry.gateway, [
        ...(byGateway.get(entry.gateway) ?? []),
        entry,
      ]);
    }
    const missed = await this.#deadlines.run(
      byGateway.keys(),
      async (gateway, stop) => {
        for (const { key, cluster, mark } of byGateway.get(gateway)!) {
          // Past the deadline (already reported) or aborted: the next pass tries again.
          if (stop.aborted) return;
          const { namespace, name } = cluster.metadata;
          let state = mark;
          try {
            // The watch's copy may be behind the last pass's writes: decide on a fresh read.
            const fresh = await gateway.getCluster(namespace, name);
            if (!fresh) {
              this.#cache.delete(key);
              this.#handled.delete(key);
              continue;
            }
            this.#cache.set(key, { gateway, cluster: fresh });
            const freshMark = lightPassMark(fresh, now, job =>
              this.#endedJobs.has(endedJobKey(key, job)),
            );
            if (freshMark === undefined) continue;
            state = freshMark;
            this.#handled.set(key, state);
            report.clusters++;
            await this.#options.reconciler.reconcileCluster(
              gateway,
              fresh,
              now,
            );
          } catch (e) {
            assertError(e);
            if (stop.aborted) return;
            // Not retried every second: the next full pass (or a change) tries again.
            this.#handled.set(key, state);
            this.#options.logger.warn('reconcile failed', {
              kubernetesCluster: gateway.name,
              cluster: `${namespace}/${name}`,
              error: e.message,
            });
            report.errors.push({
              kubernetesCluster: gateway.name,
              cluster: `${namespace}/${name}`,
              message: e.message,
            });
          }
        }
      },
      signal,
    );
    for (const m of missed) {
      this.#options.logger.warn('light pass incomplete', {
        kubernetesCluster: m.kubernetesCluster,
        error: m.message,
      });
      report.errors.push(m);
    }
    return report;
  }
}

function keyOf(gateway: KubeGateway, cluster: OpenBaoCluster) {
  return `${gateway.name}/${cluster.metadata.namespace}/${cluster.metadata.name}`;
}
