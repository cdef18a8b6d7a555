import {
  BackupRun,
  ClusterDetail,
  ClusterRef,
  FleetEntry,
  FleetResponse,
  OpenBaoCluster,
  RetentionPreview,
  SnapshotObject,
  clusterPrefixFor,
  explainClusterHealth,
  parseObjectKey,
  skipReasonFor,
  stringifyClusterRef,
} from '@internal/plugin-openbao-backup-common';
import {
  NotFoundError,
  ServiceUnavailableError,
  assertError,
} from '@backstage/errors';
import { KubeGateway } from '../adapters/KubeGateway';
import { ObjectStoreFactory } from '../adapters/objectStoreFor';
import {
  ObservedCluster,
  planRetention,
  preflight,
  retentionApplies,
} from '../core';
import { OpenBaoBackupConfig } from '../config';
import { runsFromJobs } from './runsFromJobs';

/**
 * Reads clusters, runs and snapshots for the API, straight from Kubernetes and the bucket (no
 * cache, so every replica answers the same). Knows nothing about permissions: the router checks.
 */
/**
 * How long the fleet view waits for one API server's list before it answers without that server's
 * clusters (reported in `errors`): a hung server must not hold the fleet page for the whole
 * request timeout. Its request itself goes on and ends within `kubernetes.requestTimeout`.
 */
export const FLEET_SERVER_TIMEOUT_MS = 10_000;

type ClusterServiceOptions = {
  gateways: KubeGateway[];
  openStore: ObjectStoreFactory;
  health: OpenBaoBackupConfig['health'];
  now?: () => Date;
  /** Default {@link FLEET_SERVER_TIMEOUT_MS}. */
  fleetServerTimeoutMs?: number;
};

export class ClusterService {
  readonly #gateways: Map<string, KubeGateway>;
  readonly #openStore: ObjectStoreFactory;
  readonly #health: OpenBaoBackupConfig['health'];
  readonly #now: () => Date;
  readonly #fleetServerTimeoutMs: number;

  static create(options: ClusterServiceOptions) {
    return new ClusterService(options);
  }

  private constructor(options: ClusterServiceOptions) {
    this.#gateways = new Map(options.gateways.map(g => [g.name, g]));
    this.#openStore = options.openStore;
    this.#health = options.health;
    this.#now = options.now ?? (() => new Date());
    this.#fleetServerTimeoutMs =
      options.fleetServerTimeoutMs ?? FLEET_SERVER_TIMEOUT_MS;
  }

  gateway(kubernetesCluster: string): KubeGateway {
    const gateway = this.#gateways.get(kubernetesCluster);
    if (!gateway) {
      throw new NotFoundError(
        `No Kubernetes cluster named "${kubernetesCluster}" is configured (openbaoBackup.kubernetes.clusters)`,
      );
    }
    return gateway;
  }

  async fleet(): Promise<FleetResponse> {
    const fleet: FleetResponse = { items: [], errors: [] };
    await Promise.all(
      [...this.#gateways.values()].map(async gateway => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const seconds = this.#fleetServerTimeoutMs / 1000;
          const clusters = await Promise.race([
            gateway.listClusters(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () =>
                  reject(
                    new Error(
                      `Kubernetes API server ${gateway.name} did not list its OpenBaoClusters within ${seconds} s; its clusters are left out`,
                    ),
                  ),
                this.#fleetServerTimeoutMs,
              );
            }),
          ]);
          fleet.items.push(
            ...clusters.map(c => this.entryFor(gateway.name, c)),
          );
        } catch (e) {
          assertError(e);
          fleet.errors.push({
            kubernetesCluster: gateway.name,
            message: e.message,
          });
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    fleet.items.sort((a, b) =>
      stringifyClusterRef(a.ref).localeCompare(stringifyClusterRef(b.ref)),
    );
    return fleet;
  }

  /** One cluster as an entry; a failure to read it becomes an `unknown` entry with `error`. */
  async entry(ref: ClusterRef): Promise<FleetEntry> {
    try {
      const cluster = await this.#get(ref);
      return this.entryFor(ref.kubernetesCluster, cluster);
    } catch (e) {
      assertError(e);
      return { ref, health: 'unknown', error: e.message };
    }
  }

  entryFor(kubernetesCluster: string, cluster: OpenBaoCluster): FleetEntry {
    const backup = cluster.spec?.backup;
    const verdict = explainClusterHealth(cluster.status, backup, this.#now(), {
      staleFactor: this.#health.staleFactor,
      graceSeconds: this.#health.graceSeconds,
    });
    const skipped = skipReasonFor(cluster.status, backup);
    return {
      ref: {
        kubernetesCluster,
        namespace: cluster.metadata.namespace,
        name: cluster.metadata.name,
      },
      health: verdict.health,
      healthReason: verdict.reason,
      schedule: backup?.schedule,
      timeZone: backup?.timeZone,
      suspended: backup?.suspend ?? false,
      expectedIntervalSeconds: verdict.expectedIntervalSeconds,
      backup: cluster.status?.backup,
      backingUp:
        Boolean(cluster.status?.backup?.activeJob) ||
        (cluster.status?.conditions ?? []).some(
          c => c.type === 'BackingUp' && c.status === 'True',
        ),
      ...(skipped ? { skipped } : {}),
    };
  }

  async detail(ref: ClusterRef): Promise<ClusterDetail> {
    const gateway = this.gateway(ref.kubernetesCluster);
    const cluster = await this.#get(ref);
    const observed = await gateway.observe(cluster);
    const applicability = retentionApplies(cluster);
    const runs: BackupRun[] = runsFromJobs(
      observed.jobs,
      observed.pods,
      // Pod-start timeouts are measured on the API server's clock, as the reconciler does.
      observed.serverTime ?? this.#now(),
    );
    const verdict = preflight(observed, { trigger: 'scheduled' });
    return {
      ...this.entryFor(ref.kubernetesCluster, cluster),
      retention: cluster.spec.backup?.retention,
      retentionApplies: applicability.applies,
      retentionReason: applicability.applies ? undefined : applicability.reason,
      bucket: cluster.spec.backup?.target?.bucket,
      pathPrefix: cluster.spec.backup?.target?.pathPrefix,
      conditions: cluster.status?.conditions?.map(c => ({
        type: c.type,
        status: c.status,
        reason: c.reason,
        message: c.message,
      })),
      // A running Job is shown as such, not as a refusal.
      ...(!verdict.ok && verdict.reason !== 'BackupInProgress'
        ? {
            preflightRefusal: {
              reason: verdict.reason,
              message: verdict.message,
            },
          }
        : {}),
      runs,
    };
  }

  /** The cluster's objects in the bucket, newest first by the time in the key. */
  async snapshots(ref: ClusterRef): Promise<SnapshotObject[]> {
    return this.#snapshotsOf(ref, await this.#get(ref));
  }

  async #snapshotsOf(
    ref: ClusterRef,
    cluster: OpenBaoCluster,
  ): Promise<SnapshotObject[]> {
    const target = cluster.spec.backup?.target;
    const keyRef = { namespace: ref.namespace, name: ref.name };
    let objects;
    try {
      const store = await this.#openStore(
        this.gateway(ref.kubernetesCluster),
        cluster,
      );
      objects = await store.list(clusterPrefixFor(target, keyRef));
    } catch (e) {
      assertError(e);
      throw new ServiceUnavailableError(
        `Cannot list the bucket of ${ref.namespace}/${ref.name}: ${e.message}`,
      );
    }
    return objects
      .map(o => {
        const parsed = parseObjectKey(o.key, keyRef, target?.pathPrefix);
        return {
          key: o.key,
          size: o.size,
          lastModified: o.lastModified?.toISOString(),
          time: parsed?.time.toISOString(),
          trigger: parsed?.trigger,
        };
      })
      .sort((a, b) =>
        (b.time ?? b.lastModified ?? '').localeCompare(
          a.time ?? a.lastModified ?? '',
        ),
      );
  }

  async retentionPreview(ref: ClusterRef): Promise<RetentionPreview> {
    const cluster = await this.#get(ref);
    const applicability = retentionApplies(cluster);
    if (!applicability.applies) {
      return {
        applies: false,
        reason: applicability.reason,
        keep: [],
        delete: [],
      };
    }
    const objects = (await this.#snapshotsOf(ref, cluster)).map(s => ({
      key: s.key,
      size: s.size,
      lastModified: s.lastModified,
    }));
    const plan = planRetention(
      objects,
      cluster.spec.backup?.retention ?? {},
      { namespace: ref.namespace, name: ref.name },
      cluster.spec.backup?.target?.pathPrefix,
      this.#now(),
    );
    const toDecision = (e: { key: string; detail: string }) => ({
      key: e.key,
      reason: e.detail,
    });
    return {
      applies: true,
      keep: plan.keep.map(toDecision),
      delete: plan.delete.map(toDecision),
    };
  }

  /** The pre-flight verdict for a manual run right now (used to answer 409 before annotating). */
  async observe(ref: ClusterRef): Promise<ObservedCluster> {
    const cluster = await this.#get(ref);
    return this.gateway(ref.kubernetesCluster).observe(cluster);
  }

  /**
   * Polls the cluster until the run requested with `triggerValue` has ended: observed, no active
   * Job. Resolves its outcome from the status (`ok` with the snapshot, or the failure reason), or
   * `undefined` after `timeoutMs`.
   */
  async waitForRun(
    ref: ClusterRef,
    triggerValue: string,
    timeoutMs: number,
    pollMs = 1000,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const cluster = await this.#get(ref);
      const backup = cluster.status?.backup;
      if (backup?.observedTrigger === triggerValue && !backup.activeJob) {
        const backingUp = cluster.status?.conditions?.find(
          c => c.type === 'BackingUp',
        );
        const ok = backingUp?.reason === 'BackupSucceeded';
        return {
          ok,
          ...(ok
            ? { key: backup.lastBackupName, size: backup.lastBackupSize }
            : { reason: backingUp?.reason, message: backingUp?.message }),
        };
      }
      if (Date.now() + pollMs > deadline) return undefined;
      await new Promise(r => setTimeout(r, pollMs));
    }
  }

  preflightManual(observed: ObservedCluster) {
    return preflight(observed, { trigger: 'manual' });
  }

  async #get(ref: ClusterRef): Promise<OpenBaoCluster> {
    const cluster = await this.gateway(ref.kubernetesCluster).getCluster(
      ref.namespace,
      ref.name,
    );
    if (!cluster) {
      throw new NotFoundError(
        `OpenBaoCluster ${ref.namespace}/${ref.name} not found in Kubernetes cluster ${ref.kubernetesCluster}`,
      );
    }
    return cluster;
  }
}
