import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { InputError } from '@backstage/errors';
import { DEFAULT_PASS_TIMEOUT_MS } from './reconcile/GatewayDeadlines';
import {
  STATE_CHECKSUM_METADATA_MODES,
  StateChecksumMetadata,
} from './core/buildBackupJob';

/** One Kubernetes API server, as configured under `openbaoBackup.kubernetes.clusters[]`. */
export interface KubernetesClusterConfig {
  name: string;
  url?: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
  authProvider: 'serviceAccount' | 'kubeconfig' | 'inCluster';
  serviceAccountToken?: string;
  namespaces?: string[];
}

/** The plugin's whole configuration, read and checked once at start-up. */
export interface OpenBaoBackupConfig {
  clusters: KubernetesClusterConfig[];
  defaultCluster?: string;
  /** Deadline of every Kubernetes API request but the watches. */
  requestTimeoutMs: number;
  /** Deadline of one API server's part of a reconcile pass; the others never wait longer. */
  passTimeoutMs: number;
  reconcileIntervalMs: number;
  /** How often the reconcile task runs (a light pass, or the full one when due). */
  lightPassIntervalMs: number;
  startingDeadlineSeconds: number;
  podStartTimeoutSeconds: number;
  job: {
    tokenAudience: string;
    addressTemplate: string;
    imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
    allowAddressOverride: boolean;
    stateChecksumMetadata: StateChecksumMetadata;
  };
  health: { staleFactor: number; graceSeconds: number };
  imageVerification: {
    trustedRootFile?: string;
    ctlogThreshold: number;
    tagTtlMs: number;
    verifiedTtlMs: number;
  };
}

const AUTH_PROVIDERS = ['serviceAccount', 'kubeconfig', 'inCluster'] as const;

function readDurationMs(
  config: Config | undefined,
  key: string,
  fallback: HumanDuration,
): number {
  // Accepts `{ minutes: 5 }`, ISO 8601 (`PT5M`) and `5m`-style strings, like the scheduler's config.
  return durationToMilliseconds(
    config?.has(key) ? readDurationFromConfig(config, { key }) : fallback,
  );
}

/** Reads `openbaoBackup`. Throws an `InputError` naming the key for any invalid value. */
export function readOpenBaoBackupConfig(root: Config): OpenBaoBackupConfig {
  const config = root.getOptionalConfig('openbaoBackup');
  const clusterConfigs =
    config?.getOptionalConfigArray('kubernetes.clusters') ?? [];
  const clusters = clusterConfigs.map((c, i) => {
    const name = c.getString('name');
    const authProvider = (c.getOptionalString('authProvider') ??
      'serviceAccount') as KubernetesClusterConfig['authProvider'];
    if (!AUTH_PROVIDERS.includes(authProvider)) {
      throw new InputError(
        `openbaoBackup.kubernetes.clusters[${i}].authProvider must be one of ${AUTH_PROVIDERS.join(
          ', ',
        )}, got "${authProvider}"`,
      );
    }
    const url = c.getOptionalString('url');
    if (authProvider === 'serviceAccount' && !url) {
      throw new InputError(
        `openbaoBackup.kubernetes.clusters[${i}] (${name}) needs a url for authProvider serviceAccount`,
      );
    }
    return {
      name,
      url,
      caData: c.getOptionalString('caData'),
      caFile: c.getOptionalString('caFile'),
      skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
      authProvider,
      serviceAccountToken: c.getOptionalString('serviceAccountToken'),
      namespaces: c.getOptionalStringArray('namespaces'),
    };
  });
  const names = clusters.map(c => c.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) {
    throw new InputError(
      `openbaoBackup.kubernetes.clusters has two clusters named "${duplicate}"`,
    );
  }
  const defaultCluster =
    config?.getOptionalString('kubernetes.defaultCluster') ?? names[0];
  if (defaultCluster && names.length && !names.includes(defaultCluster)) {
    throw new InputError(
      `openbaoBackup.kubernetes.defaultCluster "${defaultCluster}" is not one of the configured clusters (${names.join(
        ', ',
      )})`,
    );
  }
  const requestTimeoutMs = readDurationMs(config, 'kubernetes.requestTimeout', {
    seconds: 30,
  });
  const passTimeoutMs = readDurationMs(config, 'kubernetes.passTimeout', {
    milliseconds: DEFAULT_PASS_TIMEOUT_MS,
  });
  for (const [key, ms] of [
    ['requestTimeout', requestTimeoutMs],
    ['passTimeout', passTimeoutMs],
  ] as const) {
    if (!(ms > 0)) {
      throw new InputError(`openbaoBackup.kubernetes.${key} must be positive`);
    }
  }
  const staleFactor = config?.getOptionalNumber('health.staleFactor') ?? 1;
  if (!(staleFactor >= 1)) {
    throw new InputError('openbaoBackup.health.staleFactor must be >= 1');
  }
  const reconcileIntervalMs = readDurationMs(config, 'reconcileInterval', {
    seconds: 15,
  });
  const lightPassIntervalMs = readDurationMs(config, 'lightPassInterval', {
    seconds: 1,
  });
  if (!(lightPassIntervalMs > 0)) {
    throw new InputError('openbaoBackup.lightPassInterval must be positive');
  }
  const stateChecksumMetadata = (config?.getOptionalString(
    'job.stateChecksumMetadata',
  ) ?? 'skip') as StateChecksumMetadata;
  if (!STATE_CHECKSUM_METADATA_MODES.includes(stateChecksumMetadata)) {
    throw new InputError(
      `openbaoBackup.job.stateChecksumMetadata must be one of ${STATE_CHECKSUM_METADATA_MODES.join(
        ', ',
      )}, got "${stateChecksumMetadata}"`,
    );
  }
  return {
    clusters,
    defaultCluster,
    requestTimeoutMs,
    passTimeoutMs,
    reconcileIntervalMs,
    lightPassIntervalMs,
    startingDeadlineSeconds:
      readDurationMs(config, 'startingDeadline', { hours: 1 }) / 1000,
    podStartTimeoutSeconds:
      readDurationMs(config, 'podStartTimeout', { minutes: 5 }) / 1000,
    job: {
      tokenAudience:
        config?.getOptionalString('job.tokenAudience') ?? 'openbao-internal',
      addressTemplate:
        config?.getOptionalString('job.addressTemplate') ??
        'https://{cluster}-{i}.{cluster}.{namespace}.svc:8200',
      imagePullPolicy: (config?.getOptionalString('job.imagePullPolicy') ??
        'IfNotPresent') as OpenBaoBackupConfig['job']['imagePullPolicy'],
      allowAddressOverride:
        config?.getOptionalBoolean('job.allowAddressOverride') ?? false,
      stateChecksumMetadata,
    },
    health: {
      staleFactor,
      graceSeconds: readDurationMs(config, 'health.grace', { hours: 1 }) / 1000,
    },
    imageVerification: {
      trustedRootFile: config?.getOptionalString(
        'imageVerification.trustedRootFile',
      ),
      ctlogThreshold:
        config?.getOptionalNumber('imageVerification.ctlogThreshold') ?? 1,
      tagTtlMs: readDurationMs(config, 'imageVerification.tagCacheTtl', {
        minutes: 5,
      }),
      verifiedTtlMs: readDurationMs(
        config,
        'imageVerification.verifiedCacheTtl',
        { hours: 1 },
      ),
    },
  };
}
