import {
  BACKUP_ADDRESSES_ANNOTATION,
  ANNOTATION_BACKUP_KEY,
  ANNOTATION_RUN_AT,
  ANNOTATION_SCHEDULED_TIME,
  ANNOTATION_TRIGGER_VALUE,
  BackupTrigger,
  COMPONENT_VALUE,
  DEFAULT_ACTIVE_DEADLINE_SECONDS,
  DEFAULT_CA_SECRET_KEY,
  DEFAULT_CONCURRENCY,
  DEFAULT_JWT_AUTH_MOUNT,
  DEFAULT_PART_SIZE,
  DEFAULT_REGION,
  DEFAULT_REPLICAS,
  LABEL_CLUSTER,
  LABEL_COMPONENT,
  LABEL_MANAGED_BY,
  LABEL_NAME,
  LABEL_NAME_VALUE,
  LABEL_TRIGGER,
  MANAGED_BY_VALUE,
  OPENBAO_API_GROUP,
  OPENBAO_API_VERSION,
  OpenBaoCluster,
} from '@internal/plugin-openbao-backup-common';
import { jobNameFor } from './jobNameFor';

/** Compute resources of the executor container (Kubernetes quantities). */
export interface ResourceSettings {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

/** Backend-wide settings of the Jobs it creates (from app-config; see `resolveBackupJobSettings`). */
export interface BackupJobSettings {
  /** Audience of the projected service account token used for OpenBao JWT auth. */
  tokenAudience: string;
  /** Lifetime requested for projected tokens (Kubernetes minimum 600). */
  tokenExpirationSeconds: number;
  /** Template of one OpenBao pod URL; `{cluster}`, `{namespace}` and `{i}` are replaced. */
  addressTemplate: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  resources: ResourceSettings;
  ttlSecondsAfterFinished: number;
  /** UID and GID the executor runs as (non-root). */
  runAsUser: number;
  /** Pods listed in OPENBAO_ADDRESSES when `spec.replicas` is unset. */
  defaultReplicas: number;
  /**
   * Honour the `openbao.org/backup-addresses` annotation. Off by default: whoever can edit the
   * custom resource could otherwise send the executor (and its OpenBao token) to any host.
   */
  allowAddressOverride: boolean;
  /**
   * The executor's `BACKUP_STATE_CHECKSUM_METADATA`: `skip` leaves `openbao-state-sha256` off
   * multipart objects; `copy` adds it by a server-side self-copy (a second full write, up to 5 GiB).
   */
  stateChecksumMetadata: StateChecksumMetadata;
}

/** Values of the executor's `BACKUP_STATE_CHECKSUM_METADATA` (docs/executor.md). */
export const STATE_CHECKSUM_METADATA_MODES = ['skip', 'copy'] as const;
export type StateChecksumMetadata =
  (typeof STATE_CHECKSUM_METADATA_MODES)[number];

export const DEFAULT_BACKUP_JOB_SETTINGS: BackupJobSettings = {
  tokenAudience: 'openbao-internal',
  tokenExpirationSeconds: 3600,
  addressTemplate: 'https://{cluster}-{i}.{cluster}.{namespace}.svc:8200',
  imagePullPolicy: 'IfNotPresent',
  resources: {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '1', memory: '512Mi' },
  },
  ttlSecondsAfterFinished: 86400,
  runAsUser: 65532,
  defaultReplicas: DEFAULT_REPLICAS,
  allowAddressOverride: false,
  stateChecksumMetadata: 'skip',
};

/** Fills unset settings with {@link DEFAULT_BACKUP_JOB_SETTINGS}. */
export function resolveBackupJobSettings(
  partial: Partial<BackupJobSettings> = {},
): BackupJobSettings {
  const defined = Object.fromEntries(
    Object.entries(partial).filter(([, v]) => v !== undefined),
  );
  return { ...DEFAULT_BACKUP_JOB_SETTINGS, ...defined };
}

/** Extra inputs of {@link buildBackupJob}. */
export interface BuildBackupJobExtras {
  /** The image to run, e.g. `repo@sha256:<verified digest>`; default `spec.backup.executorImage`. */
  image?: string;
  /** The cron slot of a scheduled run (annotation, for adoption and `lastAttemptScheduledTime`). */
  slot?: Date;
  /** The trigger annotation value of a manual run (recorded as `observedTrigger`). */
  triggerValue?: string;
}

export interface EnvVar {
  name: string;
  value: string;
}

/** The batch/v1 Job that {@link buildBackupJob} returns (plain JSON, ready to create). */
export interface BackupJobManifest {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    ownerReferences: Array<{
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller: true;
      blockOwnerDeletion: true;
    }>;
  };
  spec: {
    backoffLimit: 0;
    activeDeadlineSeconds: number;
    ttlSecondsAfterFinished: number;
    template: {
      metadata: { labels: Record<string, string> };
      spec: Record<string, any> & {
        containers: Array<
          Record<string, any> & { env: EnvVar[]; volumeMounts: any[] }
        >;
        volumes: any[];
      };
    };
  };
}

/** Where the executor finds its files (docs/contract.md §3). */
export const MOUNT_PATHS = {
  tlsCa: '/etc/bao/tls',
  credentials: '/etc/bao/backup/credentials',
  openbaoToken: '/var/run/secrets/tokens',
  awsToken: '/var/run/secrets/aws',
  staticToken: '/etc/bao/token',
  tmp: '/tmp',
} as const;

/** `OPENBAO_ADDRESSES`: one URL per replica from the template. */
export function openBaoAddresses(
  cluster: OpenBaoCluster,
  settings: Pick<
    BackupJobSettings,
    'addressTemplate' | 'defaultReplicas' | 'allowAddressOverride'
  >,
): string {
  // An explicit list on the cluster wins over the template (see BACKUP_ADDRESSES_ANNOTATION).
  const explicit = !settings.allowAddressOverride
    ? undefined
    : cluster.metadata.annotations?.[BACKUP_ADDRESSES_ANNOTATION]?.split(',')
        .map(a => a.trim())
        .filter(Boolean);
  if (explicit?.length) return explicit.join(',');
  const replicas = cluster.spec?.replicas ?? settings.defaultReplicas;
  return Array.from({ length: Math.max(1, replicas) }, (_, i) =>
    settings.addressTemplate
      .replace(/\{cluster\}/g, cluster.metadata.name)
      .replace(/\{namespace\}/g, cluster.metadata.namespace)
      .replace(/\{i\}/g, String(i)),
  ).join(',');
}

/**
 * The backup Job of one run, per docs/contract.md §3: deterministic name (`jobNameFor`), labels on the Job
 * and its pod, a controller ownerReference to the OpenBaoCluster, `backoffLimit: 0`,
 * `activeDeadlineSeconds` from the spec (default 3600), `ttlSecondsAfterFinished`, restartPolicy
 * Never, service account `<cluster>-backup` (its token is not automounted; only projected tokens
 * are), non-root with a read-only root file system, all capabilities dropped and the RuntimeDefault
 * seccomp profile. Volumes: the cluster CA (`<cluster>-tls`, key `ca.crt`) always; a projected
 * token for OpenBao (jwt auth only); a projected `sts.amazonaws.com` token (roleArn only); the
 * credentials Secret (credentialsSecretRef) and/or the CA key of caSecretRef as `caCert` in the same
 * directory (a projected volume when caSecretRef is set); the token Secret (tokenSecretRef only); an
 * emptyDir on /tmp. Annotations record run time, key, slot and trigger value for adoption.
 * Assumes a spec that passed `validateBackupSpec`; nothing is applied.
 */
export function buildBackupJob(
  cluster: OpenBaoCluster,
  settings: Partial<BackupJobSettings>,
  runAt: Date,
  trigger: BackupTrigger,
  key: string,
  extras: BuildBackupJobExtras = {},
): BackupJobManifest {
  const s = resolveBackupJobSettings(settings);
  const backup = cluster.spec.backup!;
  const target = backup.target;
  const { name, namespace } = cluster.metadata;
  const labels = {
    [LABEL_NAME]: LABEL_NAME_VALUE,
    [LABEL_MANAGED_BY]: MANAGED_BY_VALUE,
    [LABEL_CLUSTER]: name,
    [LABEL_COMPONENT]: COMPONENT_VALUE,
    [LABEL_TRIGGER]: trigger,
  };
  const annotations: Record<string, string> = {
    [ANNOTATION_RUN_AT]: runAt.toISOString(),
    [ANNOTATION_BACKUP_KEY]: key,
    ...(extras.slot
      ? { [ANNOTATION_SCHEDULED_TIME]: extras.slot.toISOString() }
      : {}),
    ...(extras.triggerValue !== undefined
      ? { [ANNOTATION_TRIGGER_VALUE]: extras.triggerValue }
      : {}),
  };
  const jwt = !!backup.jwtAuthRole;
  const env: EnvVar[] = [
    { name: 'CLUSTER_NAMESPACE', value: namespace },
    { name: 'CLUSTER_NAME', value: name },
    { name: 'OPENBAO_ADDRESSES', value: openBaoAddresses(cluster, s) },
    { name: 'BACKUP_AUTH_METHOD', value: jwt ? 'jwt' : 'token' },
    ...(jwt
      ? [
          { name: 'BACKUP_JWT_AUTH_ROLE', value: backup.jwtAuthRole! },
          {
            name: 'BACKUP_JWT_AUTH_MOUNT',
            value: backup.jwtAuthMount || DEFAULT_JWT_AUTH_MOUNT,
          },
        ]
      : []),
    ...(target.endpoint
      ? [{ name: 'BACKUP_ENDPOINT', value: target.endpoint }]
      : []),
    { name: 'BACKUP_BUCKET', value: target.bucket },
    { name: 'BACKUP_KEY', value: key },
    { name: 'BACKUP_REGION', value: target.region || DEFAULT_REGION },
    { name: 'BACKUP_USE_PATH_STYLE', value: String(!!target.usePathStyle) },
    {
      name: 'BACKUP_PART_SIZE',
      value: String(target.partSize ?? DEFAULT_PART_SIZE),
    },
    {
      name: 'BACKUP_CONCURRENCY',
      value: String(target.concurrency ?? DEFAULT_CONCURRENCY),
    },
    // Always set, so the Job shows which mode its run used.
    {
      name: 'BACKUP_STATE_CHECKSUM_METADATA',
      value: s.stateChecksumMetadata,
    },
    ...(target.roleArn
      ? [
          { name: 'AWS_ROLE_ARN', value: target.roleArn },
          {
            name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
            value: `${MOUNT_PATHS.awsToken}/token`,
          },
        ]
      : []),
  ];
  const volumes: any[] = [
    {
      name: 'tls-ca',
      secret: {
        secretName: `${name}-tls`,
        items: [{ key: 'ca.crt', path: 'ca.crt' }],
      },
    },
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
  ];
  const volumeMounts: any[] = [
    { name: 'tls-ca', mountPath: MOUNT_PATHS.tlsCa, readOnly: true },
    { name: 'tmp', mountPath: MOUNT_PATHS.tmp },
  ];
  const projected = (
    volume: string,
    audience: string,
    path: string,
    mountPath: string,
  ) => {
    volumes.push({
      name: volume,
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience,
              expirationSeconds: s.tokenExpirationSeconds,
              path,
            },
          },
        ],
      },
    });
    volumeMounts.push({ name: volume, mountPath, readOnly: true });
  };
  if (jwt)
    projected(
      'openbao-token',
      s.tokenAudience,
      'openbao-token',
      MOUNT_PATHS.openbaoToken,
    );
  if (target.roleArn)
    projected('aws-token', 'sts.amazonaws.com', 'token', MOUNT_PATHS.awsToken);
  const credentialsSecret = target.credentialsSecretRef?.name;
  const caSecret = target.caSecretRef?.name;
  if (credentialsSecret || caSecret) {
    // Both in one directory: a projected volume; the CA source comes last so its caCert wins.
    volumes.push(
      caSecret
        ? {
            name: 'backup-credentials',
            projected: {
              sources: [
                ...(credentialsSecret
                  ? [{ secret: { name: credentialsSecret } }]
                  : []),
                {
                  secret: {
                    name: caSecret,
                    items: [
                      {
                        key: target.caSecretRef!.key || DEFAULT_CA_SECRET_KEY,
                        path: 'caCert',
                      },
                    ],
                  },
                },
              ],
            },
          }
        : {
            name: 'backup-credentials',
            secret: { secretName: credentialsSecret },
          },
    );
    volumeMounts.push({
      name: 'backup-credentials',
      mountPath: MOUNT_PATHS.credentials,
      readOnly: true,
    });
  }
  if (backup.tokenSecretRef?.name) {
    volumes.push({
      name: 'openbao-static-token',
      secret: {
        secretName: backup.tokenSecretRef.name,
        items: [{ key: 'token', path: 'token' }],
      },
    });
    volumeMounts.push({
      name: 'openbao-static-token',
      mountPath: MOUNT_PATHS.staticToken,
      readOnly: true,
    });
  }
  const pullSecrets = cluster.spec.imageVerification?.imagePullSecrets ?? [];

  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(name, runAt),
      namespace,
      labels,
      annotations,
      ownerReferences: [
        {
          apiVersion: `${OPENBAO_API_GROUP}/${OPENBAO_API_VERSION}`,
          kind: 'OpenBaoCluster',
          name,
          uid: cluster.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds:
        backup.activeDeadlineSeconds ?? DEFAULT_ACTIVE_DEADLINE_SECONDS,
      ttlSecondsAfterFinished: s.ttlSecondsAfterFinished,
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: `${name}-backup`,
          automountServiceAccountToken: false,
          restartPolicy: 'Never',
          ...(pullSecrets.length
            ? { imagePullSecrets: pullSecrets.map(p => ({ name: p.name })) }
            : {}),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: s.runAsUser,
            runAsGroup: s.runAsUser,
            fsGroup: s.runAsUser,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'executor',
              image: extras.image ?? backup.executorImage,
              imagePullPolicy: s.imagePullPolicy,
              env,
              resources: s.resources,
              volumeMounts,
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
            },
          ],
          volumes,
        },
      },
    },
  };
}
