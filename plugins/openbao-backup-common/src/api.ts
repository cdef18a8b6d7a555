/*
 * Response shapes of the backend REST API (docs/contract.md §5), shared by the backend router and the
 * frontend client so the two cannot drift apart. Times are RFC 3339 strings.
 */
import { SkipReason } from './skipReason';
import { BackupRetention, BackupStatus, BackupTrigger, ClusterRef } from './types';

/** Backup health of one cluster; see docs/architecture.md (Health) for the thresholds. */
export type BackupHealth =
  | 'ok'
  | 'stale'
  | 'failing'
  | 'never'
  | 'suspended'
  | 'unknown';

/** One cluster in the fleet list. `error` is set when its Kubernetes API server could not be read. */
export interface FleetEntry {
  ref: ClusterRef;
  health: BackupHealth;
  /** Why the health is what it is, one sentence. */
  healthReason?: string;
  schedule?: string;
  timeZone?: string;
  suspended?: boolean;
  /** Seconds between two slots of the schedule, the recovery point objective. */
  expectedIntervalSeconds?: number;
  backup?: BackupStatus;
  backingUp?: boolean;
  /**
   * Why scheduled backups are skipped, read from the cluster object alone ({@link skipReasonFor}):
   * the phase, `status.upgrade`, or the refusal the last slot recorded on `BackingUp`. Does not
   * change `health`.
   */
  skipped?: SkipReason;
  /** Catalog entities that link this cluster (`kind:namespace/name`). */
  entityRefs?: string[];
  owners?: string[];
  error?: string;
}

/** One backup Job, newest first in `ClusterDetail.runs`. */
export interface BackupRun {
  jobName: string;
  trigger: BackupTrigger;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  startTime?: string;
  completionTime?: string;
  /** Object key the run writes. */
  key?: string;
  size?: number;
  durationSeconds?: number;
  reason?: string;
  message?: string;
  /** `sha256:<hex>` when the Job ran a verified, digest-pinned executor image. */
  executorImageDigest?: string;
}

/** `GET /clusters`: every cluster, plus the Kubernetes clusters that could not be read. */
export interface FleetResponse {
  items: FleetEntry[];
  errors: Array<{ kubernetesCluster: string; message: string }>;
}

export interface ClusterDetail extends FleetEntry {
  retention?: BackupRetention;
  /** False with a reason when we do not run retention (e.g. web identity: bucket lifecycle). */
  retentionApplies: boolean;
  retentionReason?: string;
  bucket?: string;
  pathPrefix?: string;
  conditions?: Array<{ type: string; status: string; reason: string; message?: string }>;
  /**
   * Why no backup starts now, scheduled or manual: the pre-flight check's refusal on the current
   * state (e.g. `UpgradeInProgress`), which the reconciler also records on the `BackingUp`
   * condition at each refused slot. Absent when a backup may start or one is running.
   */
  preflightRefusal?: { reason: string; message: string };
  runs: BackupRun[];
}

/** An object in the bucket under the cluster's prefix. */
export interface SnapshotObject {
  key: string;
  size: number;
  lastModified?: string;
  /** Time encoded in the key (what retention uses). */
  time?: string;
  trigger?: 'scheduled-or-manual' | 'pre-upgrade';
}

export interface SnapshotList {
  items: SnapshotObject[];
}

export interface RetentionDecision {
  key: string;
  reason: string;
}

export interface RetentionPreview {
  applies: boolean;
  reason?: string;
  keep: RetentionDecision[];
  delete: RetentionDecision[];
}

export interface TriggerRequest {
  reason: string;
}

export interface TriggerResponse {
  /** The value written to the `openbao.org/trigger-backup` annotation. */
  triggerId: string;
}

/** The clusters linked to one catalog entity; per-cluster errors are reported, not thrown. */
export interface EntityClusters {
  items: FleetEntry[];
  /** Items of the annotation that could not be parsed. */
  errors: string[];
}
