/** Constants shared by the backend, the frontend, the executor contract and the chart. */

export const OPENBAO_API_GROUP = 'openbao.org';
export const OPENBAO_API_VERSION = 'v1alpha1';
export const OPENBAO_CLUSTER_PLURAL = 'openbaoclusters';
export const OPENBAO_RESTORE_PLURAL = 'openbaorestores';

/** Catalog annotation linking an entity to clusters: `[<k8s-cluster>/]<namespace>/<name>`, comma list. */
export const OPENBAO_CLUSTER_ANNOTATION = 'openbao.org/cluster';
/**
 * Optional OpenBaoCluster annotation: comma-separated pod URLs to use as OPENBAO_ADDRESSES instead
 * of the backend's address template (pods behind non-standard Services, the local sandbox).
 */
export const BACKUP_ADDRESSES_ANNOTATION = 'openbao.org/backup-addresses';
/**
 * Set by the pre-upgrade endpoint: one `pre-upgrade` run per distinct value (recorded in
 * `status.backup.observedTrigger`), removed once the Job exists or the pre-flight refused it.
 */
export const PRE_UPGRADE_BACKUP_ANNOTATION = 'openbao.org/pre-upgrade-backup';
/** Edge-triggered manual backup: one run per distinct non-empty value. */
export const TRIGGER_BACKUP_ANNOTATION = 'openbao.org/trigger-backup';

export const CONDITION_BACKING_UP = 'BackingUp';
export const CONDITION_BACKUP_CONFIG_VALID = 'BackupConfigValid';
/** True when the last Job's executor image was verified and pinned to its digest. */
export const CONDITION_EXECUTOR_IMAGE_VERIFIED = 'ExecutorImageVerified';
/** Pre-flight reason (and `lastFailureReason` prefix) when `Block` stops a run. */
export const REASON_IMAGE_VERIFICATION_FAILED =
  'ExecutorImageVerificationFailed';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_CLUSTER = 'openbao.org/cluster';
export const LABEL_COMPONENT = 'openbao.org/component';
export const LABEL_TRIGGER = 'openbao.org/backup-trigger';
export const LABEL_NAME_VALUE = 'openbao-backup';
export const MANAGED_BY_VALUE = 'backstage-openbao-backup';
export const COMPONENT_VALUE = 'backup';

export const DEFAULT_REGION = 'us-east-1';
/** Default key of `target.caSecretRef` (the same name as in the credentials Secret). */
export const DEFAULT_CA_SECRET_KEY = 'caCert';
export const MIB = 1024 * 1024;
export const DEFAULT_PART_SIZE = 16 * MIB;
export const MIN_PART_SIZE = 5 * MIB;
export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 16;
export const DEFAULT_ACTIVE_DEADLINE_SECONDS = 3600;
export const DEFAULT_JWT_AUTH_MOUNT = 'jwt';

/** Executor exit codes (docs/contract.md §4). */
export const EXIT_CODES = {
  ok: 0,
  config: 1,
  auth: 2,
  leader: 3,
  source: 4,
  storage: 5,
  verification: 6,
  deadline: 7,
} as const;

/** Job annotations the backend writes so a restarted backend can adopt and record a run. */
export const ANNOTATION_RUN_AT = 'openbao.org/run-at';
export const ANNOTATION_SCHEDULED_TIME = 'openbao.org/scheduled-time';
export const ANNOTATION_TRIGGER_VALUE = 'openbao.org/trigger-value';
export const ANNOTATION_BACKUP_KEY = 'openbao.org/backup-key';

/** A missed slot still runs when it is at most this late (docs/scheduling.md, `startingDeadline`). */
export const DEFAULT_STARTING_DEADLINE_SECONDS = 3600;
/** Pre-upgrade snapshots kept by retention, apart from `maxCount`. */
export const DEFAULT_PRE_UPGRADE_KEEP = 3;
/** Multipart uploads older than this under a cluster's prefix are aborted. */
export const DEFAULT_ORPHAN_UPLOAD_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** S3 allows at most this many keys per DeleteObjects request. */
export const MAX_DELETE_BATCH = 1000;
export const DEFAULT_REPLICAS = 3;
export const MAX_PART_SIZE = 5 * 1024 * MIB;
