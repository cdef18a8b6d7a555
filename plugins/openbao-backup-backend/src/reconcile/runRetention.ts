import { LoggerService } from '@backstage/backend-plugin-api';
import {
  OpenBaoCluster,
  clusterPrefixFor,
} from '@internal/plugin-openbao-backup-common';
import {
  planOrphanUploadAborts,
  planRetention,
  retentionApplies,
} from '../core';
import { ObjectStore } from '../adapters/ObjectStore';

/** What one retention pass did, for Events, logs and metrics. */
export interface RetentionReport {
  applies: boolean;
  reason?: string;
  deleted: string[];
  bytesFreed: number;
  errors: Array<{ key: string; message: string }>;
  abortedUploads: number;
}

/**
 * Applies the cluster's retention policy to its bucket prefix and aborts orphaned multipart
 * uploads. Deletes only what `planRetention` marks; re-running converges (S3 deletes are idempotent).
 */
export async function runRetention(options: {
  cluster: OpenBaoCluster;
  store: ObjectStore;
  now: Date;
  logger: LoggerService;
  orphanUploadMaxAgeMs?: number;
}): Promise<RetentionReport> {
  const { cluster, store, now, logger } = options;
  const report: RetentionReport = {
    applies: true,
    deleted: [],
    bytesFreed: 0,
    errors: [],
    abortedUploads: 0,
  };
  const applicability = retentionApplies(cluster);
  const target = cluster.spec.backup?.target;
  const ref = {
    namespace: cluster.metadata.namespace,
    name: cluster.metadata.name,
  };
  const prefix = clusterPrefixFor(target, ref);

  if (applicability.applies) {
    const objects = await store.list(prefix);
    const retention = cluster.spec.backup?.retention ?? {};
    const plan = planRetention(
      objects,
      retention,
      ref,
      target?.pathPrefix,
      now,
    );
    if (plan.delete.length) {
      const result = await store.deleteMany(plan.delete.map(d => d.key));
      const sizes = new Map(plan.delete.map(d => [d.key, d.size]));
      report.deleted = result.deleted;
      report.bytesFreed = result.deleted.reduce(
        (sum, k) => sum + (sizes.get(k) ?? 0),
        0,
      );
      report.errors = result.errors;
    }
  } else {
    report.applies = false;
    report.reason = applicability.reason;
  }

  // Orphaned uploads are cleaned even when the bucket lifecycle owns retention: only we know
  // that an executor was killed. Failing to list them must not hide the retention result.
  if (!cluster.spec.backup?.target?.roleArn) {
    try {
      const uploads = await store.listPendingUploads(prefix);
      const aborts = planOrphanUploadAborts(
        uploads,
        ref,
        target?.pathPrefix,
        now,
        options.orphanUploadMaxAgeMs,
      );
      for (const abort of aborts) {
        await store.abortUpload(abort);
        report.abortedUploads++;
      }
    } catch (e) {
      logger.warn('orphan multipart upload clean-up failed', {
        cluster: `${ref.namespace}/${ref.name}`,
        error: String(e),
      });
    }
  }
  return report;
}
