/*
 * TypeScript shapes of the OpenBao operator's custom resources (group openbao.org, version v1alpha1),
 * limited to the fields this project reads or writes. See docs/architecture.md and docs/contract.md §2.
 */

/** A Kubernetes-style reference to a Secret in the cluster's namespace. */
export interface SecretReference {
  name: string;
}

/** A key of a Secret in the cluster's namespace; `key` defaults to `caCert` (DEFAULT_CA_SECRET_KEY). */
export interface CaSecretReference {
  name: string;
  key?: string;
}

/** Where snapshots go: an S3-compatible bucket. */
export interface BackupTarget {
  /** Custom S3 endpoint (MinIO, Swift s3api, Ceph). Empty means AWS S3. */
  endpoint?: string;
  /** Bucket name; required. */
  bucket: string;
  /** Key prefix under which `<namespace>/<cluster>/` is written. */
  pathPrefix?: string;
  /** Region for SigV4; defaults to `us-east-1`. */
  region?: string;
  /** Static credentials: keys `accessKeyId`, `secretAccessKey`, optional `sessionToken`, `caCert`. */
  credentialsSecretRef?: SecretReference;
  /** Web identity (IRSA-style) role. When set, retention is left to the bucket lifecycle. */
  roleArn?: string;
  /**
   * Secret key holding the PEM CA of a private S3 endpoint, mounted as `caCert` in the executor's
   * credentials directory; the way to trust one with `roleArn`. Wins over the credentials Secret's `caCert`.
   */
  caSecretRef?: CaSecretReference;
  /** Path-style addressing (`endpoint/bucket/key`), needed by most S3-compatible servers. */
  usePathStyle?: boolean;
  /** Multipart part size in bytes; default 16 MiB, minimum 5 MiB. */
  partSize?: number;
  /** Parts uploaded in parallel; default 4, 1..16. */
  concurrency?: number;
}

/** How many snapshots to keep. Both rules are optional; the newest successful snapshot is always kept. */
export interface BackupRetention {
  maxCount?: number;
  /** Go-style duration with a `d` extension: `72h`, `30d`, `1h30m`. */
  maxAge?: string;
}

export interface BackupSpec {
  /** 5-field cron, optionally prefixed with `CRON_TZ=<IANA zone> `. */
  schedule: string;
  /** IANA time zone for the schedule; default UTC. */
  timeZone?: string;
  executorImage: string;
  target: BackupTarget;
  /** OpenBao JWT auth role the executor logs in with (projected service account token). */
  jwtAuthRole?: string;
  /** Mount path of the JWT auth method; default `jwt`. */
  jwtAuthMount?: string;
  /** Secret with key `token`: a static OpenBao token. */
  tokenSecretRef?: SecretReference;
  retention?: BackupRetention;
  preUpgradeSnapshot?: boolean;
  /** No scheduled runs while true; a manual trigger still runs. */
  suspend?: boolean;
  /** Deadline of one backup Job; default 3600. */
  activeDeadlineSeconds?: number;
}

export type ImageVerificationFailurePolicy = 'Block' | 'Warn';

/** A Secret key holding a PEM public key; `key` defaults to `cosign.pub`. */
export interface PublicKeySecretReference {
  name: string;
  key?: string;
}

/** Cosign signature check of `spec.backup.executorImage` before each Job (docs/image-verification.md). */
export interface ImageVerificationSpec {
  enabled?: boolean;
  /** `Block` (default): no Job when verification fails. `Warn`: the Job runs with the tag. */
  failurePolicy?: ImageVerificationFailurePolicy;
  /** PEM public key (ECDSA P-256 as `cosign generate-key-pair` makes, RSA or Ed25519). */
  publicKey?: string;
  /** The same, read from a Secret in the cluster's namespace. */
  publicKeySecretRef?: PublicKeySecretReference;
  /** Keyless: OIDC issuer of the signing certificate. */
  issuer?: string;
  /** Keyless: identity (SAN e-mail or URI) of the signing certificate. */
  subject?: string;
  /** `kubernetes.io/dockerconfigjson` Secrets for the registry; also the Job's imagePullSecrets. */
  imagePullSecrets?: SecretReference[];
}

export interface OpenBaoClusterSpec {
  replicas?: number;
  backup?: BackupSpec;
  imageVerification?: ImageVerificationSpec;
}

/** A standard Kubernetes condition (metav1.Condition). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message?: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface BackupStatus {
  lastBackupTime?: string;
  lastAttemptTime?: string;
  /** The cron slot the last attempt ran for (scheduled runs only). */
  lastAttemptScheduledTime?: string;
  /** Bytes of the uploaded object. */
  lastBackupSize?: number;
  /** Seconds. */
  lastBackupDuration?: number;
  /** Object key of the last successful snapshot. */
  lastBackupName?: string;
  lastBackupSha256?: string;
  lastBackupRaftIndex?: number;
  lastBackupRaftTerm?: number;
  nextScheduledBackup?: string;
  consecutiveFailures?: number;
  lastFailureReason?: string;
  /** Name of the Job currently running, if any. */
  activeJob?: string;
  /**
   * Object key the running Job writes to: a run whose Job vanished (deleted by someone) can still
   * have its multipart upload aborted.
   */
  activeJobKey?: string;
  /** Last value of the `openbao.org/trigger-backup` annotation that was acted on. */
  observedTrigger?: string;
  /** `sha256:<hex>` the last Job was pinned to after image verification; removed when unverified. */
  lastExecutorImageDigest?: string;
}

export type ClusterPhase =
  | 'Pending'
  | 'Initializing'
  | 'Running'
  | 'Upgrading'
  | 'Failed'
  | string;

export interface OpenBaoClusterStatus {
  phase?: ClusterPhase;
  /** Non-nil while the operator performs an upgrade. */
  upgrade?: Record<string, unknown> | null;
  conditions?: Condition[];
  backup?: BackupStatus;
}

/** Minimal ObjectMeta for the objects we read. */
export interface ObjectMeta {
  name: string;
  namespace: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface OpenBaoCluster {
  apiVersion: 'openbao.org/v1alpha1';
  kind: 'OpenBaoCluster';
  metadata: ObjectMeta;
  spec: OpenBaoClusterSpec;
  status?: OpenBaoClusterStatus;
}

export interface OpenBaoRestoreSpec {
  /** Name of the OpenBaoCluster being restored. */
  cluster: string;
  source?: { key?: string; bucket?: string };
}

export interface OpenBaoRestore {
  apiVersion: 'openbao.org/v1alpha1';
  kind: 'OpenBaoRestore';
  metadata: ObjectMeta;
  spec: OpenBaoRestoreSpec;
  status?: { phase?: 'Pending' | 'Running' | 'Completed' | 'Failed' | string };
}

/** Identifies one OpenBaoCluster across the Kubernetes clusters the backend manages. */
export interface ClusterRef {
  /** Name of the Kubernetes cluster in `openbaoBackup.kubernetes.clusters[]`. */
  kubernetesCluster: string;
  namespace: string;
  name: string;
}

/** What started a backup. */
export type BackupTrigger = 'scheduled' | 'manual' | 'pre-upgrade';

/** The executor's one-line result (docs/contract.md §4). */
export interface ExecutorResult {
  ok: boolean;
  stage: 'config' | 'auth' | 'leader' | 'stream' | 'verify' | 'report' | 'done';
  key?: string;
  size?: number;
  durationSeconds?: number;
  sha256?: string;
  stateSha256?: string;
  raftIndex?: number;
  raftTerm?: number;
  sealedChecksums?: boolean;
  error?: string;
}
